// In-process rate limiter: per scope, a sliding window of per-bucket request, token and cost sums
// plus the set of requests holding a concurrency slot, all under one mutex. Enforces the limits
// of one gateway instance only; several instances share limits through the Redis limiter.
#include <chrono>
#include <map>
#include <mutex>
#include <unordered_map>

#include "cost/rate_limiter.h"
#include "cost/rate_window.h"

namespace gw::cost {
namespace {

struct Amounts {
  std::int64_t requests = 0;
  std::int64_t tokens = 0;
  std::int64_t cost_nanos = 0;
};

struct Slot {
  std::int64_t bucket = 0;      // the bucket the request was charged in (corrected at release)
  std::int64_t expires_ms = 0;  // reaped after the lease even if never released
};

struct ScopeState {
  std::map<std::int64_t, Amounts> buckets;      // bucket index → charged in it, oldest first
  std::unordered_map<std::string, Slot> slots;  // request_id → concurrency slot
  bool empty() const { return buckets.empty() && slots.empty(); }
};

// One limit of one scope: does the ask fit, and if not, when will it?
struct Verdict {
  bool fits = true;
  std::int64_t retry_after_ms = 0;
};

std::int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class LocalRateLimiter final : public RateLimiter {
 public:
  explicit LocalRateLimiter(std::int64_t window_ms)
      : window_ms_(window_ms), bucket_ms_(rate_bucket_ms(window_ms)) {}

  Result<RateDecision> acquire(const RateAsk& ask) override;
  Status release(const RateAsk& ask, std::int64_t used_tokens, std::int64_t used_nanos,
                 std::int64_t now_ms) override;

 private:
  void age(ScopeState& state, std::int64_t now) const;
  void sweep(std::int64_t now);
  template <typename Field>
  Verdict check(const ScopeState& state, Field field, std::int64_t ask, std::int64_t limit,
                std::int64_t now) const;

  const std::int64_t window_ms_;
  const std::int64_t bucket_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, ScopeState> scopes_;
  std::int64_t last_sweep_ms_ = 0;
};

// Drops buckets that left the window and slots whose lease ran out.
void LocalRateLimiter::age(ScopeState& state, std::int64_t now) const {
  const std::int64_t oldest = rate_oldest_bucket(now, window_ms_, bucket_ms_);
  state.buckets.erase(state.buckets.begin(), state.buckets.lower_bound(oldest));
  std::erase_if(state.slots, [now](const auto& entry) { return entry.second.expires_ms <= now; });
}

// Once per window, forgets every scope with nothing left in its window: memory stays bounded by
// the scopes active in the last window.
void LocalRateLimiter::sweep(std::int64_t now) {
  if (now - last_sweep_ms_ < window_ms_) return;
  last_sweep_ms_ = now;
  for (auto it = scopes_.begin(); it != scopes_.end();) {
    age(it->second, now);
    it = it->second.empty() ? scopes_.erase(it) : std::next(it);
  }
}

template <typename Field>
Verdict LocalRateLimiter::check(const ScopeState& state, Field field, std::int64_t ask,
                                std::int64_t limit, std::int64_t now) const {
  if (limit <= 0) return {};
  std::int64_t sum = 0;
  for (const auto& [index, amounts] : state.buckets) sum += amounts.*field;
  if (std::max<std::int64_t>(sum, 0) + ask <= limit) return {};
  // Walk the buckets oldest first: the ask fits once enough of them have left the window.
  std::int64_t remaining = sum;
  for (const auto& [index, amounts] : state.buckets) {
    remaining -= amounts.*field;
    if (std::max<std::int64_t>(remaining, 0) + ask <= limit) {
      const std::int64_t wait = rate_bucket_leaves_at(index, window_ms_, bucket_ms_) - now;
      return {.fits = false, .retry_after_ms = std::max<std::int64_t>(wait, 1)};
    }
  }
  // The ask alone is larger than the limit: it never fits; a full window is the honest answer.
  return {.fits = false, .retry_after_ms = window_ms_};
}

Result<RateDecision> LocalRateLimiter::acquire(const RateAsk& ask) {
  const std::int64_t now = ask.now_ms > 0 ? ask.now_ms : wall_now_ms();
  std::lock_guard lock(mu_);
  sweep(now);
  static const ScopeState kEmpty;
  RateDecision refusal;
  // Check every limit of every scope before charging anything; report the limit that frees last.
  for (const RateScope& scope : ask.scopes) {
    if (!scope.limits.any()) continue;
    auto found = scopes_.find(scope.scope);
    const ScopeState* state = &kEmpty;
    if (found != scopes_.end()) {
      age(found->second, now);
      state = &found->second;
    }
    const RateLimits& l = scope.limits;
    auto consider = [&](Verdict v, std::string_view limit) {
      if (v.fits || v.retry_after_ms <= refusal.retry_after_ms) return;
      refusal.scope = scope.scope;
      refusal.limit = std::string(limit);
      refusal.retry_after_ms = v.retry_after_ms;
    };
    consider(check(*state, &Amounts::requests, 1, l.requests_per_min, now), kLimitRequests);
    consider(check(*state, &Amounts::tokens, ask.tokens, l.tokens_per_min, now), kLimitTokens);
    consider(check(*state, &Amounts::cost_nanos, ask.cost_nanos, l.cost_nanos_per_min, now),
             kLimitCost);
    if (l.max_concurrent > 0 && static_cast<std::int64_t>(state->slots.size()) >= l.max_concurrent)
      consider({.fits = false, .retry_after_ms = kRateConcurrencyRetryMs}, kLimitConcurrency);
  }
  if (!refusal.limit.empty()) return refusal;

  const std::int64_t bucket = floor_div(now, bucket_ms_);
  for (const RateScope& scope : ask.scopes) {
    if (!scope.limits.any()) continue;
    ScopeState& state = scopes_[scope.scope];
    Amounts& amounts = state.buckets[bucket];
    amounts.requests += 1;
    amounts.tokens += ask.tokens;
    amounts.cost_nanos += ask.cost_nanos;
    state.slots[ask.request_id] = Slot{.bucket = bucket, .expires_ms = now + kRateSlotLeaseMs};
  }
  return RateDecision{.admitted = true, .scope = {}, .limit = {}, .retry_after_ms = 0};
}

Status LocalRateLimiter::release(const RateAsk& ask, std::int64_t used_tokens,
                                 std::int64_t used_nanos, std::int64_t now_ms) {
  const std::int64_t now = now_ms > 0 ? now_ms : wall_now_ms();
  std::lock_guard lock(mu_);
  for (const RateScope& scope : ask.scopes) {
    auto found = scopes_.find(scope.scope);
    if (found == scopes_.end()) continue;
    ScopeState& state = found->second;
    age(state, now);
    auto slot = state.slots.find(ask.request_id);
    if (slot != state.slots.end()) {
      // The slot is the proof the request was charged here and not yet released: correct the
      // bucket it was charged in (if still in the window), exactly once.
      auto bucket = state.buckets.find(slot->second.bucket);
      if (bucket != state.buckets.end()) {
        bucket->second.tokens += used_tokens - ask.tokens;
        bucket->second.cost_nanos += used_nanos - ask.cost_nanos;
      }
      state.slots.erase(slot);
    }
    if (state.empty()) scopes_.erase(found);
  }
  return {};
}

}  // namespace

std::unique_ptr<RateLimiter> make_local_rate_limiter(std::int64_t window_ms) {
  return std::make_unique<LocalRateLimiter>(window_ms);
}

}  // namespace gw::cost
