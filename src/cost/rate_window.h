// The sliding-window arithmetic both rate limiters share (the Redis Lua scripts restate it): the
// window is cut into buckets (1 s, or window/60 for windows under a minute so tests can use short
// windows); a bucket counts while any part of it lies within the last window_ms, so a charge is
// remembered for at least window_ms (never less: the limit is never exceeded in any window).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace gw::cost {

// A concurrency slot not released within this lease is reaped (a crashed instance cannot pin it).
inline constexpr std::int64_t kRateSlotLeaseMs = 10 * 60 * 1000;
// Retry-After for a full concurrency limit: nobody knows when a slot frees, so a fixed second.
inline constexpr std::int64_t kRateConcurrencyRetryMs = 1000;

inline constexpr std::string_view kLimitRequests = "requests_per_min";
inline constexpr std::string_view kLimitTokens = "tokens_per_min";
inline constexpr std::string_view kLimitCost = "cost_nanos_per_min";
inline constexpr std::string_view kLimitConcurrency = "max_concurrent";

inline std::int64_t rate_bucket_ms(std::int64_t window_ms) {
  if (window_ms >= 60000) return 1000;
  return std::max<std::int64_t>(1, window_ms / 60);
}

inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The oldest bucket index still inside the window at now_ms.
inline std::int64_t rate_oldest_bucket(std::int64_t now_ms, std::int64_t window_ms,
                                       std::int64_t bucket_ms) {
  return floor_div(now_ms - window_ms, bucket_ms);
}

// When bucket `index` stops counting.
inline std::int64_t rate_bucket_leaves_at(std::int64_t index, std::int64_t window_ms,
                                          std::int64_t bucket_ms) {
  return (index + 1) * bucket_ms + window_ms;
}

}  // namespace gw::cost
