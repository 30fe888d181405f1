#include "cost/cost_query.h"

#include <algorithm>
#include <limits>

#include "cost/cost_time.h"

namespace gw::cost {
namespace {

Error bad_parameter(const std::string& name, std::string message) {
  Error e = Error::make(ErrorKind::caller_invalid_request, std::move(message), "invalid_parameter");
  e.param = name;
  return e;
}

bool known(const std::string& name, QueryKind kind) {
  static constexpr std::string_view kCommon[] = {"period", "from",     "to",   "persona",
                                                 "team",   "provider", "model"};
  static constexpr std::string_view kReport[] = {"group_by", "bucket", "format"};
  if (std::find(std::begin(kCommon), std::end(kCommon), name) != std::end(kCommon)) return true;
  return kind == QueryKind::report &&
         std::find(std::begin(kReport), std::end(kReport), name) != std::end(kReport);
}

std::string param(const QueryParams& params, const std::string& name, std::string fallback = {}) {
  auto it = params.find(name);
  return it == params.end() ? fallback : it->second;
}

}  // namespace

Result<CostQuery> parse_cost_query(const QueryParams& params, QueryKind kind, std::int64_t now_ms,
                                   std::int64_t utc_offset_ms) {
  for (const auto& [name, value] : params) {
    if (!known(name, kind)) {
      return bad_parameter(name, "unknown parameter \"" + name.substr(0, 32) + "\"");
    }
  }
  CostQuery q;
  auto range = period_range(param(params, "period", "month"), now_ms, utc_offset_ms);
  if (!range) return std::move(range).error();
  q.from_ms = range->first;
  q.to_ms = range->second;
  if (params.contains("from") || params.contains("to")) {
    q.from_ms = 0;
    q.to_ms = std::numeric_limits<std::int64_t>::max();
  }
  if (params.contains("from")) {
    auto from = parse_rfc3339(param(params, "from"), "from", utc_offset_ms);
    if (!from) return std::move(from).error();
    q.from_ms = *from;
  }
  if (params.contains("to")) {
    auto to = parse_rfc3339(param(params, "to"), "to", utc_offset_ms);
    if (!to) return std::move(to).error();
    q.to_ms = *to;
  }
  if (q.to_ms <= q.from_ms) return bad_parameter("to", "to must be later than from");
  q.persona = param(params, "persona");
  q.team = param(params, "team");
  q.provider = param(params, "provider");
  q.model = param(params, "model");
  if (kind == QueryKind::report) {
    auto groups = parse_group_by(param(params, "group_by"));
    if (!groups) return std::move(groups).error();
    q.group_by = std::move(groups).value();
    auto bucket = parse_bucket(param(params, "bucket", "day"));
    if (!bucket) return std::move(bucket).error();
    q.bucket = *bucket;
    q.format = param(params, "format", "json");
    if (q.format != "json" && q.format != "csv") {
      return bad_parameter("format", "format must be json or csv");
    }
  }
  return q;
}

EventFilter read_filter(const CostQuery& query, QueryKind kind, std::int64_t now_ms,
                        std::int64_t utc_offset_ms) {
  EventFilter f;
  f.from_ms = query.from_ms;
  f.to_ms = query.to_ms;
  if (kind == QueryKind::summary) {
    std::tie(f.from_ms, f.to_ms) =
        summary_read_range(query.from_ms, query.to_ms, now_ms, utc_offset_ms);
  }
  f.persona = query.persona;
  f.team = query.team;
  f.provider = query.provider;
  f.model = query.model;
  return f;
}

void keep_personas(std::vector<CostEvent>& events, const std::vector<std::string>& personas) {
  std::erase_if(events, [&](const CostEvent& e) {
    return std::find(personas.begin(), personas.end(), e.persona) == personas.end();
  });
}

}  // namespace gw::cost
