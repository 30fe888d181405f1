#include "cost/budget_plan.h"

#include <algorithm>
#include <cmath>

namespace gw::cost {
namespace {

std::optional<std::int64_t> usd_nanos(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(v->to_number<double>() * 1e9));
}

std::int64_t count(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_number()) return 0;
  return static_cast<std::int64_t>(v->to_number<double>());
}

void add_level(BudgetPlan& plan, const BudgetSpec& spec, const std::string& scope,
               std::int64_t now_ms, const TimeZone& tz) {
  const std::pair<Period, const std::optional<std::int64_t>*> periods[] = {
      {Period::hour, &spec.hourly_nanos},
      {Period::day, &spec.daily_nanos},
      {Period::month, &spec.monthly_nanos}};
  for (const auto& [period, limit] : periods) {
    if (!limit->has_value()) continue;
    CalendarWindow w = window_at(period, now_ms, tz);
    BudgetWindow bw;
    bw.scope = scope;
    bw.window = std::move(w.key);
    bw.limit_nanos = **limit;
    bw.resets_at_ms = w.end_ms;
    plan.windows.push_back(std::move(bw));
  }
  if (spec.has_windows()) plan.alert_thresholds[scope] = spec.alert_threshold;
  if (spec.rate.any()) plan.rates.push_back(RateScope{scope, spec.rate});
}

}  // namespace

BudgetSpec parse_budget(const boost::json::object& budget) {
  BudgetSpec s;
  s.hourly_nanos = usd_nanos(budget, "hourly_usd");
  s.daily_nanos = usd_nanos(budget, "daily_usd");
  s.monthly_nanos = usd_nanos(budget, "monthly_usd");
  s.rate.cost_nanos_per_min = usd_nanos(budget, "cost_per_min").value_or(0);
  s.rate.requests_per_min = count(budget, "requests_per_min");
  s.rate.tokens_per_min = count(budget, "tokens_per_min");
  s.rate.max_concurrent = count(budget, "max_concurrent");
  if (const auto* t = budget.if_contains("alert_threshold"); t && t->is_number()) {
    s.alert_threshold = t->to_number<double>();
  }
  return s;
}

std::vector<std::string> budget_problems(const boost::json::object& budget) {
  static constexpr std::string_view kUsd[] = {"hourly_usd", "daily_usd", "monthly_usd",
                                              "cost_per_min"};
  static constexpr std::string_view kCounts[] = {"requests_per_min", "tokens_per_min",
                                                 "max_concurrent"};
  std::vector<std::string> problems;
  for (const auto& [k, v] : budget) {
    const std::string_view key = k;
    const bool usd = std::find(std::begin(kUsd), std::end(kUsd), key) != std::end(kUsd);
    const bool counted =
        std::find(std::begin(kCounts), std::end(kCounts), key) != std::end(kCounts);
    if (usd) {
      if (!v.is_number() || v.to_number<double>() < 0 || v.to_number<double>() > 1e9) {
        problems.push_back(std::string(key) + " must be a number of USD from 0 to 1e9");
      }
    } else if (counted) {
      if (!(v.is_int64() || v.is_uint64()) || v.to_number<double>() < 0 ||
          v.to_number<double>() > 1e12) {
        problems.push_back(std::string(key) + " must be a whole number from 0");
      }
    } else if (key == "alert_threshold") {
      if (!v.is_number() || v.to_number<double>() <= 0 || v.to_number<double>() > 1) {
        problems.push_back("alert_threshold must be a number in (0, 1]");
      }
    } else {
      problems.push_back("unknown budget field " + std::string(key) +
                         " (hourly_usd, daily_usd, monthly_usd, cost_per_min, requests_per_min, "
                         "tokens_per_min, max_concurrent, alert_threshold)");
    }
  }
  return problems;
}

BudgetPlan BudgetBook::plan(const Payer& payer, std::int64_t now_ms) const {
  BudgetPlan plan;
  const std::pair<const std::map<std::string, BudgetSpec>*, std::pair<const char*, std::string>>
      levels[] = {{&personas_, {"persona:", payer.persona}},
                  {&teams_, {"team:", payer.team}},
                  {&keys_, {"key:", payer.key}}};
  for (const auto& [specs, who] : levels) {
    if (who.second.empty()) continue;
    if (specs == &keys_ && payer.stored_key_budget != nullptr) {
      add_level(plan, parse_budget(*payer.stored_key_budget), who.first + who.second, now_ms, tz_);
      continue;
    }
    auto it = specs->find(who.second);
    if (it == specs->end()) continue;
    add_level(plan, it->second, who.first + who.second, now_ms, tz_);
  }
  plan.windows = in_lock_order(std::move(plan.windows));
  return plan;
}

}  // namespace gw::cost
