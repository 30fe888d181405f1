// The breaker's transitions on a fake clock: consecutive and rate-based opening, growing open
// time with jitter, half-open probes, cooling kept apart from health.
#include "routing/circuit_breaker.h"

#include <gtest/gtest.h>

namespace gw {
namespace {

using Clock = CircuitBreaker::Clock;
using std::chrono::milliseconds;

BreakerSettings settings() {
  BreakerSettings s;
  s.consecutive_failures = 5;
  s.failure_rate_percent = 50;
  s.window = milliseconds(30000);
  s.min_calls = 20;
  s.open = milliseconds(1000);
  s.max_open = milliseconds(3000);
  s.half_open_probes = 2;
  return s;
}

const Clock::time_point t0 = Clock::time_point(std::chrono::hours(1));

void fail(CircuitBreaker& b, Clock::time_point t, int n = 1) {
  for (int i = 0; i < n; ++i) {
    auto a = b.admit(t);
    ASSERT_TRUE(a.allowed);
    b.on_failure(t, a.probe, 0.0);
  }
}

void succeed(CircuitBreaker& b, Clock::time_point t, int n = 1) {
  for (int i = 0; i < n; ++i) {
    auto a = b.admit(t);
    ASSERT_TRUE(a.allowed);
    b.on_success(t, milliseconds(10), a.probe, 0.0);
  }
}

TEST(CircuitBreaker, OpensAfterConsecutiveFailures) {
  CircuitBreaker b(settings());
  fail(b, t0, 4);
  EXPECT_EQ(b.state(), BreakerState::closed);
  succeed(b, t0);  // a success resets the run
  fail(b, t0, 4);
  EXPECT_EQ(b.state(), BreakerState::closed);
  fail(b, t0);
  EXPECT_EQ(b.state(), BreakerState::open);
  auto a = b.admit(t0 + milliseconds(999));
  EXPECT_FALSE(a.allowed);
  EXPECT_EQ(a.reason, "circuit_open");
  EXPECT_EQ(a.retry_at, t0 + milliseconds(1000));
}

TEST(CircuitBreaker, OpensOnFailureRateOnlyPastMinimumCalls) {
  CircuitBreaker b(settings());
  // 9 failures interleaved with 9 successes: 50% but only 18 calls.
  for (int i = 0; i < 9; ++i) {
    fail(b, t0);
    succeed(b, t0);
  }
  EXPECT_EQ(b.state(), BreakerState::closed);
  succeed(b, t0);  // 19 calls, 9 failures
  fail(b, t0);     // 20 calls, 10 failures: 50%
  EXPECT_EQ(b.state(), BreakerState::open);
}

TEST(CircuitBreaker, OldFailuresLeaveTheWindow) {
  CircuitBreaker b(settings());
  for (int i = 0; i < 10; ++i) {
    succeed(b, t0);
    fail(b, t0);
  }
  ASSERT_EQ(b.state(), BreakerState::open);  // 20 calls, 50%
  CircuitBreaker c(settings());
  for (int i = 0; i < 9; ++i) {
    fail(c, t0);
    succeed(c, t0);
  }
  // 31 s later the first 18 calls are out of the 30 s window.
  const auto later = t0 + milliseconds(31000);
  fail(c, later);
  succeed(c, later);
  EXPECT_EQ(c.window(later).calls, 2);
  EXPECT_EQ(c.state(), BreakerState::closed);
}

TEST(CircuitBreaker, HalfOpenAdmitsProbesThenCloses) {
  CircuitBreaker b(settings());
  fail(b, t0, 5);
  const auto t1 = t0 + milliseconds(1000);
  auto p1 = b.admit(t1);
  auto p2 = b.admit(t1);
  auto p3 = b.admit(t1);
  EXPECT_TRUE(p1.allowed && p1.probe);
  EXPECT_TRUE(p2.allowed && p2.probe);
  EXPECT_FALSE(p3.allowed);  // only half_open_probes at a time
  EXPECT_EQ(b.state(), BreakerState::half_open);
  b.on_success(t1, milliseconds(5), true, 0.0);
  EXPECT_EQ(b.state(), BreakerState::half_open);
  b.on_success(t1, milliseconds(5), true, 0.0);
  EXPECT_EQ(b.state(), BreakerState::closed);
  std::vector<BreakerState> seen;
  b.drain_transitions([&](BreakerState s) { seen.push_back(s); });
  EXPECT_EQ(seen, (std::vector<BreakerState>{BreakerState::open, BreakerState::half_open,
                                             BreakerState::closed}));
}

TEST(CircuitBreaker, FailedProbeReopensForLongerCappedWithJitter) {
  CircuitBreaker b(settings());
  fail(b, t0, 5);
  auto t = t0 + milliseconds(1000);
  auto probe = b.admit(t);
  ASSERT_TRUE(probe.probe);
  b.on_failure(t, true, 0.0);
  EXPECT_EQ(b.state(), BreakerState::open);
  EXPECT_EQ(b.ejections(), 2);
  EXPECT_EQ(b.open_until(), t + milliseconds(2000));  // base × 2
  t = b.open_until();
  probe = b.admit(t);
  b.on_failure(t, true, 0.0);
  t = b.open_until();
  probe = b.admit(t);
  b.on_failure(t, true, 0.999);
  // base × 4 = 4000 capped at 3000, plus up to 10% jitter.
  EXPECT_GT(b.open_until(), t + milliseconds(3000));
  EXPECT_LE(b.open_until(), t + milliseconds(3300));
}

TEST(CircuitBreaker, ProbeWithoutVerdictFreesItsSlot) {
  CircuitBreaker b(settings());
  fail(b, t0, 5);
  const auto t1 = t0 + milliseconds(1000);
  auto p1 = b.admit(t1);
  auto p2 = b.admit(t1);
  ASSERT_TRUE(p1.probe && p2.probe);
  EXPECT_FALSE(b.admit(t1).allowed);
  b.on_neutral(true);
  EXPECT_TRUE(b.admit(t1).allowed);
}

TEST(CircuitBreaker, CoolingIsNotAHealthFailure) {
  CircuitBreaker b(settings());
  for (int i = 0; i < 10; ++i) {
    auto a = b.admit(t0);
    b.on_neutral(a.probe);
  }
  b.cool(t0 + milliseconds(20000), CoolingReason::rate_limited);
  auto a = b.admit(t0 + milliseconds(100));
  EXPECT_FALSE(a.allowed);
  EXPECT_EQ(a.reason, "cooling");
  EXPECT_EQ(a.retry_at, t0 + milliseconds(20000));
  EXPECT_EQ(b.state(), BreakerState::closed);
  EXPECT_EQ(b.cooling_reason(t0), CoolingReason::rate_limited);
  EXPECT_TRUE(b.admit(t0 + milliseconds(20000)).allowed);
  EXPECT_EQ(b.cooling_reason(t0 + milliseconds(20000)), CoolingReason::none);
}

TEST(CircuitBreaker, SlowCallsCountAsFailures) {
  BreakerSettings s = settings();
  s.slow_call = milliseconds(500);
  CircuitBreaker b(s);
  for (int i = 0; i < 5; ++i) {
    auto a = b.admit(t0);
    b.on_success(t0, milliseconds(900), a.probe, 0.0);
  }
  EXPECT_EQ(b.state(), BreakerState::open);
}

TEST(CircuitBreaker, EjectionsDecayAfterALongHealthyStretch) {
  CircuitBreaker b(settings());
  fail(b, t0, 5);
  auto t = t0 + milliseconds(1000);
  succeed(b, t, 2);  // two probes close it
  ASSERT_EQ(b.state(), BreakerState::closed);
  ASSERT_EQ(b.ejections(), 1);
  fail(b, t + milliseconds(10000), 5);  // well past max_open: starts over
  EXPECT_EQ(b.ejections(), 1);
}

}  // namespace
}  // namespace gw
