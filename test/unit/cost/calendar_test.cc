#include "cost/calendar.h"

#include <gtest/gtest.h>

#include "cost/budget_plan.h"

namespace gw::cost {
namespace {

// 2026-11-26T22:30:00Z
constexpr std::int64_t kNow = 1795732200000;
constexpr std::int64_t kHour = 3600 * 1000;

TEST(Calendar, UtcWindowsAreCalendarAligned) {
  const TimeZone utc = TimeZone::utc();
  auto h = window_at(Period::hour, kNow, utc);
  EXPECT_EQ(h.key, "hour:2026-11-26T22");
  EXPECT_EQ(h.end_ms - h.start_ms, kHour);
  EXPECT_EQ(h.start_ms, kNow - 30 * 60 * 1000);
  auto d = window_at(Period::day, kNow, utc);
  EXPECT_EQ(d.key, "day:2026-11-26");
  EXPECT_EQ(d.end_ms, kNow + 90 * 60 * 1000);
  auto m = window_at(Period::month, kNow, utc);
  EXPECT_EQ(m.key, "month:2026-11");
  EXPECT_EQ(m.end_ms - m.start_ms, 30LL * 24 * kHour);
}

TEST(Calendar, ZoneMovesTheDayBoundary) {
  auto berlin = TimeZone::load("Europe/Berlin");
  ASSERT_TRUE(berlin.ok()) << berlin.error().message;
  // 22:30Z is 23:30 in Berlin (CET, +1) in November: still the 26th, ending at 23:00Z.
  EXPECT_EQ(berlin->offset_ms(kNow), kHour);
  auto d = window_at(Period::day, kNow, *berlin);
  EXPECT_EQ(d.key, "day:2026-11-26");
  EXPECT_EQ(d.end_ms, kNow + 30 * 60 * 1000);
  // An hour later it is the 27th there, and December's month window starts at 23:00Z Nov 30.
  EXPECT_EQ(window_at(Period::day, kNow + kHour, *berlin).key, "day:2026-11-27");
  auto tokyo = TimeZone::load("+09:00");
  ASSERT_TRUE(tokyo.ok());
  EXPECT_EQ(window_at(Period::day, kNow, *tokyo).key, "day:2026-11-27");
  // Summer time: 2026-07-01T12:00Z is 14:00 in Berlin (CEST, +2).
  EXPECT_EQ(berlin->offset_ms(1782907200000), 2 * kHour);
}

TEST(Calendar, UnknownZoneIsATypedError) {
  auto bad = TimeZone::load("Mars/Olympus");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "bad_timezone");
  EXPECT_FALSE(TimeZone::load("../../etc/passwd").ok());
}

TEST(BudgetPlan, LevelsWindowsAndRatesInLockOrder) {
  boost::json::object persona{{"daily_usd", 20}, {"tokens_per_min", 1000}, {"cost_per_min", 0.5}};
  boost::json::object team{{"monthly_usd", 100.25}, {"hourly_usd", 5}, {"alert_threshold", 0.5}};
  BudgetBook book({{"dev", parse_budget(persona)}}, {{"core", parse_budget(team)}}, {},
                  TimeZone::utc());
  auto plan = book.plan({"dev", "core", "k1"}, kNow);
  ASSERT_EQ(plan.windows.size(), 3u);
  EXPECT_EQ(plan.windows[0].scope, "persona:dev");
  EXPECT_EQ(plan.windows[0].limit_nanos, 20'000'000'000);
  EXPECT_EQ(plan.windows[1].scope, "team:core");
  EXPECT_EQ(plan.windows[1].window, "hour:2026-11-26T22");
  EXPECT_EQ(plan.windows[2].window, "month:2026-11");
  EXPECT_EQ(plan.windows[2].limit_nanos, 100'250'000'000);
  ASSERT_EQ(plan.rates.size(), 1u);
  EXPECT_EQ(plan.rates[0].limits.tokens_per_min, 1000);
  EXPECT_EQ(plan.rates[0].limits.cost_nanos_per_min, 500'000'000);
  EXPECT_DOUBLE_EQ(plan.alert_thresholds["team:core"], 0.5);
  EXPECT_FALSE(book.plan({"other", "", ""}, kNow).budgeted());
}

}  // namespace
}  // namespace gw::cost
