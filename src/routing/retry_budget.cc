#include "routing/retry_budget.h"

#include <algorithm>

namespace gw {

bool RetryBudget::try_begin_retry(const RetrySettings& settings) {
  if (tokens_ <= kMaxTokens / 2) return false;
  const int allowed = std::max(settings.budget_min, active_ * settings.budget_percent / 100);
  if (retries_active_ >= allowed) return false;
  ++retries_active_;
  return true;
}

void RetryBudget::end_attempt(bool retry, bool success, bool failure) {
  if (active_ > 0) --active_;
  if (retry && retries_active_ > 0) --retries_active_;
  if (success) tokens_ = std::min(kMaxTokens, tokens_ + kTokenRatio);
  if (failure) tokens_ = std::max(0.0, tokens_ - 1.0);
}

}  // namespace gw
