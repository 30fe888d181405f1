// What `smoke` prints per scenario: calls that passed, latency and time-to-first-token
// percentiles, the tokens the provider reported and what they cost at list price.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cost/pricing.h"
#include "main/smoke_calls.h"

namespace gw {

struct SmokeTally {
  SmokeScenario scenario = SmokeScenario::chat;
  int calls = 0;
  int ok = 0;
  std::vector<double> latency_ms;  // passed calls only
  std::vector<double> ttft_ms;     // passed stream calls only
  Usage usage;                     // summed over every call that reported usage (all are billed)
  int calls_with_usage = 0;

  void add(const SmokeCallResult& call);
};

// Nearest-rank percentile (p in (0, 100]) of `values`; nullopt when empty.
std::optional<double> percentile(std::vector<double> values, double p);

// One line: "chat    ok 3/3  latency p50 412 ms p95 530 ms  tokens in 39 out 21  cost $…".
// `price` may be null (cost n/a, naming `price_key`).
std::string format_tally(const SmokeTally& tally, const ModelPrice* price,
                         const std::string& price_key);

}  // namespace gw
