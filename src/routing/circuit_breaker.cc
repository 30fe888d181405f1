#include "routing/circuit_breaker.h"

#include <algorithm>

namespace gw {

std::string_view name(BreakerState state) {
  switch (state) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::half_open:
      return "half_open";
    case BreakerState::open:
      return "open";
  }
  return "closed";
}

std::string_view name(CoolingReason reason) {
  switch (reason) {
    case CoolingReason::none:
      return "";
    case CoolingReason::rate_limited:
      return "rate_limited";
    case CoolingReason::auth:
      return "auth";
    case CoolingReason::quota:
      return "quota";
  }
  return "";
}

std::int64_t CircuitBreaker::slot_of(Clock::time_point now) const {
  const auto width = std::max<std::int64_t>(settings_.window.count() / kBuckets, 1);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return ms / width;
}

CircuitBreaker::WindowCounts CircuitBreaker::window(Clock::time_point now) const {
  const std::int64_t current = slot_of(now);
  WindowCounts w;
  for (const auto& b : buckets_) {
    if (b.slot >= 0 && b.slot > current - kBuckets && b.slot <= current) {
      w.calls += b.calls;
      w.failures += b.failures;
    }
  }
  return w;
}

void CircuitBreaker::record(Clock::time_point now, bool failure) {
  const std::int64_t slot = slot_of(now);
  Bucket& b = buckets_[static_cast<std::size_t>(slot % kBuckets)];
  if (b.slot != slot) b = Bucket{slot, 0, 0};
  ++b.calls;
  if (failure) ++b.failures;
}

void CircuitBreaker::enter(BreakerState s) {
  state_ = s;
  if (pending_count_ < static_cast<int>(pending_.size())) {
    pending_[static_cast<std::size_t>(pending_count_++)] = s;
  }
}

void CircuitBreaker::open(Clock::time_point now, double jitter) {
  // Ejections decay: a breaker that stayed closed for a whole max_open starts over.
  if (state_ == BreakerState::closed && ejections_ > 0 && now - closed_at_ >= settings_.max_open) {
    ejections_ = 0;
  }
  ++ejections_;
  auto base = settings_.open * ejections_;
  if (base > settings_.max_open) base = settings_.max_open;
  const auto extra = std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(base.count()) * 0.1 * jitter));
  open_until_ = now + base + extra;
  probes_in_flight_ = 0;
  probe_successes_ = 0;
  enter(BreakerState::open);
}

void CircuitBreaker::close() {
  consecutive_failures_ = 0;
  probes_in_flight_ = 0;
  probe_successes_ = 0;
  buckets_ = {};
  enter(BreakerState::closed);
}

CircuitBreaker::Admission CircuitBreaker::admit(Clock::time_point now) {
  Admission a;
  if (now < cooling_until_) {
    a.reason = "cooling";
    a.cooling = cooling_reason_;
    a.retry_at = cooling_until_;
    if (state_ == BreakerState::open) a.retry_at = std::max(cooling_until_, open_until_);
    return a;
  }
  if (state_ == BreakerState::open) {
    if (now < open_until_) {
      a.reason = "circuit_open";
      a.retry_at = open_until_;
      return a;
    }
    enter(BreakerState::half_open);
    probes_in_flight_ = 0;
    probe_successes_ = 0;
  }
  if (state_ == BreakerState::half_open) {
    if (probes_in_flight_ + probe_successes_ >= settings_.half_open_probes) {
      a.reason = "circuit_open";
      a.retry_at = now + std::chrono::milliseconds(100);  // a probe is out; ask again soon
      return a;
    }
    ++probes_in_flight_;
    a.allowed = true;
    a.probe = true;
    return a;
  }
  a.allowed = true;
  return a;
}

void CircuitBreaker::on_success(Clock::time_point now, std::chrono::milliseconds ttfb, bool probe,
                                double jitter) {
  if (settings_.slow_call.count() > 0 && ttfb > settings_.slow_call) {
    on_failure(now, probe, jitter);
    return;
  }
  if (probe) {
    if (probes_in_flight_ > 0) --probes_in_flight_;
    if (state_ == BreakerState::half_open && ++probe_successes_ >= settings_.half_open_probes) {
      closed_at_ = now;
      close();
    }
    return;
  }
  consecutive_failures_ = 0;
  record(now, false);
}

void CircuitBreaker::on_failure(Clock::time_point now, bool probe, double jitter) {
  if (probe) {
    if (probes_in_flight_ > 0) --probes_in_flight_;
    if (state_ == BreakerState::half_open) open(now, jitter);
    return;
  }
  if (state_ != BreakerState::closed) return;  // a straggler from before the breaker opened
  ++consecutive_failures_;
  record(now, true);
  const WindowCounts w = window(now);
  const bool rate_tripped = w.calls >= settings_.min_calls &&
                            w.failures * 100 >= settings_.failure_rate_percent * w.calls;
  if (consecutive_failures_ >= settings_.consecutive_failures || rate_tripped) open(now, jitter);
}

void CircuitBreaker::on_neutral(bool probe) {
  if (probe && probes_in_flight_ > 0) --probes_in_flight_;
}

void CircuitBreaker::cool(Clock::time_point until, CoolingReason reason) {
  if (until > cooling_until_) {
    cooling_until_ = until;
    cooling_reason_ = reason;
  }
}

}  // namespace gw
