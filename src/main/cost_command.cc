#include "main/cost_command.h"

#include <chrono>
#include <cstdio>

#include <boost/json/serialize.hpp>

#include "config/config.h"
#include "cost/calendar.h"
#include "cost/cost_query.h"
#include "cost/cost_report.h"
#include "cost/ledger.h"
#include "main/serve_command.h"

namespace gw {
namespace {

void add_common(CLI::App& cmd, CostCommandOptions& o) {
  cmd.add_option("--config,-c", o.config_path, "config file (JSON or YAML)")->required();
  cmd.add_option("--period", o.period, "hour, day, month (default) or all");
  cmd.add_option("--from", o.from, "start, RFC 3339 or YYYY-MM-DD (overrides --period)");
  cmd.add_option("--to", o.to, "end (exclusive), RFC 3339 or YYYY-MM-DD");
  cmd.add_option("--persona", o.persona, "only this persona");
  cmd.add_option("--team", o.team, "only this team");
  cmd.add_option("--provider", o.provider, "only this provider");
  cmd.add_option("--model", o.model, "only this model");
}

cost::QueryParams params_of(const CostCommandOptions& o, bool report) {
  cost::QueryParams p;
  auto put = [&](const char* name, const std::string& value) {
    if (!value.empty()) p.emplace(name, value);
  };
  put("period", o.period);
  put("from", o.from);
  put("to", o.to);
  put("persona", o.persona);
  put("team", o.team);
  put("provider", o.provider);
  put("model", o.model);
  if (report) {
    put("group_by", o.group_by);
    put("bucket", o.bucket);
    p.emplace("format", o.format.empty() ? "csv" : o.format);
  }
  return p;
}

std::string usd(std::int64_t nanos) {
  return "$" + cost::usd_decimal(nanos);
}

void print_groups(std::ostream& out, const char* title,
                  const std::map<std::string, cost::Tally>& groups) {
  out << title << "\n";
  for (const auto& [name, t] : groups) {
    char line[512];
    std::snprintf(line, sizeof line, "  %-32s %18s %8lld req %12lld tok\n",
                  name.empty() ? "(none)" : name.c_str(), usd(t.cost_nanos).c_str(),
                  static_cast<long long>(t.requests), static_cast<long long>(t.tokens.total()));
    out << line;
  }
}

void print_summary(std::ostream& out, const cost::Summary& s) {
  const boost::json::value v = cost::to_json(s);
  const auto& j = v.at("period").as_object();
  out << "period     " << boost::json::serialize(j.at("from")) << " .. "
      << boost::json::serialize(j.at("to")) << "\n";
  out << "total      " << usd(s.total.cost_nanos) << "  requests " << s.total.requests
      << "  tokens " << s.total.tokens.total() << " (input " << s.total.tokens.input << ", output "
      << s.total.tokens.output << ", cache read " << s.total.tokens.cache_read << ", cache write "
      << s.total.tokens.cache_write << ", reasoning " << s.total.tokens.reasoning << ")\n";
  print_groups(out, "by provider", s.by_provider);
  print_groups(out, "by model", s.by_model);
  print_groups(out, "by persona", s.by_persona);
  print_groups(out, "by team", s.by_team);
  const auto& f = s.forecast;
  out << "forecast   month to date " << usd(f.month_to_date_nanos) << ", rate "
      << usd(f.rate_nanos_per_hour) << "/h, projected month end "
      << usd(f.projected_month_end_nanos) << "\n";
  const auto& a = s.anomaly;
  out << "anomaly    " << (a.flag ? "YES" : "no") << " (this hour " << usd(a.hourly_nanos)
      << ", baseline " << usd(a.baseline_nanos) << "/h, multiple " << a.multiple << ")\n";
}

}  // namespace

CostCommand add_cost_command(CLI::App& app, CostCommandOptions& options) {
  CostCommand c;
  c.cost = app.add_subcommand("cost", "cost queries from the ledger (summary, report)");
  c.cost->require_subcommand(1);
  c.summary = c.cost->add_subcommand("summary", "totals, forecast and anomaly flag");
  add_common(*c.summary, options);
  c.summary->add_flag("--json", options.json, "print JSON (as GET /v1/cost/summary)");
  c.report = c.cost->add_subcommand("report", "rows grouped by fields and time buckets");
  add_common(*c.report, options);
  c.report->add_option("--group-by", options.group_by,
                       "comma-separated: persona, team, key, provider, model, project");
  c.report->add_option("--bucket", options.bucket, "hour, day (default), month or none");
  c.report->add_option("--format", options.format, "csv (default) or json");
  return c;
}

int cost_command(const CostCommand& command, const CostCommandOptions& options, std::ostream& out,
                 std::ostream& err) {
  const bool is_report = command.report != nullptr && command.report->parsed();
  const auto kind = is_report ? cost::QueryKind::report : cost::QueryKind::summary;

  auto loaded = load_config_file(options.config_path, load_options());
  if (!loaded.config) {
    for (const auto& p : loaded.problems) {
      if (!p.warning) err << options.config_path << ": " << p.pointer << ": " << p.message << "\n";
    }
    return 1;
  }
  const Config& config = *loaded.config;
  const std::int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  std::int64_t offset = 0;
  if (auto tz = cost::TimeZone::load(config.cost.timezone)) offset = tz->offset_ms(now);

  auto query = cost::parse_cost_query(params_of(options, is_report), kind, now, offset);
  if (!query) {
    err << "cost " << (is_report ? "report" : "summary") << ": " << query.error().message << "\n";
    return 2;
  }
  const std::string url = config.ledger_url.empty() ? config.storage_url : config.ledger_url;
  auto ledger = cost::open_ledger(url);
  if (!ledger) {
    err << "cannot open the ledger: " << ledger.error().message << "\n";
    return 1;
  }
  auto events = (*ledger)->events(cost::read_filter(*query, kind, now, offset));
  if (!events) {
    err << "cannot read cost events: " << events.error().message << "\n";
    return 1;
  }
  if (is_report) {
    auto r =
        cost::report(*events, query->group_by, query->bucket, query->from_ms, query->to_ms, offset);
    if (query->format == "csv") {
      out << cost::to_csv(r);
    } else {
      out << boost::json::serialize(cost::to_json(r)) << "\n";
    }
    return 0;
  }
  cost::SummaryOptions so;
  so.utc_offset_ms = offset;
  so.anomaly_multiple = config.cost.anomaly_multiple;
  auto s = cost::summarize(*events, query->from_ms, query->to_ms, now, so);
  if (options.json) {
    out << boost::json::serialize(cost::to_json(s)) << "\n";
  } else {
    print_summary(out, s);
  }
  return 0;
}

}  // namespace gw
