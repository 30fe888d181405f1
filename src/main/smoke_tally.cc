// Per-scenario smoke statistics and their one-line rendering.
#include "main/smoke_tally.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gw {
namespace {

std::string ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", v);
  return buf;
}

std::string percentiles(std::string_view label, const std::vector<double>& values) {
  auto p50 = percentile(values, 50);
  auto p95 = percentile(values, 95);
  if (!p50 || !p95) return std::string(label) + " n/a";
  return std::string(label) + " p50 " + ms(*p50) + " p95 " + ms(*p95);
}

}  // namespace

void SmokeTally::add(const SmokeCallResult& call) {
  ++calls;
  if (!call.error) {
    ++ok;
    latency_ms.push_back(call.latency_ms);
    if (call.ttft_ms) ttft_ms.push_back(*call.ttft_ms);
  }
  if (call.usage.present) {
    ++calls_with_usage;
    usage.present = true;
    usage.input_tokens += call.usage.input_tokens;
    usage.output_tokens += call.usage.output_tokens;
    usage.cache_read_tokens += call.usage.cache_read_tokens;
    usage.cache_write_tokens += call.usage.cache_write_tokens;
    usage.reasoning_tokens += call.usage.reasoning_tokens;
  }
}

std::optional<double> percentile(std::vector<double> values, double p) {
  if (values.empty() || p <= 0 || p > 100) return std::nullopt;
  std::sort(values.begin(), values.end());
  // Nearest rank: the smallest value with at least p% of the values at or below it.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

std::string format_tally(const SmokeTally& tally, const ModelPrice* price,
                         const std::string& price_key) {
  std::string line(name(tally.scenario));
  line.resize(7, ' ');
  line += "ok " + std::to_string(tally.ok) + "/" + std::to_string(tally.calls);
  line += "  " + percentiles("latency", tally.latency_ms);
  if (tally.scenario == SmokeScenario::stream) line += "  " + percentiles("ttft", tally.ttft_ms);
  if (!tally.usage.present) {
    line += "  tokens n/a (not reported)";
    return line;
  }
  line += "  tokens in " + std::to_string(tally.usage.input_tokens) + " out " +
          std::to_string(tally.usage.output_tokens);
  if (tally.usage.cache_read_tokens > 0) {
    line += " cached " + std::to_string(tally.usage.cache_read_tokens);
  }
  if (tally.usage.reasoning_tokens > 0) {
    line += " reasoning " + std::to_string(tally.usage.reasoning_tokens);
  }
  if (tally.calls_with_usage < tally.calls) {
    line += " (reported by " + std::to_string(tally.calls_with_usage) + " of " +
            std::to_string(tally.calls) + " calls)";
  }
  if (price == nullptr) {
    line += "  cost n/a (no list price for " + price_key + ")";
    return line;
  }
  auto cost = cost_nanos(tally.usage, *price);
  line += "  cost " + (cost ? format_usd_nanos(*cost) : "n/a (" + cost.error().message + ")");
  return line;
}

}  // namespace gw
