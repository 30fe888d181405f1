// Cost reporting without I/O: summary shape and totals, grouping, time buckets at day and month
// edges (UTC and an offset), CSV quoting, forecast arithmetic, the anomaly flag, RFC 3339 in and
// out, and alerts that fire once per window.
#include <gtest/gtest.h>

#include <thread>

#include <boost/json.hpp>

#include "cost/cost_alerts.h"
#include "cost/cost_report.h"
#include "cost/cost_time.h"

namespace gw::cost {
namespace {

namespace json = boost::json;

std::int64_t at(std::string_view rfc3339) {
  auto ms = parse_rfc3339(rfc3339, "test");
  EXPECT_TRUE(ms.ok()) << rfc3339;
  return ms.ok() ? *ms : 0;
}

CostEvent event(std::string id, std::string_view ts, std::int64_t cost_nanos,
                std::string persona = "dev", std::string provider = "openai",
                std::string model = "gpt-4o") {
  CostEvent e;
  e.request_id = std::move(id);
  e.ts_ms = at(ts);
  e.cost_nanos = cost_nanos;
  e.persona = std::move(persona);
  e.team = "core";
  e.provider = std::move(provider);
  e.model = std::move(model);
  e.input_tokens = 100;
  e.output_tokens = 20;
  e.cache_read_tokens = 5;
  e.cache_write_tokens = 1;
  e.reasoning_tokens = 3;
  return e;
}

// ---- time -----------------------------------------------------------------------------------

TEST(CostTime, Rfc3339RoundTripsAndAcceptsOffsetsAndDates) {
  EXPECT_EQ(at("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(at("2026-11-26T14:00:00Z"), 1795701600000);
  EXPECT_EQ(at("2026-11-26T16:00:00+02:00"), at("2026-11-26T14:00:00Z"));
  EXPECT_EQ(at("2026-11-26T14:00:00.250Z"), at("2026-11-26T14:00:00Z") + 250);
  EXPECT_EQ(at("2026-11-26"), at("2026-11-26T00:00:00Z"));
  EXPECT_EQ(format_rfc3339(at("2026-11-26T14:00:00Z")), "2026-11-26T14:00:00Z");
  EXPECT_EQ(format_rfc3339(at("2026-11-26T14:00:00.250Z")), "2026-11-26T14:00:00.250Z");
  EXPECT_EQ(format_rfc3339(at("2026-11-26T14:00:00Z"), -5 * kHourMs - 30 * kMinuteMs),
            "2026-11-26T08:30:00-05:30");
  for (std::string_view bad : {"", "2026-13-01", "2026-02-30", "2026-11-26T25:00:00Z",
                               "2026-11-26T14:00:00", "yesterday", "2026-11-26T14:00:00+2"}) {
    auto r = parse_rfc3339(bad, "from");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().param, "from");
    EXPECT_EQ(r.error().kind, ErrorKind::caller_invalid_request);
  }
}

TEST(CostTime, BoundariesAtAnOffsetAndAcrossYearsAndLeapDays) {
  const std::int64_t plus2 = 2 * kHourMs;
  // 23:30 UTC on Jan 31 is already Feb 1 at +02:00.
  const std::int64_t t = at("2028-01-31T23:30:00Z");
  EXPECT_EQ(floor_day(t, 0), at("2028-01-31T00:00:00Z"));
  EXPECT_EQ(floor_day(t, plus2), at("2028-02-01T00:00:00+02:00"));
  EXPECT_EQ(floor_month(t, 0), at("2028-01-01T00:00:00Z"));
  EXPECT_EQ(floor_month(t, plus2), at("2028-02-01T00:00:00+02:00"));
  EXPECT_EQ(next_month(t, plus2), at("2028-03-01T00:00:00+02:00"));
  EXPECT_EQ(next_month(at("2026-12-15T00:00:00Z"), 0), at("2027-01-01T00:00:00Z"));
  EXPECT_EQ(floor_hour(at("2026-11-26T14:59:59.999Z"), 0), at("2026-11-26T14:00:00Z"));
  EXPECT_EQ(floor_hour(at("2026-11-26T14:10:00Z"), 30 * kMinuteMs), at("2026-11-26T13:30:00Z"));
  EXPECT_EQ(floor_day(-1, 0), -kDayMs);  // before the epoch rounds down, not toward zero
}

// ---- summary --------------------------------------------------------------------------------

TEST(CostSummary, KeepsTheSeedShapeAndCountsDistinctRequests) {
  std::vector<CostEvent> events = {
      event("r1", "2026-11-26T10:00:00Z", 1'000'000),
      event("r1", "2026-11-26T10:00:01Z", 500'000),  // a second attempt of r1
      event("r2", "2026-11-26T11:00:00Z", 2'000'000, "ops", "anthropic", "claude"),
      event("r3", "2026-11-25T11:00:00Z", 7'000'000),  // before the period
  };
  events[1].attempt = 2;
  auto s = summarize(events, at("2026-11-26"), at("2026-11-27"), at("2026-11-26T12:00:00Z"));
  json::value v = to_json(s);
  const json::object& o = v.as_object();
  for (auto key : {"total_cost", "total_cost_nanos", "requests", "tokens", "by_provider",
                   "by_model", "by_persona", "by_team", "forecast", "anomaly", "period"}) {
    EXPECT_TRUE(o.contains(key)) << key;
  }
  EXPECT_EQ(o.at("total_cost_nanos").as_int64(), 3'500'000);
  EXPECT_DOUBLE_EQ(o.at("total_cost").as_double(), 0.0035);
  EXPECT_EQ(o.at("requests").as_int64(), 2);
  const json::object& tokens = o.at("tokens").as_object();
  EXPECT_EQ(tokens.at("input").as_int64(), 300);
  EXPECT_EQ(tokens.at("output").as_int64(), 60);
  EXPECT_EQ(tokens.at("reasoning").as_int64(), 9);
  EXPECT_EQ(tokens.at("total").as_int64(), 300 + 60);  // cache and reasoning are inside these
  const json::object& openai = o.at("by_provider").at("openai").as_object();
  EXPECT_EQ(openai.at("requests").as_int64(), 1);
  EXPECT_EQ(openai.at("cost_nanos").as_int64(), 1'500'000);
  EXPECT_DOUBLE_EQ(openai.at("cost").as_double(), 0.0015);
  EXPECT_EQ(openai.at("tokens").at("input").as_int64(), 200);
  EXPECT_EQ(o.at("by_model").at("anthropic/claude").at("cost_nanos").as_int64(), 2'000'000);
  EXPECT_EQ(o.at("by_persona").at("ops").at("requests").as_int64(), 1);
  EXPECT_EQ(o.at("by_team").at("core").at("requests").as_int64(), 2);
  EXPECT_EQ(o.at("period").at("from").as_string(), "2026-11-26T00:00:00Z");
}

TEST(CostSummary, PeriodRanges) {
  const std::int64_t now = at("2026-11-26T14:20:00Z");
  auto day = period_range("day", now, 0);
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(day->first, at("2026-11-26"));
  EXPECT_EQ(day->second, at("2026-11-27"));
  auto month = period_range("month", now, 0);
  ASSERT_TRUE(month.ok());
  EXPECT_EQ(month->first, at("2026-11-01"));
  EXPECT_EQ(month->second, at("2026-12-01"));
  auto hour = period_range("hour", now, 0);
  ASSERT_TRUE(hour.ok());
  EXPECT_EQ(hour->first, at("2026-11-26T14:00:00Z"));
  auto bad = period_range("week", now, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().param, "period");
}

TEST(CostSummary, ForecastIsMonthToDatePlusTheDayRateTimesTimeLeft) {
  // November has 30 days. Now: Nov 11 00:00, so 20 days are left.
  const std::int64_t now = at("2026-11-11T00:00:00Z");
  std::vector<CostEvent> events = {
      event("old", "2026-10-31T23:00:00Z", 50'000'000'000),  // last month: not in month-to-date
      event("a", "2026-11-05T00:00:00Z", 10'000'000'000),    // this month, outside the 24 h
      event("b", "2026-11-10T06:00:00Z", 1'000'000'000),     // in the last 24 h
      event("c", "2026-11-10T18:00:00Z", 1'400'000'000),     // in the last 24 h
  };
  auto s = summarize(events, 0, INT64_MAX, now);
  const Forecast& f = s.forecast;
  EXPECT_EQ(f.month_start_ms, at("2026-11-01"));
  EXPECT_EQ(f.month_end_ms, at("2026-12-01"));
  EXPECT_EQ(f.month_to_date_nanos, 12'400'000'000);
  EXPECT_EQ(f.rate_window_ms, kDayMs);
  EXPECT_EQ(f.rate_nanos_per_hour, 100'000'000);  // $2.40 / 24 h
  // $12.40 + $2.40/day × 20 days = $60.40
  EXPECT_EQ(f.projected_month_end_nanos, 60'400'000'000);
}

TEST(CostSummary, ForecastRateUsesTheTimeSinceTheFirstEventWhenShorter) {
  const std::int64_t now = at("2026-11-30T20:00:00Z");  // 4 h left in November
  std::vector<CostEvent> events = {event("a", "2026-11-30T18:00:00Z", 3'000'000'000)};
  auto s = summarize(events, 0, INT64_MAX, now);
  EXPECT_EQ(s.forecast.rate_window_ms, 2 * kHourMs);
  EXPECT_EQ(s.forecast.rate_nanos_per_hour, 1'500'000'000);
  EXPECT_EQ(s.forecast.projected_month_end_nanos, 3'000'000'000 + 4 * 1'500'000'000LL);
  // A first event a minute ago is measured over at least an hour.
  auto early = summarize({event("b", "2026-11-30T19:59:00Z", 1'000'000'000)}, 0, INT64_MAX, now);
  EXPECT_EQ(early.forecast.rate_window_ms, kHourMs);
  // No events: nothing projected.
  auto none = summarize({}, 0, INT64_MAX, now);
  EXPECT_EQ(none.forecast.projected_month_end_nanos, 0);
  EXPECT_EQ(none.forecast.rate_nanos_per_hour, 0);
}

std::vector<CostEvent> steady_day(std::int64_t per_hour_nanos) {
  std::vector<CostEvent> events;
  for (int h = 0; h < 24; ++h) {
    CostEvent e = event("h" + std::to_string(h), "2026-11-25T12:30:00Z", per_hour_nanos);
    e.ts_ms += h * kHourMs;  // Nov 25 12:30 … Nov 26 11:30
    events.push_back(e);
  }
  return events;
}

TEST(CostSummary, AnomalyFlagsAnHourAboveTheMultipleOfItsBaseline) {
  const std::int64_t now = at("2026-11-26T12:40:00Z");
  auto events = steady_day(1'000'000);  // $0.001 every hour
  events.push_back(event("now1", "2026-11-26T12:10:00Z", 2'500'000));
  auto calm = summarize(events, 0, INT64_MAX, now);
  EXPECT_EQ(calm.anomaly.baseline_nanos, 1'000'000);
  EXPECT_EQ(calm.anomaly.hourly_nanos, 2'500'000);
  EXPECT_FALSE(calm.anomaly.flag);  // 2.5× < 3×

  events.push_back(event("now2", "2026-11-26T12:20:00Z", 1'000'000));
  auto hot = summarize(events, 0, INT64_MAX, now);
  EXPECT_EQ(hot.anomaly.hourly_nanos, 3'500'000);
  EXPECT_TRUE(hot.anomaly.flag);  // 3.5× > 3×
  EXPECT_EQ(to_json(hot).at("anomaly").at("flag").as_bool(), true);

  SummaryOptions lenient;
  lenient.anomaly_multiple = 4.0;
  EXPECT_FALSE(summarize(events, 0, INT64_MAX, now, lenient).anomaly.flag);
}

TEST(CostSummary, AnomalyWithoutBaselineUsesTheFloor) {
  const std::int64_t now = at("2026-11-26T12:40:00Z");
  SummaryOptions options;
  options.anomaly_floor_nanos = 1'000'000'000;
  auto small =
      summarize({event("a", "2026-11-26T12:05:00Z", 900'000'000)}, 0, INT64_MAX, now, options);
  EXPECT_EQ(small.anomaly.baseline_nanos, 0);
  EXPECT_FALSE(small.anomaly.flag);
  auto big =
      summarize({event("a", "2026-11-26T12:05:00Z", 1'100'000'000)}, 0, INT64_MAX, now, options);
  EXPECT_TRUE(big.anomaly.flag);
}

TEST(CostSummary, AnomalyBaselineCountsOnlyTheHoursSinceTheFirstEvent) {
  // Two hours of history at $0.001/h: the baseline is $0.001/h, not $0.002 / 24.
  const std::int64_t now = at("2026-11-26T12:40:00Z");
  std::vector<CostEvent> events = {event("a", "2026-11-26T10:15:00Z", 1'000'000),
                                   event("b", "2026-11-26T11:15:00Z", 1'000'000),
                                   event("c", "2026-11-26T12:15:00Z", 2'000'000)};
  auto s = summarize(events, 0, INT64_MAX, now);
  EXPECT_EQ(s.anomaly.baseline_nanos, 1'000'000);
  EXPECT_FALSE(s.anomaly.flag);
}

TEST(CostSummary, ReadRangeCoversTheMonthAndTheLastDay) {
  const std::int64_t now = at("2026-11-01T05:00:00Z");
  auto [lo, hi] = summary_read_range(at("2026-11-01"), at("2026-11-02"), now, 0);
  EXPECT_LE(lo, now - 25 * kHourMs);
  EXPECT_EQ(hi, at("2026-11-02"));
  auto [lo2, hi2] =
      summary_read_range(at("2026-11-20"), at("2026-11-21"), at("2026-11-20T01:00:00Z"), 0);
  EXPECT_EQ(lo2, at("2026-11-01"));
  EXPECT_EQ(hi2, at("2026-11-21"));
}

// ---- report ---------------------------------------------------------------------------------

TEST(CostReport, GroupsByFieldsAndDayBucketsAtTheEdges) {
  std::vector<CostEvent> events = {
      event("a", "2026-11-26T23:59:59.999Z", 1'000, "dev", "openai", "gpt-4o"),
      event("b", "2026-11-27T00:00:00Z", 2'000, "dev", "openai", "gpt-4o"),
      event("c", "2026-11-27T10:00:00Z", 4'000, "dev", "openai", "gpt-4o"),
      event("d", "2026-11-27T11:00:00Z", 8'000, "dev", "openai", "mini"),
      event("e", "2026-11-27T12:00:00Z", 16'000, "ops", "openai", "gpt-4o"),
  };
  auto group_by = parse_group_by("persona,model");
  ASSERT_TRUE(group_by.ok());
  Report r = report(events, *group_by, Bucket::day, 0, INT64_MAX);
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0].bucket_start_ms, at("2026-11-26"));
  EXPECT_EQ(r.rows[0].cost_nanos, 1'000);
  EXPECT_EQ(r.rows[1].bucket_start_ms, at("2026-11-27"));
  EXPECT_EQ(r.rows[1].groups, (std::vector<std::string>{"dev", "gpt-4o"}));
  EXPECT_EQ(r.rows[1].requests, 2);
  EXPECT_EQ(r.rows[1].cost_nanos, 6'000);
  EXPECT_EQ(r.rows[2].groups, (std::vector<std::string>{"dev", "mini"}));
  EXPECT_EQ(r.rows[3].groups, (std::vector<std::string>{"ops", "gpt-4o"}));

  // The same events at +02:00: 23:59 UTC on the 26th is the 27th locally.
  Report local = report(events, *group_by, Bucket::day, 0, INT64_MAX, 2 * kHourMs);
  ASSERT_EQ(local.rows.size(), 3u);
  EXPECT_EQ(local.rows[0].bucket_start_ms, at("2026-11-27T00:00:00+02:00"));
  EXPECT_EQ(local.rows[0].cost_nanos, 1'000 + 2'000 + 4'000);
  EXPECT_EQ(json::value_to<std::string>(to_json(local).at("rows").at(0).at("bucket_start")),
            "2026-11-27T00:00:00+02:00");

  // Period bounds are half-open.
  Report bounded = report(events, {}, Bucket::none, at("2026-11-27"), at("2026-11-27T11:00:00Z"));
  ASSERT_EQ(bounded.rows.size(), 1u);
  EXPECT_EQ(bounded.rows[0].requests, 2);
  EXPECT_EQ(bounded.rows[0].bucket_start_ms, at("2026-11-27"));
}

TEST(CostReport, MonthAndHourBuckets) {
  std::vector<CostEvent> events = {
      event("a", "2026-01-31T23:00:00Z", 1), event("b", "2026-02-01T00:00:00Z", 2),
      event("c", "2026-02-28T23:59:59Z", 4), event("d", "2026-03-01T00:00:00Z", 8)};
  Report months = report(events, {}, Bucket::month, 0, INT64_MAX);
  ASSERT_EQ(months.rows.size(), 3u);
  EXPECT_EQ(months.rows[1].bucket_start_ms, at("2026-02-01"));
  EXPECT_EQ(months.rows[1].cost_nanos, 6);
  Report hours = report(events, {}, Bucket::hour, 0, INT64_MAX);
  EXPECT_EQ(hours.rows.size(), 4u);
}

TEST(CostReport, RejectsUnknownGroupsAndBuckets) {
  auto g = parse_group_by("persona,colour");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().param, "group_by");
  auto dup = parse_group_by("model,,model,key");
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->size(), 2u);
  auto b = parse_bucket("week");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().param, "bucket");
  EXPECT_EQ(*parse_bucket("none"), Bucket::none);
}

TEST(CostReport, CsvQuotesPerRfc4180AndPrintsExactDollars) {
  std::vector<CostEvent> events = {
      event("a", "2026-11-26T10:00:00Z", 12'345'678'901, "say \"hi\", then\r\nleave"),
      event("b", "2026-11-26T10:00:00Z", 5, "plain")};
  Report r = report(events, {GroupKey::persona}, Bucket::day, 0, INT64_MAX);
  const std::string csv = to_csv(r);
  EXPECT_EQ(csv,
            "bucket_start,persona,requests,input_tokens,output_tokens,cache_read_tokens,"
            "cache_write_tokens,reasoning_tokens,cost_usd,cost_nanos\r\n"
            "2026-11-26T00:00:00Z,plain,1,100,20,5,1,3,0.000000005,5\r\n"
            "2026-11-26T00:00:00Z,\"say \"\"hi\"\", then\r\nleave\",1,100,20,5,1,3,12.345678901,"
            "12345678901\r\n");
  json::value v = to_json(r);
  EXPECT_EQ(v.at("group_by").at(0).as_string(), "persona");
  EXPECT_EQ(v.at("bucket").as_string(), "day");
  EXPECT_TRUE(v.at("to").is_null());
  EXPECT_EQ(v.at("rows").at(1).at("cost_nanos").as_int64(), 12'345'678'901);
  EXPECT_NEAR(v.at("rows").at(1).at("cost_usd").as_double(), 12.345678901, 1e-12);
}

TEST(CostReport, UsdDecimal) {
  EXPECT_EQ(usd_decimal(0), "0.000000000");
  EXPECT_EQ(usd_decimal(1'500'000'000), "1.500000000");
  EXPECT_EQ(usd_decimal(-7), "-0.000000007");
  EXPECT_EQ(usd_decimal(INT64_MIN), "-9223372036.854775808");
}

// ---- alerts ---------------------------------------------------------------------------------

BudgetState window(std::string w, std::int64_t spent, std::int64_t limit = 1'000) {
  return BudgetState{"persona:dev", std::move(w), limit, spent, 0};
}

TEST(CostAlerts, FireOncePerWindowAtTheThresholdAndAgainAtTheLimit) {
  AlertTracker t;
  EXPECT_TRUE(t.observe(window("day:2026-11-26", 799), 0.8, 1).empty());
  auto first = t.observe(window("day:2026-11-26", 800), 0.8, 2);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].kind, "budget_threshold");
  EXPECT_EQ(first[0].scope, "persona:dev");
  EXPECT_EQ(first[0].window, "day:2026-11-26");
  EXPECT_EQ(first[0].spent_nanos, 800);
  EXPECT_EQ(first[0].limit_nanos, 1'000);
  EXPECT_DOUBLE_EQ(first[0].threshold, 0.8);
  EXPECT_TRUE(t.observe(window("day:2026-11-26", 900), 0.8, 3).empty());
  auto full = t.observe(window("day:2026-11-26", 1'000), 0.8, 4);
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0].kind, "budget_exhausted");
  EXPECT_TRUE(t.observe(window("day:2026-11-26", 1'200), 0.8, 5).empty());

  // The next day is a new window; the month window of the same scope is tracked apart.
  EXPECT_EQ(t.observe(window("day:2026-11-27", 850), 0.8, 6).size(), 1u);
  EXPECT_EQ(t.observe(window("month:2026-11", 850), 0.8, 7).size(), 1u);
  // An older window arriving late does not fire again.
  EXPECT_TRUE(t.observe(window("day:2026-11-26", 1'000), 0.8, 8).empty());
  // Bounded: one entry per (scope, window kind), however many days pass.
  for (int d = 10; d < 28; ++d) {
    (void)t.observe(window("day:2026-12-" + std::to_string(d), 900), 0.8, 9);
  }
  EXPECT_EQ(t.tracked(), 2u);
  // No limit: nothing to cross.
  EXPECT_TRUE(t.observe(window("day:2026-12-29", 10, 0), 0.8, 10).empty());
}

TEST(CostAlerts, AWindowFirstSeenPastItsLimitGetsOnlyTheExhaustedAlert) {
  AlertTracker t;
  auto alerts = t.observe(window("hour:2026-11-26T14", 2'000), 0.8, 1);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].kind, "budget_exhausted");
}

TEST(CostAlerts, ConcurrentObserversFireExactlyOnce) {
  AlertTracker t;
  std::atomic<int> fired{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int n = 0; n < 200; ++n) {
        fired += static_cast<int>(t.observe(window("day:2026-11-26", 850), 0.8, n).size());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(fired.load(), 1);
}

TEST(CostAlerts, AnomalyAlertsOncePerHourAndSerialize) {
  AlertTracker t;
  Anomaly a;
  a.flag = true;
  a.hour_start_ms = at("2026-11-26T14:00:00Z");
  a.hourly_nanos = 9'000;
  a.baseline_nanos = 1'000;
  auto first = t.observe_anomaly("persona:dev", a, 5);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].kind, "anomaly");
  EXPECT_EQ(first[0].window, "hour:2026-11-26T14:00:00Z");
  EXPECT_TRUE(t.observe_anomaly("persona:dev", a, 6).empty());
  a.hour_start_ms += kHourMs;
  EXPECT_EQ(t.observe_anomaly("persona:dev", a, 7).size(), 1u);
  a.flag = false;
  a.hour_start_ms += kHourMs;
  EXPECT_TRUE(t.observe_anomaly("persona:dev", a, 8).empty());

  json::value v = alert_json(first[0]);
  EXPECT_EQ(v.at("kind").as_string(), "anomaly");
  EXPECT_EQ(v.at("spent_nanos").as_int64(), 9'000);
  EXPECT_EQ(v.at("limit_nanos").as_int64(), 1'000);
  EXPECT_EQ(v.at("at").as_string(), "1970-01-01T00:00:00.005Z");
}

}  // namespace
}  // namespace gw::cost
