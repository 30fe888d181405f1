// How many retries an upstream may take (RELIABILITY "Backoff, budgets and avoiding retry
// storms"): Envoy's budget — retries in flight ≤ max(budget_min, budget_percent% of active
// requests) — plus gRPC's retry throttling token bucket (10 tokens, −1 per failure, +0.1 per
// success, retries only while more than half remain), so retries stop when failures dominate and
// a dead upstream costs about one attempt per request. Not thread-safe (UpstreamHealth locks).
#pragma once

#include "spi/provider_settings.h"

namespace gw {

class RetryBudget {
 public:
  static constexpr double kMaxTokens = 10.0;
  static constexpr double kTokenRatio = 0.1;

  // True when one more retry may start now (it is then counted as in flight).
  bool try_begin_retry(const RetrySettings& settings);
  void cancel_retry() {
    if (retries_active_ > 0) --retries_active_;
  }
  void begin_attempt() { ++active_; }
  // Ends an attempt begun with begin_attempt (and try_begin_retry, when `retry`).
  // `failure`: a retryable failure (drains a token); success adds kTokenRatio.
  void end_attempt(bool retry, bool success, bool failure);

  int active() const { return active_; }
  int retries_active() const { return retries_active_; }
  double tokens() const { return tokens_; }

 private:
  int active_ = 0;
  int retries_active_ = 0;
  double tokens_ = kMaxTokens;
};

}  // namespace gw
