// Full-jitter backoff with Retry-After as a floor, and the retry budget (share of active
// requests plus the token bucket) that keeps a dead upstream at about one attempt per request.
#include <random>

#include <gtest/gtest.h>

#include "routing/backoff.h"
#include "routing/retry_budget.h"

namespace gw {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, FullJitterWithinExponentialCeiling) {
  RetrySettings s;  // base 250, cap 20000
  std::mt19937_64 rng(7);
  for (int retry = 0; retry < 10; ++retry) {
    const std::int64_t ceiling = std::min<std::int64_t>(250LL << retry, 20000);
    std::int64_t lo = ceiling;
    std::int64_t hi = 0;
    for (int i = 0; i < 2000; ++i) {
      auto d = backoff_delay(s, retry, milliseconds(0), rng());
      ASSERT_TRUE(d.has_value());
      lo = std::min(lo, d->count());
      hi = std::max(hi, d->count());
      ASSERT_LE(d->count(), ceiling);
    }
    // Spread over the whole range (full jitter, not equal jitter).
    EXPECT_LT(lo, ceiling / 10) << "retry " << retry;
    EXPECT_GT(hi, ceiling * 9 / 10) << "retry " << retry;
  }
}

TEST(Backoff, RetryAfterIsAFloorAndTooLongIsRefused) {
  RetrySettings s;
  s.max_retry_after = milliseconds(30000);
  for (std::uint64_t draw : {0ULL, 123456789ULL, ~0ULL}) {
    auto d = backoff_delay(s, 0, milliseconds(20000), draw);
    ASSERT_TRUE(d.has_value());
    EXPECT_GE(d->count(), 20000);
  }
  EXPECT_FALSE(backoff_delay(s, 0, milliseconds(30001), 0).has_value());
}

TEST(Backoff, HugeRetryCountDoesNotOverflow) {
  RetrySettings s;
  auto d = backoff_delay(s, 1000, milliseconds(0), ~0ULL);
  ASSERT_TRUE(d.has_value());
  EXPECT_LE(d->count(), s.cap.count());
}

TEST(RetryBudget, ShareOfActiveRequestsWithAMinimum) {
  RetrySettings s;  // 20%, min 3
  RetryBudget b;
  for (int i = 0; i < 50; ++i) b.begin_attempt();
  int granted = 0;
  while (b.try_begin_retry(s)) ++granted;
  EXPECT_EQ(granted, 10);  // 20% of 50
  RetryBudget small;
  small.begin_attempt();
  granted = 0;
  while (small.try_begin_retry(s)) ++granted;
  EXPECT_EQ(granted, 3);  // the minimum
}

TEST(RetryBudget, TokenBucketStopsRetriesWhenFailuresDominate) {
  RetrySettings s;
  s.budget_min = 1000;  // only the bucket limits here
  RetryBudget b;
  for (int i = 0; i < 5; ++i) {
    b.begin_attempt();
    b.end_attempt(false, false, true);
  }
  EXPECT_FALSE(b.try_begin_retry(s));  // 5 tokens left: not more than half
  // Successes refill slowly: 0.1 each.
  for (int i = 0; i < 11; ++i) {
    b.begin_attempt();
    b.end_attempt(false, true, false);
  }
  EXPECT_TRUE(b.try_begin_retry(s));
}

// A dead upstream: every attempt fails. Requests arrive 100 at a time; each may retry once if the
// budget allows. Upstream attempts per request stay near 1.
TEST(RetryBudget, DeadUpstreamCostsAboutOneAttemptPerRequest) {
  RetrySettings s;
  RetryBudget b;
  int attempts = 0;
  const int requests = 1000;
  for (int wave = 0; wave < requests / 100; ++wave) {
    for (int i = 0; i < 100; ++i) b.begin_attempt();
    attempts += 100;
    int retries = 0;
    for (int i = 0; i < 100; ++i) {
      b.end_attempt(false, false, true);
      if (b.try_begin_retry(s)) ++retries;
    }
    for (int i = 0; i < retries; ++i) {
      b.begin_attempt();
      ++attempts;
      b.end_attempt(true, false, true);
    }
  }
  EXPECT_LE(static_cast<double>(attempts) / requests, 1.2);
}

}  // namespace
}  // namespace gw
