// A chat request's money, from admission to settlement (RELIABILITY "Budget design"):
//   admit()   — the rate limits of its persona and key (sliding minute, concurrency), the
//               request charged its most expensive candidate target's maximum cost against
//               cost_per_min until finish() corrects it to what it used;
//   reserve() — before each upstream attempt, the attempt's maximum cost in every budget window
//               that applies, all or nothing; a request without max_tokens gets the output its
//               budget affords (the clamp is sent upstream); an unpriced model fails closed;
//   meter()   — while streaming, output is counted as it arrives; when its cost reaches the
//               reservation, or the request's use reaches what admission charged tokens_per_min
//               or cost_per_min, the stream is cut;
//   settle()  — exactly once per (ledger key, attempt): the provider's usage priced (the metered
//               count when usage is missing), written with the release of the reservation before
//               the client sees the end of the response;
//   finish()  — the rate-limit estimate is corrected and the concurrency slot freed.
// Without a ledger nothing is reserved or recorded; without budgets nothing is reserved but every
// attempt is still recorded as a cost event.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "api/gateway_state.h"
#include "common/result.h"
#include "cost/budget_plan.h"
#include "model/chat.h"

namespace gw {

namespace cost {
class LedgerService;
class RateLimiter;
}  // namespace cost

struct CostDeps {
  cost::LedgerService* ledger = nullptr;
  cost::RateLimiter* limiter = nullptr;
  bool limiter_blocks = false;  // Redis: call it off the I/O thread
};

// The request's ids: the one the client and the logs know it by, and the gateway's own, which
// keys its rate-limit slot, reservations and events (ledger_key_for).
struct RequestIds {
  std::string request_id;
  std::string ledger_key;
};

struct CostParty {
  std::string persona, team, project, key_name;
  // A key created at run time: its own budget object (empty: none). It outlives the request,
  // held by the request's Identity. Null for a key from the config.
  const boost::json::object* stored_key_budget = nullptr;
};

// Why meter() stops a stream: the attempt's reservation is used up (a budget), or the request
// has used what admission charged its minute's tokens_per_min / cost_per_min (a rate limit).
enum class MeterStop { none, budget, rate_limit };

class RequestCost {
 public:
  RequestCost(const GatewayState& state, CostDeps deps, RequestIds ids, CostParty party,
              const ChatRequest& request);
  RequestCost(const RequestCost&) = delete;
  RequestCost& operator=(const RequestCost&) = delete;

  // `targets`: the route's candidates (primary and fallbacks), priced for cost_per_min.
  boost::asio::awaitable<Status> admit(const std::vector<RouteTarget>& targets);

  // The attempt's reservation. Sets *max_tokens when the budget or a tokens_per_min /
  // cost_per_min limit clamps the output (the caller sends that upstream instead of the client's
  // absent max_tokens).
  boost::asio::awaitable<Status> reserve(int attempt, const ProviderRuntime& provider,
                                         const RouteTarget& target,
                                         std::chrono::milliseconds deadline,
                                         std::optional<std::int64_t>& max_tokens);

  // Counts a streamed event's output; says why the stream must stop here when the next event
  // could take the attempt past its reservation or the request past its admitted rate charge.
  MeterStop meter(const StreamEvent& event);

  // While a budgeted stream runs: every kCheckpointTokens of output or kCheckpointEvery, the
  // metered cost goes to the attempt's reservation, so a crash is settled at it (not at the
  // whole reservation). Fire and forget: the stream never waits for it.
  void checkpoint_if_due();

  // Writes the attempt's cost event (once; later calls do nothing). `usage` may be absent
  // (present = false): then the metered output and the estimated input are charged.
  boost::asio::awaitable<void> settle(const Usage& usage, std::string_view outcome);

  boost::asio::awaitable<void> finish();

  bool budgeted() const { return plan_.budgeted(); }
  // The attempt's use as metered: the input estimate and the output counted so far.
  Usage metered_usage() const {
    Usage u;
    u.input_tokens = input_estimate_;
    u.output_tokens = metered_output_;
    u.present = true;
    return u;
  }

 private:
  // Who and what an attempt's reservation or event is for.
  template <typename Record>
  void attribute(Record& r) const {
    r.persona = party_.persona;
    r.team = party_.team;
    r.project = party_.project;
    r.key_name = party_.key_name;
    r.provider = provider_;
    r.model = model_;
  }
  boost::asio::awaitable<Status> rate_call(bool acquire);
  // What admission charges cost_per_min: the most any candidate attempt can cost.
  Result<std::int64_t> rate_cost_ask(const std::vector<RouteTarget>& targets) const;
  // What admission charges tokens_per_min: the input estimate and the output asked for.
  std::int64_t rate_tokens_ask() const;
  boost::asio::awaitable<void> raise_alerts(const std::vector<cost::BudgetState>& charged);
  std::int64_t price_usage(const Usage& usage) const;

  const GatewayState& state_;
  CostDeps deps_;
  RequestIds ids_;
  CostParty party_;
  std::optional<std::int64_t> max_tokens_;  // the client's
  cost::BudgetPlan plan_;
  std::int64_t input_estimate_ = 0;
  bool rate_held_ = false;
  std::int64_t rate_cost_nanos_ = 0;  // the cost charged at admission (0: no cost_per_min)
  std::int64_t rate_tokens_ = 0;      // the tokens charged at admission (0: no tokens_per_min)
  std::int64_t used_tokens_ = 0;
  std::int64_t used_nanos_ = 0;

  // The attempt in progress.
  int attempt_ = 0;
  bool open_ = false;  // an attempt awaits settlement
  const ModelPrice* price_ = nullptr;
  std::string provider_, model_;
  std::int64_t reserved_nanos_ = 0;  // 0 when nothing was reserved
  bool held_reservation_ = false;    // this attempt's reservation was admitted
  std::int64_t metered_output_ = 0;
  std::int64_t metered_nanos_ = 0;
  std::int64_t largest_event_ = 0;  // the most output tokens one streamed event carried
  std::int64_t checkpointed_output_ = 0;
  std::chrono::steady_clock::time_point checkpointed_at_{};
};

}  // namespace gw
