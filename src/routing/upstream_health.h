// Process-wide health of every upstream the gateway has called, keyed by (provider, model,
// credential index): its circuit breaker, cooling state and retry budget. Shared by all worker
// threads (one mutex per upstream, one for the map) and kept across config reloads, so a reload
// does not forget that a provider is down. Publishes breaker state and transitions as metrics and
// serves the snapshot behind GET /admin/breakers.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "routing/circuit_breaker.h"
#include "routing/retry_budget.h"
#include "spi/provider_settings.h"

namespace gw {

struct UpstreamKey {
  std::string provider;
  std::string model;
  int credential = 0;               // index: 0 = api_key, then api_keys in order
  std::uint64_t credential_id = 0;  // fingerprint of the key itself: a replaced key starts fresh
};

// One upstream's state. Every method locks; callers hold a shared_ptr for the attempt.
class UpstreamHealthEntry {
 public:
  using Clock = CircuitBreaker::Clock;

  // `model_label` is the model as metrics name it (bounded: see UpstreamHealth).
  UpstreamHealthEntry(UpstreamKey key, std::string model_label, const ProviderSettings& settings);

  const UpstreamKey& key() const { return key_; }
  void refresh(const ProviderSettings& settings);  // a reload may change thresholds

  CircuitBreaker::Admission admit(Clock::time_point now);
  bool try_begin_retry();
  void cancel_retry();
  void begin_attempt();
  // An admission that led to no attempt (attempt cap, deadline, encode error): frees its probe.
  void release(bool probe);
  // A half-open probe's stream reached its commit point: the upstream serves again.
  void probe_succeeded(Clock::time_point now);

  enum class Verdict { success, failure, rate_limited, credential_rejected, quota, neutral };
  // Ends an attempt begun with begin_attempt. `cool_until` applies to the cooling verdicts.
  void end_attempt(Clock::time_point now, Verdict verdict, bool probe, bool retry,
                   std::chrono::milliseconds ttfb, Clock::time_point cool_until = {});

  struct Snapshot {
    UpstreamKey key;
    BreakerState state;
    int consecutive_failures;
    CircuitBreaker::WindowCounts window;
    int ejections;
    std::chrono::milliseconds open_for;     // until half-open; 0 unless open
    std::chrono::milliseconds cooling_for;  // 0 unless cooling
    CoolingReason cooling_reason;
    int active;
    double retry_tokens;
  };
  Snapshot snapshot(Clock::time_point now);

 private:
  void publish();  // metrics for transitions; caller holds mu_

  bool idle();  // closed, not cooling, nothing in flight: safe to forget

  friend class UpstreamHealth;
  UpstreamKey key_;
  std::string model_label_;
  std::string credential_label_;
  std::mutex mu_;
  RetrySettings retry_;
  CircuitBreaker breaker_;
  RetryBudget budget_;
};

// At most kMaxEntries upstreams are remembered and kMaxModelLabels model names appear in metric
// labels ("other" beyond): a persona allowed "provider/*" lets callers name any model, and that
// must not grow memory or metric cardinality without bound.
class UpstreamHealth {
 public:
  static constexpr std::size_t kMaxEntries = 2048;
  static constexpr std::size_t kMaxModelLabels = 256;

  std::shared_ptr<UpstreamHealthEntry> entry(const std::string& provider, const std::string& model,
                                             int credential, std::uint64_t credential_id,
                                             const ProviderSettings& settings);
  std::vector<UpstreamHealthEntry::Snapshot> snapshot();
  // {"breakers":[...]} for GET /admin/breakers.
  std::string snapshot_json();
  // Forgets every upstream's state (DELETE /admin/breakers); returns how many there were.
  // Attempts in flight keep their entries and report into them harmlessly.
  std::size_t clear();

 private:
  std::string model_label(const std::string& model);  // caller holds mu_
  void evict_idle();                                  // caller holds mu_

  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<UpstreamHealthEntry>> entries_;
  std::unordered_set<std::string> model_labels_;
};

UpstreamHealth& upstream_health();

}  // namespace gw
