// Process-wide health of every upstream the gateway has called, keyed by (provider, model,
// credential index): its circuit breaker, cooling state and retry budget. Shared by all worker
// threads (one mutex per upstream, one for the map) and kept across config reloads, so a reload
// does not forget that a provider is down. Publishes breaker state and transitions as metrics and
// serves the snapshot behind GET /admin/breakers.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "routing/circuit_breaker.h"
#include "routing/retry_budget.h"
#include "spi/provider_settings.h"

namespace gw {

struct UpstreamKey {
  std::string provider;
  std::string model;
  int credential = 0;
};

// One upstream's state. Every method locks; callers hold a shared_ptr for the attempt.
class UpstreamHealthEntry {
 public:
  using Clock = CircuitBreaker::Clock;

  UpstreamHealthEntry(UpstreamKey key, const ProviderSettings& settings);

  const UpstreamKey& key() const { return key_; }
  void refresh(const ProviderSettings& settings);  // a reload may change thresholds

  CircuitBreaker::Admission admit(Clock::time_point now);
  bool try_begin_retry();
  void cancel_retry();
  void begin_attempt();
  // An admission that led to no attempt (attempt cap, deadline, encode error): frees its probe.
  void release(bool probe);

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

  UpstreamKey key_;
  std::string credential_label_;
  std::mutex mu_;
  RetrySettings retry_;
  CircuitBreaker breaker_;
  RetryBudget budget_;
};

class UpstreamHealth {
 public:
  std::shared_ptr<UpstreamHealthEntry> entry(const std::string& provider, const std::string& model,
                                             int credential, const ProviderSettings& settings);
  std::vector<UpstreamHealthEntry::Snapshot> snapshot();
  // {"breakers":[...]} for GET /admin/breakers.
  std::string snapshot_json();
  // Forgets every upstream's state (DELETE /admin/breakers); returns how many there were.
  // Attempts in flight keep their entries and report into them harmlessly.
  std::size_t clear();

 private:
  std::mutex mu_;
  std::vector<std::shared_ptr<UpstreamHealthEntry>> entries_;  // few: personas × targets × keys
};

UpstreamHealth& upstream_health();

}  // namespace gw
