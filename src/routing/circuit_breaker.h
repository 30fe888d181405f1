// The health of one upstream — (provider, model, credential) — as two separate signals
// (RELIABILITY "Circuit breaking"):
//   * health: 5xx/529, timeouts, resets, slow calls. Opens on N consecutive failures or a failure
//     rate over a time window with a minimum of calls; stays open base × ejections (capped, with
//     jitter); then half-open admits a few probes, which close it or re-open it.
//   * cooling: a 429 rests the credential until its Retry-After; a rejected (401/403) or exhausted
//     (quota) credential rests for auth_cooldown. Cooling is not a health failure.
// Not thread-safe: UpstreamHealth guards each breaker with its own mutex. Time is passed in, so
// every transition is unit-testable without sleeping.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "spi/provider_settings.h"

namespace gw {

enum class BreakerState : std::uint8_t { closed, half_open, open };
std::string_view name(BreakerState state);

// Ordered by how soon the rest usually ends (the pipeline reports the soonest).
enum class CoolingReason : std::uint8_t { none, rate_limited, quota, auth };
std::string_view name(CoolingReason reason);

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;

  explicit CircuitBreaker(BreakerSettings settings = {}) : settings_(settings) {}
  void configure(const BreakerSettings& settings) { settings_ = settings; }

  struct Admission {
    bool allowed = false;
    bool probe = false;                           // a half-open probe: report its outcome
    std::string_view reason;                      // when refused: "circuit_open" or "cooling"
    CoolingReason cooling = CoolingReason::none;  // when refused for cooling: why it rests
    Clock::time_point retry_at{};  // when refused: the earliest time worth asking again
  };
  // May an attempt start now? A half-open probe slot is taken when one is granted.
  Admission admit(Clock::time_point now);

  // Outcome of an admitted attempt. `jitter` is a uniform draw in [0, 1) for the open time.
  void on_success(Clock::time_point now, std::chrono::milliseconds ttfb, bool probe, double jitter);
  void on_failure(Clock::time_point now, bool probe, double jitter);
  // The attempt ended with no verdict on health (the caller's fault, a 429, the client left).
  void on_neutral(bool probe);

  void cool(Clock::time_point until, CoolingReason reason);

  BreakerState state() const { return state_; }
  CoolingReason cooling_reason(Clock::time_point now) const {
    return now < cooling_until_ ? cooling_reason_ : CoolingReason::none;
  }
  Clock::time_point open_until() const { return open_until_; }
  Clock::time_point cooling_until() const { return cooling_until_; }
  int consecutive_failures() const { return consecutive_failures_; }
  int ejections() const { return ejections_; }
  struct WindowCounts {
    int calls = 0;
    int failures = 0;
  };
  WindowCounts window(Clock::time_point now) const;

  // Transitions since the last call (for metrics): the state entered, in order.
  template <typename F>
  void drain_transitions(F&& f) {
    for (int i = 0; i < pending_count_; ++i) f(pending_[static_cast<std::size_t>(i)]);
    pending_count_ = 0;
  }

 private:
  static constexpr int kBuckets = 10;
  struct Bucket {
    std::int64_t slot = -1;  // which window slice this bucket counts
    int calls = 0;
    int failures = 0;
  };

  void record(Clock::time_point now, bool failure);
  void open(Clock::time_point now, double jitter);
  void close();
  void enter(BreakerState s);
  std::int64_t slot_of(Clock::time_point now) const;

  BreakerSettings settings_;
  BreakerState state_ = BreakerState::closed;
  int consecutive_failures_ = 0;
  int ejections_ = 0;
  Clock::time_point open_until_{};
  Clock::time_point closed_at_{};
  int probes_in_flight_ = 0;
  int probe_successes_ = 0;
  Clock::time_point cooling_until_{};
  CoolingReason cooling_reason_ = CoolingReason::none;
  std::array<Bucket, kBuckets> buckets_{};
  std::array<BreakerState, 8> pending_{};
  int pending_count_ = 0;
};

}  // namespace gw
