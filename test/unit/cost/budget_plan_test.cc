// Budget objects from outside a validated config (stored keys) are checked field by field, and a
// stored key's own budget is the key level of its plan, never a config key's of the same name.
#include "cost/budget_plan.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace gw::cost {
namespace {

boost::json::object obj(std::string_view text) {
  return boost::json::parse(text).as_object();
}

TEST(BudgetProblems, AcceptsTheConfigShapeAndNamesEveryBadField) {
  EXPECT_TRUE(budget_problems(obj(R"({"hourly_usd": 1, "daily_usd": 2.5, "monthly_usd": 0,
      "cost_per_min": 0.1, "requests_per_min": 60, "tokens_per_min": 1000, "max_concurrent": 4,
      "alert_threshold": 0.9})"))
                  .empty());
  const auto problems = budget_problems(obj(
      R"({"daily_usd": -1, "hourly_usd": "5", "requests_per_min": 1.5, "alert_threshold": 0,
          "weekly_usd": 3})"));
  ASSERT_EQ(problems.size(), 5u);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  for (const char* field :
       {"daily_usd", "hourly_usd", "requests_per_min", "alert_threshold", "weekly_usd"}) {
    EXPECT_NE(all.find(field), std::string::npos) << field << " in:\n" << all;
  }
}

TEST(BudgetBookPlan, AStoredKeysBudgetIsItsOwn) {
  std::map<std::string, BudgetSpec> keys;
  keys["shared-name"] = parse_budget(obj(R"({"daily_usd": 100})"));
  BudgetBook book({}, {}, std::move(keys), TimeZone::utc());
  const std::int64_t now = 1'764'201'600'000;  // 2025-11-27T00:00:00Z

  const auto config_key = book.plan({"", "", "shared-name", nullptr}, now);
  ASSERT_EQ(config_key.windows.size(), 1u);
  EXPECT_EQ(config_key.windows[0].limit_nanos, 100'000'000'000);

  const auto own = obj(R"({"hourly_usd": 2, "requests_per_min": 5})");
  const auto stored = book.plan({"", "", "shared-name", &own}, now);
  ASSERT_EQ(stored.windows.size(), 1u);
  EXPECT_EQ(stored.windows[0].scope, "key:shared-name");
  EXPECT_EQ(stored.windows[0].limit_nanos, 2'000'000'000);
  ASSERT_EQ(stored.rates.size(), 1u);
  EXPECT_EQ(stored.rates[0].limits.requests_per_min, 5);

  const boost::json::object none;
  EXPECT_FALSE(book.plan({"", "", "shared-name", &none}, now).budgeted())
      << "a stored key without a budget does not inherit the config key's";
}

}  // namespace
}  // namespace gw::cost
