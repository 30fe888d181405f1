#include "cost/cost_alerts.h"

#include <cmath>

#include <boost/json/object.hpp>

#include "cost/cost_time.h"

namespace gw::cost {
namespace {

std::string window_kind(const std::string& window) {
  return window.substr(0, window.find(':'));
}

}  // namespace

boost::json::value alert_json(const Alert& a) {
  boost::json::object o;
  o["kind"] = a.kind;
  o["scope"] = a.scope;
  o["window"] = a.window;
  o["spent_usd"] = usd_number(a.spent_nanos);
  o["spent_nanos"] = a.spent_nanos;
  o["limit_usd"] = usd_number(a.limit_nanos);
  o["limit_nanos"] = a.limit_nanos;
  o["threshold"] = a.threshold;
  o["at"] = format_rfc3339(a.at_ms);
  return o;
}

AlertTracker::Seen* AlertTracker::entry(const std::string& scope, const std::string& kind,
                                        const std::string& window) {
  Seen& seen = seen_[{scope, kind}];
  if (seen.window == window) return &seen;
  // Window names within a kind sort by time ("day:2026-11-26" < "day:2026-11-27").
  if (!seen.window.empty() && window < seen.window) return nullptr;
  seen = Seen{window, false, false};
  return &seen;
}

std::vector<Alert> AlertTracker::observe(const BudgetState& state, double threshold,
                                         std::int64_t now_ms) {
  std::vector<Alert> out;
  if (state.limit_nanos <= 0) return out;
  // The threshold in whole nano-dollars (0.8 × 1000 is 800, not 800.0000000000000444).
  const long long threshold_nanos =
      std::llround(static_cast<long double>(threshold) * state.limit_nanos);
  const bool over_threshold = state.spent_nanos >= threshold_nanos;
  const bool exhausted = state.spent_nanos >= state.limit_nanos;
  if (!over_threshold && !exhausted) return out;

  std::lock_guard lock(mu_);
  Seen* seen = entry(state.scope, window_kind(state.window), state.window);
  if (seen == nullptr) return out;
  auto make = [&](std::string kind) {
    return Alert{std::move(kind),   state.scope, state.window, state.spent_nanos,
                 state.limit_nanos, threshold,   now_ms};
  };
  if (exhausted) {
    if (!seen->exhausted) out.push_back(make("budget_exhausted"));
    seen->exhausted = true;
    seen->threshold = true;  // past 100 % the threshold alert would only repeat the news
  } else if (!seen->threshold) {
    out.push_back(make("budget_threshold"));
    seen->threshold = true;
  }
  return out;
}

std::vector<Alert> AlertTracker::observe_anomaly(const std::string& scope, const Anomaly& anomaly,
                                                 std::int64_t now_ms) {
  std::vector<Alert> out;
  if (!anomaly.flag) return out;
  const std::string window = "hour:" + format_rfc3339(anomaly.hour_start_ms);
  std::lock_guard lock(mu_);
  Seen* seen = entry(scope, "anomaly", window);
  if (seen == nullptr || seen->exhausted) return out;
  seen->exhausted = true;  // "fired" for an anomaly's hour
  out.push_back(Alert{"anomaly", scope, window, anomaly.hourly_nanos, anomaly.baseline_nanos,
                      anomaly.multiple, now_ms});
  return out;
}

std::size_t AlertTracker::tracked() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

}  // namespace gw::cost
