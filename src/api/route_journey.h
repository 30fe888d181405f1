// The resilience bookkeeping of one chat request as it walks its route (ADR 0007): what a
// failed attempt means for the upstream's health, which credential of a target may be tried now,
// what the request left behind and why, and the error when no upstream could even be asked.
// chat_pipeline.cc drives the walk; this file holds its state and decisions.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "api/chat_pipeline.h"
#include "api/gateway_state.h"
#include "routing/upstream_health.h"

namespace gw {

// What one attempt's failure means for the upstream that served it.
UpstreamHealthEntry::Verdict verdict_of(ErrorKind kind);

// The gateway_credential_cooling_total reason for a cooling verdict.
std::string_view cooling_metric_reason(UpstreamHealthEntry::Verdict v);

// The attempt timeouts: the provider's, with the persona's overrides.
UpstreamTimeouts attempt_timeouts(const ProviderSettings& provider, const PersonaConfig& persona);

// The request's state across attempts: what it may still spend and what it left behind.
struct Journey {
  Journey(ChatOutcome& o, std::chrono::steady_clock::time_point d, int attempts)
      : outcome(o), deadline(d), max_attempts(attempts) {}

  ChatOutcome& outcome;
  std::chrono::steady_clock::time_point deadline;
  int max_attempts;
  int retries = 0;
  int waits = 0;
  std::optional<Error> last_error;
  // Why no attempt could start on some target: the earliest moment one may, and whether it was
  // breakers (503) or cooling credentials (429).
  std::chrono::steady_clock::time_point earliest_retry =
      std::chrono::steady_clock::time_point::max();
  bool refused_cooling = false;
  bool refused_open = false;
  CoolingReason cooling = CoolingReason::none;  // the most transient reason a credential rests

  void left_behind(const RouteTarget& t, std::size_t credential, std::string_view reason,
                   bool count_fallback = true);
};

struct Pick {
  std::size_t credential = 0;
  std::shared_ptr<UpstreamHealthEntry> health;
  bool probe = false;
};

// The first credential of the target whose breaker and cooling admit an attempt now. Refused
// credentials are noted (once per request and credential) in the journey.
std::optional<Pick> pick_credential(const ProviderRuntime& rt, const RouteTarget& target,
                                    Journey& j, std::vector<std::size_t>& noted);

// The error for a request no upstream could be asked to serve: every target's breaker open or
// credential cooling. Retry-After says when the first of them may be tried again.
Error refused_everywhere(const Journey& j);

}  // namespace gw
