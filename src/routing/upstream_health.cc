#include "routing/upstream_health.h"

#include <algorithm>

#include "common/json_text.h"
#include "observability/gateway_metrics.h"
#include "routing/backoff.h"

namespace gw {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

double jitter_draw() {
  return static_cast<double>(random_draw() >> 11) / static_cast<double>(1ULL << 53);
}

std::int64_t gauge_value(BreakerState s) {
  switch (s) {
    case BreakerState::closed:
      return 0;
    case BreakerState::half_open:
      return 1;
    case BreakerState::open:
      return 2;
  }
  return 0;
}

milliseconds remaining(CircuitBreaker::Clock::time_point until,
                       CircuitBreaker::Clock::time_point now) {
  return until > now ? duration_cast<milliseconds>(until - now) : milliseconds(0);
}

}  // namespace

UpstreamHealthEntry::UpstreamHealthEntry(UpstreamKey key, std::string model_label,
                                         const ProviderSettings& settings)
    : key_(std::move(key)),
      model_label_(std::move(model_label)),
      credential_label_(std::to_string(key_.credential)),
      retry_(settings.retry),
      breaker_(settings.breaker) {
  gateway_metrics().breaker_state.gauge({key_.provider, model_label_, credential_label_}).set(0);
}

bool UpstreamHealthEntry::idle() {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  return breaker_.state() == BreakerState::closed &&
         breaker_.cooling_reason(now) == CoolingReason::none && budget_.active() == 0 &&
         budget_.retries_active() == 0 && breaker_.consecutive_failures() == 0;
}

void UpstreamHealthEntry::refresh(const ProviderSettings& settings) {
  std::lock_guard lock(mu_);
  retry_ = settings.retry;
  breaker_.configure(settings.breaker);
}

void UpstreamHealthEntry::publish() {
  auto& m = gateway_metrics();
  bool changed = false;
  breaker_.drain_transitions([&](BreakerState to) {
    m.breaker_transitions.counter({key_.provider, model_label_, std::string(name(to))}).inc();
    changed = true;
  });
  if (changed) {
    m.breaker_state.gauge({key_.provider, model_label_, credential_label_})
        .set(gauge_value(breaker_.state()));
  }
}

CircuitBreaker::Admission UpstreamHealthEntry::admit(Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto a = breaker_.admit(now);
  publish();
  return a;
}

bool UpstreamHealthEntry::try_begin_retry() {
  std::lock_guard lock(mu_);
  return budget_.try_begin_retry(retry_);
}

void UpstreamHealthEntry::cancel_retry() {
  std::lock_guard lock(mu_);
  budget_.cancel_retry();
}

void UpstreamHealthEntry::begin_attempt() {
  std::lock_guard lock(mu_);
  budget_.begin_attempt();
}

void UpstreamHealthEntry::release(bool probe) {
  std::lock_guard lock(mu_);
  breaker_.on_neutral(probe);
}

void UpstreamHealthEntry::probe_succeeded(Clock::time_point now) {
  std::lock_guard lock(mu_);
  breaker_.on_success(now, milliseconds(0), true, jitter_draw());
  publish();
}

void UpstreamHealthEntry::end_attempt(Clock::time_point now, Verdict verdict, bool probe,
                                      bool retry, milliseconds ttfb, Clock::time_point cool_until) {
  std::lock_guard lock(mu_);
  const bool success = verdict == Verdict::success;
  // Rate limits drain retry tokens too (gRPC throttling counts every retryable failure), but
  // they are not a health failure.
  const bool drains = verdict == Verdict::failure || verdict == Verdict::rate_limited;
  budget_.end_attempt(retry, success, drains);
  switch (verdict) {
    case Verdict::success:
      breaker_.on_success(now, ttfb, probe, jitter_draw());
      break;
    case Verdict::failure:
      breaker_.on_failure(now, probe, jitter_draw());
      break;
    case Verdict::rate_limited:
      breaker_.on_neutral(probe);
      breaker_.cool(cool_until, CoolingReason::rate_limited);
      break;
    case Verdict::credential_rejected:
      breaker_.on_neutral(probe);
      breaker_.cool(cool_until, CoolingReason::auth);
      break;
    case Verdict::quota:
      breaker_.on_neutral(probe);
      breaker_.cool(cool_until, CoolingReason::quota);
      break;
    case Verdict::neutral:
      breaker_.on_neutral(probe);
      break;
  }
  publish();
}

