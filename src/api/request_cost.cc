#include "api/request_cost.h"

#include <algorithm>
#include <atomic>

#include <boost/asio.hpp>

#include "api/alert_webhook.h"
#include "api/blocking_work.h"
#include "api/ledger_await.h"
#include "cost/cost_alerts.h"
#include "cost/cost_report.h"
#include "cost/ledger_service.h"
#include "cost/rate_limiter.h"
#include "observability/gateway_metrics.h"
#include "observability/log.h"

namespace gw {

namespace asio = boost::asio;

namespace {

// Output asked for when the client gives no max_tokens: the reservation takes up to this much,
// less when the budget has less left, and is refused below kMinOutput.
constexpr std::int64_t kAskOutput = 4096;
constexpr std::int64_t kMinOutput = 16;
// A reservation outlives its request's deadline by this much before the sweeper settles it.
constexpr std::int64_t kReservationGraceMs = 60'000;
// How often a budgeted stream checkpoints its metered cost: whichever comes first.
constexpr std::int64_t kCheckpointTokens = 256;
constexpr std::chrono::seconds kCheckpointEvery{2};

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// An upper-leaning estimate of the prompt's tokens: a token is rarely under three bytes of text,
// plus a few for each message's framing.
std::int64_t estimate_input_tokens(const ChatRequest& r) {
  std::size_t bytes = 0;
  auto blocks = [&](const std::vector<ContentBlock>& content) {
    for (const auto& b : content) bytes += b.text.size() + b.arguments.size() + b.data.size() / 4;
  };
  blocks(r.system);
  for (const auto& m : r.messages) blocks(m.content);
  for (const auto& t : r.tools) bytes += t.name.size() + t.description.size() + 64;
  return static_cast<std::int64_t>(bytes / 3) + 4 * static_cast<std::int64_t>(r.messages.size()) +
         16;
}

// Bytes of model output an event carries, metered as tokens (at least one per event: streams
// send about a token per delta).
std::int64_t event_tokens(const StreamEvent& e) {
  switch (e.type) {
    case StreamEvent::Type::text_delta:
    case StreamEvent::Type::reasoning_delta:
    case StreamEvent::Type::tool_call_delta:
      return std::max<std::int64_t>(1, static_cast<std::int64_t>((e.text.size() + 3) / 4));
    case StreamEvent::Type::tool_call_start:
      return 1 + static_cast<std::int64_t>(e.name.size() / 4);
    default:
      return 0;
  }
}

Error ledger_down(const Error& cause) {
  Error e = Error::make(ErrorKind::gateway_unavailable,
                        "the cost ledger is unavailable; budgeted requests are refused until it "
                        "is back (" +
                            cause.message + ")",
                        "ledger_unavailable");
  e.retry_after = std::chrono::milliseconds(1000);
  return e;
}

Error refused(Error e) {
  gateway_metrics().cost_refusals.counter({e.code}).inc();
  return e;
}

void count_op(const char* op, const char* result) {
  gateway_metrics().ledger_operations.counter({op, result}).inc();
}

cost::AlertTracker& alert_tracker() {
  static cost::AlertTracker tracker;
  return tracker;
}

// Anomaly checks read a day of events: at most one a minute per process.
std::atomic<std::int64_t> g_next_anomaly_check_ms{0};

}  // namespace

// After a settlement, when a webhook is configured: a budget that crossed its alert threshold
// (or ran out) and an hourly rate far above its baseline each post one alert. The budgets are
// judged on the windows as the settlement left them (`charged`, from the ledger's transaction):
// no read per request.
asio::awaitable<void> RequestCost::raise_alerts(const std::vector<cost::BudgetState>& charged) {
  const Config& config = *state_.config;
  if (config.cost.alert_webhook.empty() || deps_.ledger == nullptr) co_return;
  auto executor = co_await asio::this_coro::executor;
  const std::int64_t now = wall_ms();
  for (const auto& [scope, threshold] : plan_.alert_thresholds) {
    for (const auto& st : charged) {
      if (st.scope != scope) continue;
      for (auto& alert : alert_tracker().observe(st, threshold, now)) {
        post_alert(executor, config.cost.alert_webhook, std::move(alert));
      }
    }
  }
  std::int64_t due = g_next_anomaly_check_ms.load();
  if (now < due || !g_next_anomaly_check_ms.compare_exchange_strong(due, now + 60'000)) co_return;
  cost::EventFilter filter;
  filter.from_ms = now - 25 * 3'600'000LL;
  filter.persona = party_.persona;
  auto events = co_await ledger_events(*deps_.ledger, filter);
  if (!events) co_return;
  cost::SummaryOptions options;
  options.utc_offset_ms = state_.budgets.time_zone().offset_ms(now);
  options.anomaly_multiple = config.cost.anomaly_multiple;
  const cost::Summary summary = cost::summarize(*events, filter.from_ms, now + 1, now, options);
  for (auto& alert :
       alert_tracker().observe_anomaly("persona:" + party_.persona, summary.anomaly, now)) {
    post_alert(executor, config.cost.alert_webhook, std::move(alert));
  }
}

RequestCost::RequestCost(const GatewayState& state, CostDeps deps, RequestIds ids, CostParty party,
                         const ChatRequest& request)
    : state_(state),
      deps_(deps),
      ids_(std::move(ids)),
      party_(std::move(party)),
      max_tokens_(request.max_tokens) {
  plan_ = state_.budgets.plan(
      {party_.persona, party_.team, party_.key_name, party_.stored_key_budget}, wall_ms());
  input_estimate_ = estimate_input_tokens(request);
}

asio::awaitable<Status> RequestCost::rate_call(bool acquire) {
  cost::RateAsk ask;
  ask.request_id = ids_.ledger_key;
  ask.scopes = plan_.rates;
  ask.tokens = rate_tokens_ask();
  ask.cost_nanos = rate_cost_nanos_;
  ask.now_ms = wall_ms();
  auto work = [&]() -> Status {
    if (acquire) {
      auto decision = deps_.limiter->acquire(ask);
      if (!decision) {
        Error e = Error::make(ErrorKind::gateway_unavailable,
                              "the rate-limit store is unavailable; rate-limited requests are "
                              "refused until it is back",
                              "rate_store_unavailable");
        e.retry_after = std::chrono::milliseconds(1000);
        return refused(e);
      }
      if (!decision->admitted) {
        Error e =
            Error::make(ErrorKind::policy_rate_limited,
                        decision->scope + ": " + decision->limit + " reached", "rate_limited");
        e.retry_after =
            std::chrono::milliseconds(std::max<std::int64_t>(decision->retry_after_ms, 1));
        return refused(e);
      }
      rate_held_ = true;
      return Status{};
    }
    Status released = deps_.limiter->release(ask, used_tokens_, used_nanos_, ask.now_ms);
    if (!released) {
      GW_LOG_WARN("request {}: rate limit release failed: {}", ids_.request_id,
                  released.error().message);
    }
    return Status{};
  };
  Status result;
  if (deps_.limiter_blocks) {
    co_await run_blocking([&] { result = work(); });  // Redis: a network round trip
  } else {
    result = work();
  }
  co_return result;
}

Result<std::int64_t> RequestCost::rate_cost_ask(const std::vector<RouteTarget>& targets) const {
  std::int64_t most = 0;
  for (const RouteTarget& t : targets) {
    const ProviderRuntime* rt = state_.provider(t.provider);
    const ModelPrice* price = rt != nullptr ? state_.price(*rt, t.model) : nullptr;
    if (price == nullptr) {
      const std::int64_t cap = state_.config->cost.unpriced_cap_nanos;
      if (cap <= 0) {
        return refused(Error::make(ErrorKind::policy_budget_exceeded,
                                   t.str() +
                                       " has no price, so its cost cannot be held to cost_per_min; "
                                       "add it to cost.pricing or set cost.unpriced_cap_usd",
                                   "unpriced_model"));
      }
      most = std::max(most, cap);
      continue;
    }
    auto c = max_cost_nanos(input_estimate_, max_tokens_.value_or(kAskOutput), *price);
    if (!c) return c.error();
    most = std::max(most, *c);
  }
  return most;
}

asio::awaitable<Status> RequestCost::admit(const std::vector<RouteTarget>& targets) {
  if (deps_.limiter == nullptr || plan_.rates.empty()) co_return Status{};
  const bool limits_cost = std::any_of(plan_.rates.begin(), plan_.rates.end(), [](const auto& r) {
    return r.limits.cost_nanos_per_min > 0;
  });
  if (limits_cost) {
    auto ask = rate_cost_ask(targets);
    if (!ask) co_return ask.error();
    rate_cost_nanos_ = *ask;
  }
  Status s = co_await rate_call(true);
  const bool limits_tokens = std::any_of(plan_.rates.begin(), plan_.rates.end(),
                                         [](const auto& r) { return r.limits.tokens_per_min > 0; });
  if (s && limits_tokens) rate_tokens_ = rate_tokens_ask();
  co_return s;
}

asio::awaitable<Status> RequestCost::reserve(int attempt, const ProviderRuntime& provider,
                                             const RouteTarget& target,
                                             std::chrono::milliseconds deadline,
                                             std::optional<std::int64_t>& max_tokens) {
  attempt_ = attempt;
  open_ = true;
  provider_ = target.provider;
  model_ = target.model;
  price_ = state_.price(provider, target.model);
  reserved_nanos_ = 0;
  held_reservation_ = false;
  metered_output_ = 0;
  metered_nanos_ = 0;
  largest_event_ = 0;
  checkpointed_output_ = 0;
  checkpointed_at_ = std::chrono::steady_clock::now();
  // Admission charged the minute's limits for kAskOutput when the client set no max_tokens: the
  // provider is asked for no more (a budget below may ask for less).
  if (!max_tokens_ && (rate_tokens_ > 0 || rate_cost_nanos_ > 0)) max_tokens = kAskOutput;
  if (deps_.ledger == nullptr || !plan_.budgeted()) co_return Status{};

  cost::Reservation r;
  r.request_id = ids_.request_id;
  r.ledger_key = ids_.ledger_key;
  r.attempt = attempt;
  r.windows = plan_.windows;
  r.created_ms = wall_ms();
  r.expires_ms = r.created_ms + deadline.count() + kReservationGraceMs;
  attribute(r);
  if (price_ == nullptr) {
    const std::int64_t cap = state_.config->cost.unpriced_cap_nanos;
    if (cap <= 0) {
      Error e = Error::make(ErrorKind::policy_budget_exceeded,
                            target.str() +
                                " has no price, so its cost cannot be held to the budget; add it "
                                "to cost.pricing or set cost.unpriced_cap_usd",
                            "unpriced_model");
      e.retry = RetryClass::fallback_only;
      open_ = false;
      co_return refused(e);
    }
    r.amount_nanos = cap;
  } else if (max_tokens_) {
    auto amount = max_cost_nanos(input_estimate_, *max_tokens_, *price_);
    if (!amount) co_return amount.error();
    r.amount_nanos = *amount;
  } else {
    auto ask = max_cost_nanos(input_estimate_, kAskOutput, *price_);
    auto least = max_cost_nanos(input_estimate_, kMinOutput, *price_);
    if (!ask || !least) co_return Error::make(ErrorKind::gateway_internal, "cost overflow");
    r.amount_nanos = *ask;
    r.min_amount_nanos = std::max<std::int64_t>(*least, 1);
  }
  const bool flexible = r.min_amount_nanos > 0;
  auto reserved = co_await ledger_reserve(*deps_.ledger, r);
  if (!reserved) {
    open_ = false;
    co_return refused(ledger_down(reserved.error()));
  }
  count_op("reserve", reserved->admitted ? "admitted" : "refused");
  if (!reserved->admitted) {
    open_ = false;
    const cost::BudgetWindow& w = reserved->refused;
    Error e = Error::make(ErrorKind::policy_budget_exceeded,
                          "budget exceeded: " + w.scope + " " + w.window + " (limit " +
                              format_usd_nanos(w.limit_nanos) + ") has no room for this request",
                          "budget_exceeded");
    for (const auto& pw : plan_.windows) {
      if (pw.scope == w.scope && pw.window == w.window) {
        e.retry_after =
            std::chrono::milliseconds(std::max<std::int64_t>(pw.resets_at_ms - wall_ms(), 1000));
      }
    }
    co_return refused(e);
  }
  reserved_nanos_ = reserved->amount_nanos;
  held_reservation_ = true;
  if (flexible && price_ != nullptr) {
    // The largest output the granted amount covers.
    std::int64_t lo = kMinOutput, hi = kAskOutput;
    while (lo < hi) {
      const std::int64_t mid = (lo + hi + 1) / 2;
      auto c = max_cost_nanos(input_estimate_, mid, *price_);
      if (c && *c <= reserved_nanos_) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    max_tokens = lo;
  }
  co_return Status{};
}

MeterStop RequestCost::meter(const StreamEvent& event) {
  const std::int64_t tokens = event_tokens(event);
  if (tokens == 0) return MeterStop::none;
  metered_output_ += tokens;
  largest_event_ = std::max(largest_event_, tokens);
  // Each check stops before the next event (taken to be as large as the largest so far) could
  // go past what is held: the attempt's reservation, then the request's admitted rate charges
  // (earlier attempts' use counts against those).
  Usage u;
  u.input_tokens = input_estimate_;
  u.output_tokens = metered_output_;
  Usage next = u;
  next.output_tokens += largest_event_;
  const auto after = price_ != nullptr ? cost_nanos(next, *price_) : Result<std::int64_t>(0);
  if (reserved_nanos_ > 0 && price_ != nullptr) {
    auto c = cost_nanos(u, *price_);
    metered_nanos_ = c ? *c : reserved_nanos_;
    if (!after || *after > reserved_nanos_) return MeterStop::budget;
  }
  if (rate_tokens_ > 0 && used_tokens_ + next.input_tokens + next.output_tokens > rate_tokens_) {
    return MeterStop::rate_limit;
  }
  if (rate_cost_nanos_ > 0 && price_ != nullptr &&
      (!after || used_nanos_ + *after > rate_cost_nanos_)) {
    return MeterStop::rate_limit;
  }
  return MeterStop::none;
}

void RequestCost::checkpoint_if_due() {
  if (!held_reservation_ || deps_.ledger == nullptr || metered_nanos_ == 0) return;
  if (metered_output_ == checkpointed_output_) return;
  const auto now = std::chrono::steady_clock::now();
  if (metered_output_ - checkpointed_output_ < kCheckpointTokens &&
      now - checkpointed_at_ < kCheckpointEvery) {
    return;
  }
  checkpointed_output_ = metered_output_;
  checkpointed_at_ = now;
  const bool queued = deps_.ledger->checkpoint({ids_.ledger_key, attempt_, metered_nanos_});
  count_op("checkpoint", queued ? "queued" : "refused");
}

std::int64_t RequestCost::rate_tokens_ask() const {
  // Without max_tokens the output is counted at the most a request is then asked for (reserve()
  // sends that upstream), until release() replaces the estimate with the real usage.
  return input_estimate_ + max_tokens_.value_or(kAskOutput);
}

std::int64_t RequestCost::price_usage(const Usage& usage) const {
  if (price_ == nullptr) return reserved_nanos_;  // unpriced under a cap: charged the cap
  auto c = cost_nanos(usage, *price_);
  return c ? *c : reserved_nanos_;
}

asio::awaitable<void> RequestCost::settle(const Usage& usage, std::string_view outcome) {
  if (!open_) co_return;
  open_ = false;
  cost::CostEvent e;
  e.request_id = ids_.request_id;
  e.ledger_key = ids_.ledger_key;
  e.attempt = attempt_;
  e.ts_ms = wall_ms();
  attribute(e);
  e.outcome = std::string(outcome);
  e.price_version = price_ != nullptr ? price_->version() : "unpriced";
  e.held_reservation = held_reservation_;
  Usage charged = usage;
  if (usage.present) {
    e.settlement_reason = "usage";
  } else if (metered_output_ > 0 || outcome == "ok") {
    // Never $0 for an attempt that produced tokens: the metered output and estimated input.
    charged.input_tokens = input_estimate_;
    charged.output_tokens = metered_output_;
    e.settlement_reason = "metered";
  } else {
    e.settlement_reason = "no_output";  // failed before producing anything: nothing billed
  }
  e.input_tokens = charged.input_tokens;
  e.output_tokens = charged.output_tokens;
  e.cache_read_tokens = charged.cache_read_tokens;
  e.cache_write_tokens = charged.cache_write_tokens;
  e.reasoning_tokens = charged.reasoning_tokens;
  e.cost_nanos = e.settlement_reason == "no_output" ? 0 : price_usage(charged);
  if (price_ == nullptr && reserved_nanos_ == 0) e.cost_nanos = 0;  // unbudgeted and unpriced
  used_tokens_ += e.input_tokens + e.output_tokens;
  used_nanos_ += e.cost_nanos;
  if (deps_.ledger == nullptr) co_return;
  // Retried with the same (ledger key, attempt): a settlement that did commit before its
  // acknowledgement was lost inserts nothing the second time.
  auto executor = co_await asio::this_coro::executor;
  std::chrono::milliseconds pause{100};
  std::vector<cost::BudgetState> windows;  // the budget windows as this settlement left them
  for (int tries = 1;; ++tries) {
    auto settled = co_await ledger_settle(*deps_.ledger, e);
    if (settled) {
      count_op("settle", settled->recorded ? "recorded" : "duplicate");
      if (settled->recorded && e.cost_nanos > 0) {
        gateway_metrics()
            .spend_nanos.counter({provider_})
            .inc(static_cast<std::uint64_t>(e.cost_nanos));
      }
      windows = std::move(settled->charged);
      break;
    }
    count_op("settle", "error");
    if (tries == 4) {
      // The reservation stays open; the sweeper settles it at its reserved amount.
      GW_LOG_ERROR("request {}: attempt {} could not be settled: {}", ids_.request_id, attempt_,
                   settled.error().message);
      co_return;
    }
    asio::steady_timer timer(executor, pause);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    pause *= 2;
  }
  co_await raise_alerts(windows);
}

asio::awaitable<void> RequestCost::finish() {
  if (!rate_held_) co_return;
  rate_held_ = false;
  co_await rate_call(false);
}

}  // namespace gw
