#include "api/admission.h"

#include <atomic>
#include <mutex>
#include <unordered_map>

#include "observability/gateway_metrics.h"

namespace gw {
namespace {

std::atomic<int> g_in_flight{0};

struct PersonaCounts {
  std::mutex mu;
  std::unordered_map<std::string, int> counts;
};

PersonaCounts& persona_counts() {
  static PersonaCounts p;
  return p;
}

Error overloaded(std::string_view scope, int bound) {
  gateway_metrics().shed.counter({std::string(scope)}).inc();
  Error e = Error::make(ErrorKind::gateway_unavailable,
                        std::string(scope == "global" ? "the gateway" : "this persona") +
                            " already has " + std::to_string(bound) +
                            " requests in flight; retry shortly",
                        "overloaded");
  e.retry_after = std::chrono::seconds(1);
  return e;
}

}  // namespace

InFlightTicket::InFlightTicket(InFlightTicket&& other) noexcept
    : persona_(std::move(other.persona_)), counted_persona_(other.counted_persona_) {
  other.live_ = false;
}

InFlightTicket::~InFlightTicket() {
  if (!live_) return;
  g_in_flight.fetch_sub(1, std::memory_order_relaxed);
  if (counted_persona_) {
    auto& p = persona_counts();
    std::lock_guard lock(p.mu);
    auto it = p.counts.find(persona_);
    if (it != p.counts.end() && --it->second <= 0) p.counts.erase(it);
  }
}

Result<InFlightTicket> admit_request(int global_max, const std::string& persona, int persona_max) {
  const int before = g_in_flight.fetch_add(1, std::memory_order_relaxed);
  if (global_max > 0 && before >= global_max) {
    g_in_flight.fetch_sub(1, std::memory_order_relaxed);
    return overloaded("global", global_max);
  }
  if (persona_max > 0) {
    auto& p = persona_counts();
    std::lock_guard lock(p.mu);
    int& n = p.counts[persona];
    if (n >= persona_max) {
      if (n == 0) p.counts.erase(persona);
      g_in_flight.fetch_sub(1, std::memory_order_relaxed);
      return overloaded("persona", persona_max);
    }
    ++n;
    return InFlightTicket(persona, true);
  }
  return InFlightTicket(persona, false);
}

}  // namespace gw
