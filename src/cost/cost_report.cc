#include "cost/cost_report.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "cost/cost_time.h"

namespace gw::cost {
namespace {

namespace json = boost::json;

__extension__ using Wide = __int128;

struct Acc {
  Tally tally;
  std::unordered_set<std::string> ids;
};

void add(Acc& acc, const CostEvent& e) {
  Tally& t = acc.tally;
  t.cost_nanos += e.cost_nanos;
  t.tokens.input += e.input_tokens;
  t.tokens.output += e.output_tokens;
  t.tokens.cache_read += e.cache_read_tokens;
  t.tokens.cache_write += e.cache_write_tokens;
  t.tokens.reasoning += e.reasoning_tokens;
  acc.ids.insert(ledger_key_of(e));  // two requests may share a client's request id
}

Tally finish(Acc& acc) {
  acc.tally.requests = static_cast<std::int64_t>(acc.ids.size());
  return acc.tally;
}

std::map<std::string, Tally> finish_all(std::map<std::string, Acc>& groups) {
  std::map<std::string, Tally> out;
  for (auto& [name, acc] : groups) out.emplace(name, finish(acc));
  return out;
}

Error bad_parameter(std::string_view param, std::string message) {
  Error e = Error::make(ErrorKind::caller_invalid_request, std::move(message), "invalid_parameter");
  e.param = std::string(param);
  return e;
}

json::value time_or_null(std::int64_t ms, std::int64_t utc_offset_ms) {
  if (ms == std::numeric_limits<std::int64_t>::max()) return nullptr;
  return json::value(format_rfc3339(ms, utc_offset_ms));
}

json::object tokens_json(const TokenTotals& t) {
  json::object o;
  o["input"] = t.input;
  o["output"] = t.output;
  o["cache_read"] = t.cache_read;
  o["cache_write"] = t.cache_write;
  o["reasoning"] = t.reasoning;
  o["total"] = t.total();
  return o;
}

json::object tally_json(const Tally& t) {
  json::object o;
  o["cost"] = usd_number(t.cost_nanos);
  o["cost_nanos"] = t.cost_nanos;
  o["requests"] = t.requests;
  o["tokens"] = tokens_json(t.tokens);
  return o;
}

json::object groups_json(const std::map<std::string, Tally>& groups) {
  json::object o;
  for (const auto& [name, tally] : groups) o[name] = tally_json(tally);
  return o;
}

Forecast forecast(const std::vector<CostEvent>& events, std::int64_t now_ms, std::int64_t first_ms,
                  std::int64_t utc_offset_ms) {
  Forecast f;
  f.month_start_ms = floor_month(now_ms, utc_offset_ms);
  f.month_end_ms = next_month(now_ms, utc_offset_ms);
  const std::int64_t day_ago = now_ms - kDayMs;
  std::int64_t recent_nanos = 0;
  for (const auto& e : events) {
    if (e.ts_ms > now_ms) continue;
    if (e.ts_ms >= f.month_start_ms) f.month_to_date_nanos += e.cost_nanos;
    if (e.ts_ms >= day_ago) recent_nanos += e.cost_nanos;
  }
  f.projected_month_end_nanos = f.month_to_date_nanos;
  if (first_ms > now_ms) return f;  // no events yet: no rate
  f.rate_window_ms = std::max(now_ms - std::max(day_ago, first_ms), kHourMs);
  f.rate_nanos_per_hour =
      static_cast<std::int64_t>(Wide{recent_nanos} * kHourMs / f.rate_window_ms);
  const Wide left = f.month_end_ms - now_ms;
  f.projected_month_end_nanos +=
      static_cast<std::int64_t>(Wide{recent_nanos} * left / f.rate_window_ms);
  return f;
}

Anomaly anomaly(const std::vector<CostEvent>& events, std::int64_t now_ms, std::int64_t first_ms,
                const SummaryOptions& options) {
  Anomaly a;
  a.multiple = options.anomaly_multiple;
  a.floor_nanos = options.anomaly_floor_nanos;
  a.hour_start_ms = floor_hour(now_ms, options.utc_offset_ms);
  const std::int64_t base_start = a.hour_start_ms - 24 * kHourMs;
  std::int64_t base_sum = 0;
  for (const auto& e : events) {
    if (e.ts_ms > now_ms) continue;
    if (e.ts_ms >= a.hour_start_ms) {
      a.hourly_nanos += e.cost_nanos;
    } else if (e.ts_ms >= base_start) {
      base_sum += e.cost_nanos;
    }
  }
  // Hours of history before the current one: 24, or fewer when the first event is younger.
  std::int64_t hours = 24;
  if (first_ms > base_start) {
    hours = (a.hour_start_ms - floor_hour(first_ms, options.utc_offset_ms)) / kHourMs;
  }
  if (hours > 0) a.baseline_nanos = base_sum / hours;
  if (hours > 0 && base_sum > 0) {
    const long double baseline = static_cast<long double>(base_sum) / hours;
    a.flag = static_cast<long double>(a.hourly_nanos) > a.multiple * baseline;
  } else {
    a.flag = a.hourly_nanos > a.floor_nanos;
  }
  return a;
}

std::string group_value(const CostEvent& e, GroupKey key) {
  switch (key) {
    case GroupKey::persona:
      return e.persona;
    case GroupKey::team:
      return e.team;
    case GroupKey::key:
      return e.key_name;
    case GroupKey::provider:
      return e.provider;
    case GroupKey::model:
      return e.model;
    case GroupKey::project:
      return e.project;
  }
  return {};
}

std::int64_t bucket_start(std::int64_t ts_ms, Bucket bucket, std::int64_t from_ms,
                          std::int64_t utc_offset_ms) {
  switch (bucket) {
    case Bucket::hour:
      return floor_hour(ts_ms, utc_offset_ms);
    case Bucket::day:
      return floor_day(ts_ms, utc_offset_ms);
    case Bucket::month:
      return floor_month(ts_ms, utc_offset_ms);
    case Bucket::none:
      break;
  }
  return from_ms;
}

void csv_field(std::string& out, std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

constexpr std::string_view kCounterColumns[] = {
    "requests",           "input_tokens",     "output_tokens", "cache_read_tokens",
    "cache_write_tokens", "reasoning_tokens", "cost_usd",      "cost_nanos"};

}  // namespace

std::string usd_decimal(std::int64_t nanos) {
  const bool negative = nanos < 0;
  const Wide magnitude = negative ? -Wide{nanos} : Wide{nanos};
  const auto whole = static_cast<std::uint64_t>(magnitude / 1'000'000'000);
  const auto frac = static_cast<std::uint64_t>(magnitude % 1'000'000'000);
  std::string digits = std::to_string(frac);
  std::string out = negative ? "-" : "";
  out += std::to_string(whole);
  out.push_back('.');
  out.append(9 - digits.size(), '0');
  out += digits;
  return out;
}

double usd_number(std::int64_t nanos) {
  return static_cast<double>(nanos) / 1e9;
}

std::pair<std::int64_t, std::int64_t> summary_read_range(std::int64_t from_ms, std::int64_t to_ms,
                                                         std::int64_t now_ms,
                                                         std::int64_t utc_offset_ms) {
  const std::int64_t history = std::min(floor_month(now_ms, utc_offset_ms),
                                        floor_hour(now_ms, utc_offset_ms) - 25 * kHourMs);
  return {std::min(from_ms, history), std::max(to_ms, now_ms + 1)};
}

Summary summarize(const std::vector<CostEvent>& events, std::int64_t from_ms, std::int64_t to_ms,
                  std::int64_t now_ms, const SummaryOptions& options) {
  Summary s;
  s.from_ms = from_ms;
  s.to_ms = to_ms;
  s.utc_offset_ms = options.utc_offset_ms;
  Acc total;
  std::map<std::string, Acc> provider, model, persona, team;
  std::int64_t first_ms = std::numeric_limits<std::int64_t>::max();
  for (const auto& e : events) {
    if (e.ts_ms <= now_ms) first_ms = std::min(first_ms, e.ts_ms);
    if (e.ts_ms < from_ms || e.ts_ms >= to_ms) continue;
    add(total, e);
    add(provider[e.provider], e);
    add(model[e.provider + "/" + e.model], e);
    add(persona[e.persona], e);
    add(team[e.team], e);
  }
  s.total = finish(total);
  s.by_provider = finish_all(provider);
  s.by_model = finish_all(model);
  s.by_persona = finish_all(persona);
  s.by_team = finish_all(team);
  s.forecast = forecast(events, now_ms, first_ms, options.utc_offset_ms);
  s.anomaly = anomaly(events, now_ms, first_ms, options);
  return s;
}

json::value to_json(const Summary& s) {
  json::object o;
  json::object period;
  period["from"] = time_or_null(s.from_ms, s.utc_offset_ms);
  period["to"] = time_or_null(s.to_ms, s.utc_offset_ms);
  o["period"] = std::move(period);
  o["total_cost"] = usd_number(s.total.cost_nanos);
  o["total_cost_nanos"] = s.total.cost_nanos;
  o["requests"] = s.total.requests;
  o["tokens"] = tokens_json(s.total.tokens);
  o["by_provider"] = groups_json(s.by_provider);
  o["by_model"] = groups_json(s.by_model);
  o["by_persona"] = groups_json(s.by_persona);
  o["by_team"] = groups_json(s.by_team);

  const Forecast& f = s.forecast;
  json::object fc;
  fc["month_start"] = format_rfc3339(f.month_start_ms, s.utc_offset_ms);
  fc["month_end"] = format_rfc3339(f.month_end_ms, s.utc_offset_ms);
  fc["month_to_date"] = usd_number(f.month_to_date_nanos);
  fc["month_to_date_nanos"] = f.month_to_date_nanos;
  fc["rate_per_hour"] = usd_number(f.rate_nanos_per_hour);
  fc["rate_per_hour_nanos"] = f.rate_nanos_per_hour;
  fc["rate_window_hours"] = static_cast<double>(f.rate_window_ms) / kHourMs;
  fc["projected_month_end"] = usd_number(f.projected_month_end_nanos);
  fc["projected_month_end_nanos"] = f.projected_month_end_nanos;
  o["forecast"] = std::move(fc);

  const Anomaly& a = s.anomaly;
  json::object an;
  an["flag"] = a.flag;
  an["hour_start"] = format_rfc3339(a.hour_start_ms, s.utc_offset_ms);
  an["hourly_rate"] = usd_number(a.hourly_nanos);
  an["hourly_rate_nanos"] = a.hourly_nanos;
  an["baseline"] = usd_number(a.baseline_nanos);
  an["baseline_nanos"] = a.baseline_nanos;
  an["multiple"] = a.multiple;
  o["anomaly"] = std::move(an);
  return o;
}

Result<std::pair<std::int64_t, std::int64_t>> period_range(std::string_view period,
                                                           std::int64_t now_ms,
                                                           std::int64_t utc_offset_ms) {
  using Range = std::pair<std::int64_t, std::int64_t>;
  if (period == "hour") {
    const std::int64_t start = floor_hour(now_ms, utc_offset_ms);
    return Range{start, start + kHourMs};
  }
  if (period == "day") {
    const std::int64_t start = floor_day(now_ms, utc_offset_ms);
    return Range{start, start + kDayMs};
  }
  if (period == "month") {
    return Range{floor_month(now_ms, utc_offset_ms), next_month(now_ms, utc_offset_ms)};
  }
  if (period == "all") return Range{0, std::numeric_limits<std::int64_t>::max()};
  return bad_parameter("period", "period must be one of hour, day, month, all; got \"" +
                                     std::string(period.substr(0, 32)) + "\"");
}

std::string_view group_key_name(GroupKey key) {
  switch (key) {
    case GroupKey::persona:
      return "persona";
    case GroupKey::team:
      return "team";
    case GroupKey::key:
      return "key";
    case GroupKey::provider:
      return "provider";
    case GroupKey::model:
      return "model";
    case GroupKey::project:
      return "project";
  }
  return "";
}

Result<std::vector<GroupKey>> parse_group_by(std::string_view text) {
  static constexpr GroupKey kAll[] = {GroupKey::persona,  GroupKey::team,  GroupKey::key,
                                      GroupKey::provider, GroupKey::model, GroupKey::project};
  std::vector<GroupKey> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    if (part.empty()) continue;
    const auto* found = std::find_if(std::begin(kAll), std::end(kAll),
                                     [&](GroupKey k) { return group_key_name(k) == part; });
    if (found == std::end(kAll)) {
      return bad_parameter("group_by",
                           "group_by takes persona, team, key, provider, model, project; got \"" +
                               std::string(part.substr(0, 32)) + "\"");
    }
    if (std::find(out.begin(), out.end(), *found) == out.end()) out.push_back(*found);
  }
  return out;
}

std::string_view bucket_name(Bucket bucket) {
  switch (bucket) {
    case Bucket::none:
      return "none";
    case Bucket::hour:
      return "hour";
    case Bucket::day:
      return "day";
    case Bucket::month:
      return "month";
  }
  return "";
}

Result<Bucket> parse_bucket(std::string_view text) {
  for (Bucket b : {Bucket::none, Bucket::hour, Bucket::day, Bucket::month}) {
    if (bucket_name(b) == text) return b;
  }
  return bad_parameter("bucket", "bucket must be one of hour, day, month, none; got \"" +
                                     std::string(text.substr(0, 32)) + "\"");
}

Report report(const std::vector<CostEvent>& events, const std::vector<GroupKey>& group_by,
              Bucket bucket, std::int64_t from_ms, std::int64_t to_ms, std::int64_t utc_offset_ms) {
  Report r;
  r.group_by = group_by;
  r.bucket = bucket;
  r.from_ms = from_ms;
  r.to_ms = to_ms;
  r.utc_offset_ms = utc_offset_ms;
  std::map<std::pair<std::int64_t, std::vector<std::string>>, Acc> rows;
  for (const auto& e : events) {
    if (e.ts_ms < from_ms || e.ts_ms >= to_ms) continue;
    std::vector<std::string> values;
    values.reserve(group_by.size());
    for (GroupKey k : group_by) values.push_back(group_value(e, k));
    add(rows[{bucket_start(e.ts_ms, bucket, from_ms, utc_offset_ms), std::move(values)}], e);
  }
  r.rows.reserve(rows.size());
  for (auto& [key, acc] : rows) {
    const Tally t = finish(acc);
    ReportRow row;
    row.bucket_start_ms = key.first;
    row.groups = key.second;
    row.requests = t.requests;
    row.tokens = t.tokens;
    row.cost_nanos = t.cost_nanos;
    r.rows.push_back(std::move(row));
  }
  return r;
}

std::string to_csv(const Report& r) {
  std::string out = "bucket_start";
  for (GroupKey k : r.group_by) {
    out.push_back(',');
    out.append(group_key_name(k));
  }
  for (auto column : kCounterColumns) {
    out.push_back(',');
    out.append(column);
  }
  out.append("\r\n");
  for (const auto& row : r.rows) {
    out.append(format_rfc3339(row.bucket_start_ms, r.utc_offset_ms));
    for (const auto& value : row.groups) {
      out.push_back(',');
      csv_field(out, value);
    }
    for (std::int64_t n : {row.requests, row.tokens.input, row.tokens.output, row.tokens.cache_read,
                           row.tokens.cache_write, row.tokens.reasoning}) {
      out.push_back(',');
      out.append(std::to_string(n));
    }
    out.push_back(',');
    out.append(usd_decimal(row.cost_nanos));
    out.push_back(',');
    out.append(std::to_string(row.cost_nanos));
    out.append("\r\n");
  }
  return out;
}

json::value to_json(const Report& r) {
  json::object o;
  json::array keys;
  for (GroupKey k : r.group_by) keys.emplace_back(group_key_name(k));
  o["group_by"] = std::move(keys);
  o["bucket"] = bucket_name(r.bucket);
  o["from"] = time_or_null(r.from_ms, r.utc_offset_ms);
  o["to"] = time_or_null(r.to_ms, r.utc_offset_ms);
  json::array rows;
  for (const auto& row : r.rows) {
    json::object x;
    x["bucket_start"] = format_rfc3339(row.bucket_start_ms, r.utc_offset_ms);
    for (std::size_t i = 0; i < r.group_by.size(); ++i) {
      x[group_key_name(r.group_by[i])] = row.groups[i];
    }
    x["requests"] = row.requests;
    x["input_tokens"] = row.tokens.input;
    x["output_tokens"] = row.tokens.output;
    x["cache_read_tokens"] = row.tokens.cache_read;
    x["cache_write_tokens"] = row.tokens.cache_write;
    x["reasoning_tokens"] = row.tokens.reasoning;
    x["cost_usd"] = usd_number(row.cost_nanos);
    x["cost_nanos"] = row.cost_nanos;
    rows.emplace_back(std::move(x));
  }
  o["rows"] = std::move(rows);
  return o;
}

}  // namespace gw::cost
