#include "api/route_journey.h"

#include <algorithm>

#include "observability/gateway_metrics.h"

namespace gw {

using Clock = std::chrono::steady_clock;

// What one attempt's failure means for the upstream that served it.
UpstreamHealthEntry::Verdict verdict_of(ErrorKind kind) {
  using V = UpstreamHealthEntry::Verdict;
  switch (kind) {
    case ErrorKind::provider_overloaded:
    case ErrorKind::provider_server_error:
    case ErrorKind::provider_unavailable:
    case ErrorKind::provider_timeout:
    case ErrorKind::provider_bad_response:
    case ErrorKind::provider_stream_interrupted:
      return V::failure;
    case ErrorKind::provider_rate_limited:
      return V::rate_limited;
    case ErrorKind::provider_auth:
      return V::credential_rejected;
    case ErrorKind::provider_quota_exhausted:
      return V::quota;
    default:
      return V::neutral;  // the request's own fault, or ours: says nothing about the upstream
  }
}

std::string_view cooling_metric_reason(UpstreamHealthEntry::Verdict v) {
  using V = UpstreamHealthEntry::Verdict;
  return v == V::rate_limited ? "rate_limited" : v == V::quota ? "quota" : "auth";
}

// The attempt timeouts: the provider's, with the persona's overrides.
UpstreamTimeouts attempt_timeouts(const ProviderSettings& provider, const PersonaConfig& persona) {
  UpstreamTimeouts t = provider.timeouts;
  if (persona.first_byte_timeout.count() > 0) t.first_byte = persona.first_byte_timeout;
  if (persona.idle_timeout.count() > 0) t.idle = persona.idle_timeout;
  return t;
}

void Journey::left_behind(const RouteTarget& t, std::size_t credential, std::string_view reason,
                          bool count_fallback) {
  if (!outcome.fallbacks.empty()) outcome.fallbacks += ", ";
  outcome.fallbacks += t.str();
  if (credential > 0) outcome.fallbacks += "#" + std::to_string(credential);
  outcome.fallbacks += "=";
  outcome.fallbacks += reason;
  if (count_fallback) {
    gateway_metrics().fallbacks.counter({t.provider, std::string(reason)}).inc();
  }
}

// The first credential of the target whose breaker and cooling admit an attempt now. Refused
// credentials are noted (once per request and credential) in the journey.
std::optional<Pick> pick_credential(const ProviderRuntime& rt, const RouteTarget& target,
                                    Journey& j, std::vector<std::size_t>& noted) {
  const auto now = Clock::now();
  for (std::size_t c = 0; c < rt.credentials(); ++c) {
    auto health = upstream_health().entry(target.provider, target.model, static_cast<int>(c),
                                          rt.credential_ids[c], rt.settings);
    auto admission = health->admit(now);
    if (admission.allowed) return Pick{c, std::move(health), admission.probe};
    j.earliest_retry = std::min(j.earliest_retry, admission.retry_at);
    if (admission.reason == "cooling") {
      j.refused_cooling = true;
      // A rate limit lifts soonest, so it is what the caller hears about; quota before auth.
      if (j.cooling == CoolingReason::none || admission.cooling < j.cooling) {
        j.cooling = admission.cooling;
      }
    } else {
      j.refused_open = true;
    }
    if (std::find(noted.begin(), noted.end(), c) == noted.end()) {
      noted.push_back(c);
      j.left_behind(target, c, admission.reason);
    }
  }
  return std::nullopt;
}

// The error for a request no upstream could be asked to serve: every target's breaker open or
// credential cooling. Retry-After says when the first of them may be tried again.
Error refused_everywhere(const Journey& j) {
  const auto wait =
      j.earliest_retry == Clock::time_point::max()
          ? std::chrono::milliseconds(1000)
          : std::chrono::duration_cast<std::chrono::milliseconds>(j.earliest_retry - Clock::now());
  Error e;
  if (j.refused_open || !j.refused_cooling) {
    e = Error::make(ErrorKind::provider_unavailable,
                    "every upstream for this route is failing (circuit open); retry later",
                    "circuit_open");
  } else if (j.cooling == CoolingReason::quota) {
    e = Error::make(ErrorKind::provider_quota_exhausted,
                    "the provider account's quota is exhausted for every credential of this route",
                    "insufficient_quota");
  } else if (j.cooling == CoolingReason::auth) {
    e = Error::make(ErrorKind::provider_auth,
                    "the provider rejected every credential of this route; retry later",
                    "credential_rejected");
  } else {
    e = Error::make(ErrorKind::provider_rate_limited,
                    "every credential for this route is rate limited; retry later", "cooling");
  }
  e.retry_after = std::max(wait, std::chrono::milliseconds(1000));
  gateway_metrics().shed.counter({j.refused_open ? "circuit_open" : "cooling"}).inc();
  return e;
}

}  // namespace gw
