// The parameters of a cost query — period or from/to, filters, grouping, buckets, format — parsed
// once from name/value pairs, so the HTTP API (query string) and the CLI (its options) accept the
// same things and compute the same figures. Pure; errors are caller_invalid_request naming the
// parameter (code "invalid_parameter").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "cost/cost_report.h"
#include "cost/ledger.h"

namespace gw::cost {

enum class QueryKind { summary, report };

struct CostQuery {
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::string persona, team, provider, model;
  std::vector<GroupKey> group_by;  // report only
  Bucket bucket = Bucket::day;     // report only
  std::string format = "json";     // report only: "json" | "csv"
};

using QueryParams = std::map<std::string, std::string>;

// Parameters: period=hour|day|month|all (default month), or from= / to= (RFC 3339 or a date; they
// override period; a missing `to` means now and later), persona, team, provider, model; for
// reports also group_by (comma-separated persona, team, key, provider, model, project),
// bucket=hour|day|month|none (default day), format=json|csv (default json). Unknown names are
// errors. `utc_offset_ms` places period and date boundaries.
Result<CostQuery> parse_cost_query(const QueryParams& params, QueryKind kind, std::int64_t now_ms,
                                   std::int64_t utc_offset_ms);

// What to read from the ledger for the query (a summary also needs this month and the last day
// for its forecast and anomaly; see summary_read_range).
EventFilter read_filter(const CostQuery& query, QueryKind kind, std::int64_t now_ms,
                        std::int64_t utc_offset_ms);

// Drops events whose persona is not in `personas` (a non-admin key's view).
void keep_personas(std::vector<CostEvent>& events, const std::vector<std::string>& personas);

}  // namespace gw::cost
