// What a request is held to: the budget windows (USD per calendar hour/day/month) it must reserve
// in, and the rate limits (per sliding minute, concurrency) it must fit, for its persona, its
// team and its key. Budgets come from the config's `budget` objects (persona, teams.<name>, key);
// they are parsed once per config snapshot into a BudgetBook.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "cost/calendar.h"
#include "cost/ledger.h"
#include "cost/rate_limiter.h"

namespace gw::cost {

struct BudgetSpec {
  std::optional<std::int64_t> hourly_nanos, daily_nanos, monthly_nanos;
  RateLimits rate;
  double alert_threshold = 0.8;
  bool has_windows() const {
    return hourly_nanos.has_value() || daily_nanos.has_value() || monthly_nanos.has_value();
  }
};

// A budget object as the schema shapes it: `hourly_usd`, `daily_usd`, `monthly_usd`,
// `cost_per_min` (USD numbers), `requests_per_min`, `tokens_per_min`, `max_concurrent`,
// `alert_threshold`.
BudgetSpec parse_budget(const boost::json::object& budget);

// The same object when it comes from outside a validated config (POST /admin/keys, `keys create
// --budget`): every problem, or nothing when it is a valid budget object.
std::vector<std::string> budget_problems(const boost::json::object& budget);

// Who pays for a request: each level that has a budget is a scope "persona:…", "team:…", "key:…".
struct Payer {
  std::string persona;
  std::string team;
  std::string key;
  // A key created at run time brings its own budget (possibly none): it is used for the key
  // level instead of the config's keys, so a stored key never inherits a config key's budget
  // through a shared name.
  const boost::json::object* stored_key_budget = nullptr;
};

struct BudgetPlan {
  std::vector<BudgetWindow> windows;               // the windows to reserve in, in lock order
  std::vector<RateScope> rates;                    // the scopes with rate limits
  std::map<std::string, double> alert_thresholds;  // scope → threshold
  bool budgeted() const { return !windows.empty(); }
};

class BudgetBook {
 public:
  BudgetBook() = default;
  BudgetBook(std::map<std::string, BudgetSpec> personas, std::map<std::string, BudgetSpec> teams,
             std::map<std::string, BudgetSpec> keys, TimeZone tz)
      : personas_(std::move(personas)),
        teams_(std::move(teams)),
        keys_(std::move(keys)),
        tz_(std::move(tz)) {}

  // The windows current at now_ms for the payer's levels, and its rate-limited scopes.
  BudgetPlan plan(const Payer& payer, std::int64_t now_ms) const;
  const TimeZone& time_zone() const { return tz_; }
  bool empty() const { return personas_.empty() && teams_.empty() && keys_.empty(); }

 private:
  std::map<std::string, BudgetSpec> personas_, teams_, keys_;
  TimeZone tz_ = TimeZone::utc();
};

}  // namespace gw::cost