UpstreamHealthEntry::Snapshot UpstreamHealthEntry::snapshot(Clock::time_point now) {
  std::lock_guard lock(mu_);
  Snapshot s{key_,
             breaker_.state(),
             breaker_.consecutive_failures(),
             breaker_.window(now),
             breaker_.ejections(),
             breaker_.state() == BreakerState::open ? remaining(breaker_.open_until(), now)
                                                    : milliseconds(0),
             remaining(breaker_.cooling_until(), now),
             breaker_.cooling_reason(now),
             budget_.active(),
             budget_.tokens()};
  return s;
}

std::string UpstreamHealth::model_label(const std::string& model) {
  if (model_labels_.count(model) != 0) return model;
  if (model_labels_.size() >= kMaxModelLabels) return "other";
  model_labels_.insert(model);
  return model;
}

void UpstreamHealth::evict_idle() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    // An entry someone still holds may be in use; only forget the ones nobody references.
    if (it->second.use_count() == 1 && it->second->idle()) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

std::shared_ptr<UpstreamHealthEntry> UpstreamHealth::entry(const std::string& provider,
                                                           const std::string& model, int credential,
                                                           std::uint64_t credential_id,
                                                           const ProviderSettings& settings) {
  std::string key;
  key.reserve(provider.size() + model.size() + 32);
  key.append(provider).push_back('\0');
  key.append(model).push_back('\0');
  key.append(std::to_string(credential)).push_back('\0');
  key.append(std::to_string(credential_id));
  std::shared_ptr<UpstreamHealthEntry> found;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      if (entries_.size() >= kMaxEntries) evict_idle();
      auto made = std::make_shared<UpstreamHealthEntry>(
          UpstreamKey{provider, model, credential, credential_id}, model_label(model), settings);
      // Still full of upstreams in trouble: serve this one without remembering it.
      if (entries_.size() < kMaxEntries) entries_.emplace(std::move(key), made);
      return made;
    }
    found = it->second;
  }
  found->refresh(settings);
  return found;
}

std::vector<UpstreamHealthEntry::Snapshot> UpstreamHealth::snapshot() {
  std::vector<std::shared_ptr<UpstreamHealthEntry>> entries;
  {
    std::lock_guard lock(mu_);
    entries.reserve(entries_.size());
    for (const auto& [key, e] : entries_) entries.push_back(e);
  }
  const auto now = CircuitBreaker::Clock::now();
  std::vector<UpstreamHealthEntry::Snapshot> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back(e->snapshot(now));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    if (a.key.provider != b.key.provider) return a.key.provider < b.key.provider;
    if (a.key.model != b.key.model) return a.key.model < b.key.model;
    return a.key.credential < b.key.credential;
  });
  return out;
}

std::string UpstreamHealth::snapshot_json() {
  std::string out = R"({"breakers":[)";
  bool first = true;
  for (const auto& s : snapshot()) {
    if (!first) out.push_back(',');
    first = false;
    out += R"({"provider":")";
    json_escape_append(out, s.key.provider);
    out += R"(","model":")";
    json_escape_append(out, s.key.model);
    out += R"(","credential":")" + std::to_string(s.key.credential);
    out += R"(","state":")" + std::string(name(s.state));
    out += R"(","consecutive_failures":)" + std::to_string(s.consecutive_failures);
    out += R"(,"window_calls":)" + std::to_string(s.window.calls);
    out += R"(,"window_failures":)" + std::to_string(s.window.failures);
    out += R"(,"ejections":)" + std::to_string(s.ejections);
    out += R"(,"open_until_ms":)" + std::to_string(s.open_for.count());
    out += R"(,"cooling_until_ms":)" + std::to_string(s.cooling_for.count());
    out += R"(,"cooling_reason":")" + std::string(name(s.cooling_reason));
    out += R"(","active":)" + std::to_string(s.active);
    out += R"(,"retry_tokens":)" + std::to_string(s.retry_tokens);
    out += "}";
  }
  out += "]}";
  return out;
}

std::size_t UpstreamHealth::clear() {
  std::lock_guard lock(mu_);
  const std::size_t n = entries_.size();
  for (const auto& [key, e] : entries_) {
    gateway_metrics()
        .breaker_state.gauge({e->key_.provider, e->model_label_, e->credential_label_})
        .set(0);
  }
  entries_.clear();
  return n;
}

UpstreamHealth& upstream_health() {
  static UpstreamHealth health;
  return health;
}

}  // namespace gw
