// Budget and anomaly alerts, deduplicated: AlertTracker turns budget window states (and the
// summary's anomaly flag) into alerts that fire once per (scope, window) — at the threshold
// (80 % by default) and again when the window is exhausted — however often it is asked. Memory
// is bounded: per (scope, window kind) only the newest window is remembered. Thread-safe.
// Delivery (the webhook POST) is api/alert_webhook's job.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "cost/cost_report.h"
#include "cost/ledger.h"

namespace gw::cost {

inline constexpr double kDefaultAlertThreshold = 0.8;

struct Alert {
  std::string kind;    // "budget_threshold" | "budget_exhausted" | "anomaly"
  std::string scope;   // "persona:dev"
  std::string window;  // "day:2026-11-26"; for an anomaly "hour:<RFC 3339 start>"
  // Budgets: the window's spent and limit. Anomaly: the hour's cost and the baseline per hour.
  std::int64_t spent_nanos = 0;
  std::int64_t limit_nanos = 0;
  double threshold = 0;  // budgets: the fraction; anomaly: the multiple
  std::int64_t at_ms = 0;
};

// {"kind","scope","window","spent_usd","spent_nanos","limit_usd","limit_nanos","threshold","at"}.
boost::json::value alert_json(const Alert& alert);

class AlertTracker {
 public:
  // Alerts due for this window state: "budget_threshold" the first time spent ≥ threshold ×
  // limit, "budget_exhausted" the first time spent ≥ limit (a window seen already past its limit
  // gets only the exhausted alert). No alert for a window with no limit, or for a window older
  // than one already seen for the same scope and kind.
  std::vector<Alert> observe(const BudgetState& state, double threshold, std::int64_t now_ms);

  // An "anomaly" alert the first time `anomaly.flag` is seen for (scope, its hour).
  std::vector<Alert> observe_anomaly(const std::string& scope, const Anomaly& anomaly,
                                     std::int64_t now_ms);

  std::size_t tracked() const;  // remembered (scope, window kind) entries

 private:
  struct Seen {
    std::string window;
    bool threshold = false;
    bool exhausted = false;
  };
  // The entry for (scope, kind) reset to `window` when that is newer; nullptr when it is older.
  Seen* entry(const std::string& scope, const std::string& kind, const std::string& window);

  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Seen> seen_;  // (scope, window kind) → newest
};

}  // namespace gw::cost
