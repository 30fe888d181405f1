// How long to wait before retrying an upstream: full-jitter exponential backoff (gRPC A6:
// uniform in [0, min(cap, base·2^n)]) with the provider's Retry-After as a floor. Pure, so the
// distribution is testable; callers pass the random draw.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "spi/provider_settings.h"

namespace gw {

// `retry` counts retries already made on this request (0 for the first). `draw` is a uniform
// 64-bit random number. nullopt when the provider asked for a longer wait than
// settings.max_retry_after allows (then fall back or fail fast; never sleep that long).
std::optional<std::chrono::milliseconds> backoff_delay(const RetrySettings& settings, int retry,
                                                       std::chrono::milliseconds retry_after,
                                                       std::uint64_t draw);

// A uniform 64-bit draw from this thread's generator (seeded once per thread from the OS).
std::uint64_t random_draw();

}  // namespace gw
