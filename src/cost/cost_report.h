// Cost figures from cost events, with no I/O: the summary (totals by provider, model, persona and
// team, a month-end forecast and an anomaly flag) and the report (rows grouped by chosen fields
// and time buckets, as CSV or JSON). The HTTP API (api/cost_routes) and the CLI
// (`execution-platform cost …`) both print what these functions compute, so they agree.
// Money stays integer nano-dollars; USD numbers in JSON are derived from them for display.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "common/result.h"
#include "cost/ledger.h"

namespace gw::cost {

struct TokenTotals {
  std::int64_t input = 0, output = 0, cache_read = 0, cache_write = 0, reasoning = 0;
  // input + output: cache reads and writes are part of input, reasoning is part of output (as
  // in model/chat.h Usage), so they are not added again.
  std::int64_t total() const { return input + output; }
};

struct Tally {
  std::int64_t cost_nanos = 0;
  std::int64_t requests = 0;  // distinct request ids (several attempts are one request)
  TokenTotals tokens;
};

// Month-end projection: spent this calendar month (up to now) plus the recent rate times the time
// left in the month. The rate is the cost over the last 24 h, or since the first event when the
// data is younger, over a window of at least one hour (so one early event cannot explode it).
struct Forecast {
  std::int64_t month_start_ms = 0;
  std::int64_t month_end_ms = 0;  // start of the next month
  std::int64_t month_to_date_nanos = 0;
  std::int64_t rate_window_ms = 0;       // what the rate was measured over
  std::int64_t rate_nanos_per_hour = 0;  // rounded down
  std::int64_t projected_month_end_nanos = 0;
};

// Current clock hour vs the mean hourly cost of the 24 hours before it (or of the hours since the
// first event, when fewer). Flagged when hourly > multiple × baseline with baseline > 0, or, with
// no baseline at all, when the hour's cost exceeds floor_nanos.
struct Anomaly {
  bool flag = false;
  std::int64_t hour_start_ms = 0;
  std::int64_t hourly_nanos = 0;    // cost in the current clock hour so far
  std::int64_t baseline_nanos = 0;  // mean cost per hour before it (rounded down)
  double multiple = 3.0;
  std::int64_t floor_nanos = 0;
};

struct SummaryOptions {
  std::int64_t utc_offset_ms = 0;  // where day and month boundaries fall (0 = UTC)
  double anomaly_multiple = 3.0;
  std::int64_t anomaly_floor_nanos = 1'000'000'000;  // $1 in an hour with no baseline
};

struct Summary {
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  Tally total;
  std::map<std::string, Tally> by_provider, by_model, by_persona, by_team;
  Forecast forecast;
  Anomaly anomaly;
  std::int64_t utc_offset_ms = 0;
};

// The range of events summarize() needs: [from, to) plus this month and the 25 hours before now.
std::pair<std::int64_t, std::int64_t> summary_read_range(std::int64_t from_ms, std::int64_t to_ms,
                                                         std::int64_t now_ms,
                                                         std::int64_t utc_offset_ms);

// Totals count events in [from_ms, to_ms); the forecast and anomaly use every event given up to
// now_ms (read them with summary_read_range).
Summary summarize(const std::vector<CostEvent>& events, std::int64_t from_ms, std::int64_t to_ms,
                  std::int64_t now_ms, const SummaryOptions& options = {});

// {"period":{from,to},"total_cost","total_cost_nanos","requests","tokens":{…},"by_provider":{name:
// {cost,cost_nanos,requests,tokens}},"by_model","by_persona","by_team","forecast","anomaly"}.
boost::json::value to_json(const Summary& summary);

// "hour", "day", "month": [start of the current one, start of the next); "all": everything.
Result<std::pair<std::int64_t, std::int64_t>> period_range(std::string_view period,
                                                           std::int64_t now_ms,
                                                           std::int64_t utc_offset_ms);

enum class GroupKey { persona, team, key, provider, model, project };
enum class Bucket { none, hour, day, month };

// "persona,model" → keys (no duplicates); errors name `group_by`.
Result<std::vector<GroupKey>> parse_group_by(std::string_view text);
std::string_view group_key_name(GroupKey key);
// "hour" | "day" | "month" | "none"; errors name `bucket`.
Result<Bucket> parse_bucket(std::string_view text);
std::string_view bucket_name(Bucket bucket);

struct ReportRow {
  std::int64_t bucket_start_ms = 0;
  std::vector<std::string> groups;  // one value per Report::group_by
  std::int64_t requests = 0;
  TokenTotals tokens;
  std::int64_t cost_nanos = 0;
};

struct Report {
  std::vector<GroupKey> group_by;
  Bucket bucket = Bucket::day;
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::int64_t utc_offset_ms = 0;
  std::vector<ReportRow> rows;  // ordered by bucket, then group values
};

// Rows of the events in [from_ms, to_ms). With Bucket::none every row's bucket is from_ms.
Report report(const std::vector<CostEvent>& events, const std::vector<GroupKey>& group_by,
              Bucket bucket, std::int64_t from_ms, std::int64_t to_ms,
              std::int64_t utc_offset_ms = 0);

// Header row, then one line per row, CRLF line ends, fields quoted per RFC 4180 when they hold a
// comma, quote, CR or LF. cost_usd is the exact decimal of cost_nanos (nine places).
std::string to_csv(const Report& report);
boost::json::value to_json(const Report& report);

// "0.012345678": nano-dollars as an exact decimal string.
std::string usd_decimal(std::int64_t nanos);
// nano-dollars as a JSON number of dollars.
double usd_number(std::int64_t nanos);

}  // namespace gw::cost
