// A provider instance's settings as the config gives them, with secrets already resolved.
// Lives in spi/ so adapters can read it without depending on the config module.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace gw {

struct UpstreamTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds first_byte{60000};
  std::chrono::milliseconds idle{120000};  // between data-bearing reads
  std::chrono::milliseconds total{600000};
};

// Retries against this provider (routing/retry_policy): full-jitter exponential backoff, the
// provider's Retry-After as a floor, and a retry budget so a dead provider is not hammered.
struct RetrySettings {
  std::chrono::milliseconds base{250};
  std::chrono::milliseconds cap{20000};
  std::chrono::milliseconds max_retry_after{5000};  // a longer Retry-After goes to the client
  int budget_percent = 20;  // retries in flight ≤ max(budget_min, budget_percent% of active)
  int budget_min = 3;
};

// Circuit breaking per (provider, model, credential) (routing/circuit_breaker).
struct BreakerSettings {
  int consecutive_failures = 5;
  int failure_rate_percent = 50;
  std::chrono::milliseconds window{30000};
  int min_calls = 20;
  std::chrono::milliseconds open{30000};  // × ejections, capped at max_open, plus jitter
  std::chrono::milliseconds max_open{300000};
  int half_open_probes = 1;
  std::chrono::milliseconds slow_call{0};           // TTFB above this counts as a failure; 0 = off
  std::chrono::milliseconds auth_cooldown{300000};  // a rejected or exhausted credential rests
};

struct ProviderSettings {
  std::string name;      // instance name in the config ("openai", "local_vllm")
  std::string type;      // registered adapter type ("openai", "openai_compatible")
  std::string base_url;  // origin plus optional path prefix
  std::string api_key;   // resolved secret; empty when the provider needs none
  std::vector<std::string> more_api_keys;  // resolved `api_keys`: rotated on 429/401/quota
  bool credential_missing = false;         // the secret reference could not be resolved
  std::string credential_problem;  // why, without the secret ("env OPENAI_API_KEY is not set")
  UpstreamTimeouts timeouts;
  RetrySettings retry;
  BreakerSettings breaker;
  boost::json::object raw;  // the provider's whole config object, for type-specific fields
};

}  // namespace gw
