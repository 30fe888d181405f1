#include "routing/backoff.h"

#include <algorithm>
#include <random>

namespace gw {

std::optional<std::chrono::milliseconds> backoff_delay(const RetrySettings& settings, int retry,
                                                       std::chrono::milliseconds retry_after,
                                                       std::uint64_t draw) {
  if (retry_after > settings.max_retry_after) return std::nullopt;
  const std::int64_t base = std::max<std::int64_t>(settings.base.count(), 0);
  const std::int64_t cap = std::max<std::int64_t>(settings.cap.count(), 0);
  // base·2^n without overflow: stop doubling once past the cap.
  std::int64_t ceiling = base;
  for (int i = 0; i < retry && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  const std::int64_t jittered =
      ceiling <= 0 ? 0 : static_cast<std::int64_t>(draw % static_cast<std::uint64_t>(ceiling + 1));
  return std::chrono::milliseconds(std::max(jittered, retry_after.count()));
}

std::uint64_t random_draw() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine();
}

}  // namespace gw
