// Rate limits per persona and per key: requests/min, tokens/min, cost/min and concurrency, over a
// sliding 60-second window. One interface, two implementations: in process (one instance) and
// Redis (Lua scripts, atomic, so N gateway instances enforce one global limit). acquire() is
// all-or-nothing across every scope and every limit; release() ends the request: it corrects the
// window by what the request really used and frees its concurrency slot.
//
// Thread-safe. The Redis implementation blocks on the network: call it off the I/O threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace gw::cost {

struct RateLimits {
  std::int64_t requests_per_min = 0;    // 0 = no limit
  std::int64_t tokens_per_min = 0;      // input + output tokens
  std::int64_t cost_nanos_per_min = 0;  // nano-dollars
  std::int64_t max_concurrent = 0;
  bool any() const {
    return requests_per_min > 0 || tokens_per_min > 0 || cost_nanos_per_min > 0 ||
           max_concurrent > 0;
  }
};

struct RateScope {
  std::string scope;  // "persona:backend_dev", "key:ci-bot"
  RateLimits limits;
};

struct RateAsk {
  std::string request_id;  // identifies the request's concurrency slot and its window entries
  std::vector<RateScope> scopes;
  std::int64_t tokens = 0;      // the estimate charged at admission (corrected at release)
  std::int64_t cost_nanos = 0;  // likewise
  std::int64_t now_ms = 0;
};

struct RateDecision {
  bool admitted = false;
  std::string scope;                // when refused: which scope…
  std::string limit;                // …and which limit: "requests_per_min", "tokens_per_min", …
  std::int64_t retry_after_ms = 0;  // when the window will have room again (≥ 1 s for concurrency)
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // An error (Redis unreachable, a script failure) is returned as an error: the caller answers
  // 503, never falls back to a per-instance limit.
  virtual Result<RateDecision> acquire(const RateAsk& ask) = 0;
  // The request has ended: replace its estimate by what it used; free its concurrency slot.
  // Idempotent per request_id.
  virtual Status release(const RateAsk& ask, std::int64_t used_tokens, std::int64_t used_nanos,
                         std::int64_t now_ms) = 0;
};

// In process: exact sliding window (per-second buckets), one mutex.
std::unique_ptr<RateLimiter> make_local_rate_limiter(std::int64_t window_ms = 60000);
// Redis at "redis://host:port[/db]": one Lua script per acquire/release.
Result<std::unique_ptr<RateLimiter>> make_redis_rate_limiter(std::string_view url,
                                                             std::int64_t window_ms = 60000);

}  // namespace gw::cost
