// Load shedding at the door (RELIABILITY "Load shedding"): bounded chat requests in flight,
// globally and per persona. Over a bound the request is refused at once with 503 and
// Retry-After instead of queueing, so an overload or a slow provider cannot pile up work.
#pragma once

#include <optional>
#include <string>

#include "common/error.h"
#include "common/result.h"

namespace gw {

class InFlightTicket {
 public:
  InFlightTicket(std::string persona, bool counted_persona)
      : persona_(std::move(persona)), counted_persona_(counted_persona) {}
  InFlightTicket(InFlightTicket&& other) noexcept;
  InFlightTicket& operator=(InFlightTicket&&) = delete;
  InFlightTicket(const InFlightTicket&) = delete;
  ~InFlightTicket();

 private:
  std::string persona_;
  bool counted_persona_ = false;
  bool live_ = true;
};

// Takes a slot for one chat request. `global_max`/`persona_max` of 0 mean unbounded. Refusals
// are gateway_unavailable (503) with code "overloaded" and a 1 s Retry-After, counted in
// gateway_shed_total{scope="global"|"persona"}.
Result<InFlightTicket> admit_request(int global_max, const std::string& persona, int persona_max);

}  // namespace gw
