#include "api/chat_pipeline.h"

#include <algorithm>
#include <chrono>
#include <set>

#include <boost/asio.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>

#include "api/chat_attempt.h"
#include "api/request_cost.h"
#include "api/route_journey.h"
#include "http/upstream_client.h"
#include "observability/gateway_metrics.h"
#include "observability/log.h"
#include "providers/model_capabilities.h"
#include "routing/backoff.h"
#include "routing/router.h"
#include "routing/upstream_health.h"
#include "wire/tool_schema/tool_schema.h"

namespace gw {

namespace asio = boost::asio;
using chat::Attempt;
using chat::AttemptResult;
using chat::ClientWatch;
using chat::Clock;
using chat::drain_error;
using chat::scrub;

namespace {

// The chats running on this worker thread, so the drain deadline can cut them (each worker's
// io_context is single-threaded; no lock needed).
thread_local std::set<ClientWatch*> t_active_chats;

struct ActiveChat {
  explicit ActiveChat(ClientWatch* w) : watch(w) { t_active_chats.insert(w); }
  ~ActiveChat() { t_active_chats.erase(watch); }
  ClientWatch* watch;
};

asio::awaitable<void> watch_client(http::ResponseWriter& writer,
                                   std::shared_ptr<ClientWatch> watch) {
  bool closed = co_await writer.client_closed();
  if (!closed) co_return;
  watch->gone = true;
  watch->interrupt();
}

// True when a provider of `provider_type` speaks the wire format of the client's dialect.
bool same_wire_format(std::string_view dialect, std::string_view provider_type) {
  if (dialect == "openai") {
    return provider_type == "openai" || provider_type == "mock" ||
           provider_type == "openai_compatible" || provider_type == "azure_openai";
  }
  return dialect == provider_type;
}

}  // namespace

void cut_chats_for_drain() {
  for (ClientWatch* w : t_active_chats) {
    w->draining = true;
    w->interrupt();
  }
}

asio::awaitable<void> send_error(http::ResponseWriter& writer, const Dialect& dialect,
                                 const Error& error, const std::string& request_id,
                                 ChatOutcome* outcome) {
  int status = http_status(error.kind);
  HeaderList headers;
  headers.emplace_back("content-type", "application/json");
  headers.emplace_back("x-request-id", request_id);
  headers.emplace_back("x-gateway-error-kind", std::string(name(error.kind)));
  if (error.retry_after.count() > 0 || status == 429 || status == 503) {
    auto secs = (error.retry_after.count() + 999) / 1000;
    if (secs <= 0) secs = 1;
    headers.emplace_back("retry-after", std::to_string(secs));
  }
  if (outcome) {
    outcome->status = status;
    outcome->error_kind = std::string(name(error.kind));
    if (outcome->attempts > 0) {
      headers.emplace_back("x-gateway-attempts", std::to_string(outcome->attempts));
    }
    if (!outcome->fallbacks.empty())
      headers.emplace_back("x-gateway-fallbacks", outcome->fallbacks);
  }
  gateway_metrics().errors.counter({std::string(name(error.kind))}).inc();
  std::string body = dialect.encode_error(error);
  co_await writer.send(status, std::move(headers), std::move(body));
}

asio::awaitable<void> run_chat(ChatCall call) {
  ChatOutcome& outcome = *call.outcome;
  const GatewayState& state = *call.state;
  const PersonaConfig& persona = *call.identity.persona;
  outcome.stream = call.request.stream;
  const auto started = Clock::now();

  auto needs = needed_capabilities(call.request);
  auto plan = plan_route(
      persona, call.request.model, needs,
      [&](const RouteTarget& t) -> std::optional<Capabilities> {
        const ProviderRuntime* rt = state.provider(t.provider);
        if (rt == nullptr || !rt->adapter) return std::nullopt;
        return model_capabilities(*rt->adapter, t.model);
      },
      call.request.max_tokens.value_or(0));
  if (!plan) {
    co_await send_error(*call.writer, *call.dialect, plan.error(), call.request_id, &outcome);
    co_return;
  }
  // Rate limits: cost_per_min is charged what the dearest candidate could cost.
  if (call.cost != nullptr) {
    Status admitted = co_await call.cost->admit(plan->targets);
    if (!admitted) {
      co_await send_error(*call.writer, *call.dialect, admitted.error(), call.request_id, &outcome);
      co_return;
    }
  }

  // The deadline covers every attempt, retry wait and fallback of this request.
  std::chrono::milliseconds total = persona.total_timeout;
  if (total.count() <= 0) {
    const ProviderRuntime* primary = state.provider(plan->targets.front().provider);
    total = primary != nullptr ? primary->settings.timeouts.total : UpstreamTimeouts{}.total;
  }
  Journey j{outcome, started + total, std::max(persona.max_attempts, 1)};
  for (const auto& skipped : plan->skipped) j.left_behind(skipped.target, 0, skipped.reason);

  auto watch = std::make_shared<ClientWatch>();
  ActiveChat active(watch.get());
  auto executor = co_await asio::this_coro::executor;
  asio::co_spawn(executor, watch_client(*call.writer, watch),
                 asio::bind_cancellation_slot(watch->stop.slot(), asio::detached));

  EncodeContext ctx;
  ctx.request_id = call.request_id;
  ctx.now = std::chrono::system_clock::now();
  const auto& targets = plan->targets;
  bool served = false;
  bool retry_pending = false;  // the next attempt is a retry counted in the retry budget
  std::shared_ptr<UpstreamHealthEntry> retry_owner;  // whose budget granted it
  std::size_t ti = 0;
  std::vector<std::size_t> noted;           // credentials of targets[ti] already named as refused
  std::optional<ErrorKind> last_kind_here;  // last failure on targets[ti]

  // Waits out a backoff before trying targets[ti] again; false when the request should stop.
  auto wait_before_retry = [&](UpstreamHealthEntry& owner, const Error& err,
                               std::chrono::milliseconds floor) -> asio::awaitable<bool> {
    // No slot held twice: a wait that follows an unused wait gives the first slot back.
    if (retry_pending && retry_owner) retry_owner->cancel_retry();
    retry_pending = false;
    if (outcome.attempts >= j.max_attempts) co_return false;
    const ProviderRuntime* rt = state.provider(targets[ti].provider);
    auto delay = backoff_delay(rt->settings.retry, j.retries, std::max(err.retry_after, floor),
                               random_draw());
    if (!delay || Clock::now() + *delay >= j.deadline || j.waits >= j.max_attempts) co_return false;
    if (!owner.try_begin_retry()) {
      gateway_metrics().retry_budget_exhausted.counter({targets[ti].provider}).inc();
      co_return false;
    }
    ++j.waits;
    ++j.retries;
    gateway_metrics().retries.counter({targets[ti].provider, std::string(name(err.kind))}).inc();
    asio::steady_timer timer(executor, *delay);
    watch->backoff = &timer;
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    watch->backoff = nullptr;
    if (watch->gone || watch->draining) {
      owner.cancel_retry();
      co_return false;
    }
    co_return true;
  };

  while (ti < targets.size() && !watch->gone && !watch->draining) {
    const RouteTarget& target = targets[ti];
    const ProviderRuntime* rt = state.provider(target.provider);
    auto next_target = [&] {
      ++ti;
      noted.clear();
      last_kind_here.reset();
    };
    if (rt == nullptr || !rt->adapter) {
      next_target();
      continue;
    }
    if (!rt->unavailable.empty()) {
      Error e =
          Error::make(ErrorKind::provider_unavailable, rt->unavailable, "provider_not_configured");
      e.retry = RetryClass::fallback_only;
      j.left_behind(target, 0, "not_configured");
      j.last_error = std::move(e);
      next_target();
      continue;
    }
    auto pick = pick_credential(*rt, target, j, noted);
    if (!pick) {
      // Our own 429 cooled the last credential of the last target: wait it out if it is short.
      const bool last = ti + 1 == targets.size();
      if (last && j.last_error && last_kind_here == ErrorKind::provider_rate_limited &&
          retry_owner) {
        const auto floor =
            std::chrono::duration_cast<std::chrono::milliseconds>(j.earliest_retry - Clock::now());
        bool again = co_await wait_before_retry(*retry_owner, *j.last_error, floor);
        if (again) {
          retry_pending = true;
          j.earliest_retry = Clock::time_point::max();
          continue;
        }
      }
      next_target();
      continue;
    }
    if (outcome.attempts >= j.max_attempts) {
      if (retry_pending && retry_owner) retry_owner->cancel_retry();
      pick->health->release(pick->probe);
      break;
    }
    if (Clock::now() >= j.deadline) {
      if (retry_pending && retry_owner) retry_owner->cancel_retry();
      pick->health->release(pick->probe);
      Error e =
          Error::make(ErrorKind::provider_timeout,
                      "the request deadline of " + std::to_string(total.count()) +
                          " ms passed after " + std::to_string(outcome.attempts) + " attempts",
                      "deadline_exceeded");
      j.last_error = std::move(e);
      break;
    }
    const Provider& adapter = rt->credential(pick->credential);
    // Tools compiled to what this provider accepts (names, schema flavour); a tool set it
    // cannot express may still suit the next target.
    tool_schema::ToolNameMap names;
    auto compiled = tool_schema::compile_request(call.request, adapter.capabilities().tools, names);
    if (!compiled) {
      pick->health->release(pick->probe);
      j.last_error = std::move(compiled).error();
      j.last_error->retry = RetryClass::fallback_only;
      j.left_behind(target, 0, "tool_schema");
      next_target();
      continue;
    }
    const ChatRequest* request = compiled->has_value() ? &**compiled : &call.request;
    // Dialect-only parameters (`extra`: top_k, logprobs, metadata, …) mean something only to a
    // provider of the client's own wire format; anywhere else they would be rejected.
    std::optional<ChatRequest> without_extra;
    std::optional<ChatRequest> clamped;  // max_tokens budget / rate limits allow, if none set
    if (!request->extra.empty() && !same_wire_format(call.dialect->name(), adapter.type())) {
      without_extra = *request;
      without_extra->extra = {};
      request = &*without_extra;
    }
    if (call.cost != nullptr) {
      std::optional<std::int64_t> clamp;
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(j.deadline - Clock::now());
      Status held = co_await call.cost->reserve(outcome.attempts + 1, *rt, target, left, clamp);
      if (!held) {
        pick->health->release(pick->probe);
        j.last_error = std::move(held).error();
        if (j.last_error->retry != RetryClass::fallback_only) break;
        j.left_behind(target, 0, j.last_error->code);
        next_target();
        continue;
      }
      if (clamp) {
        clamped = *request;
        clamped->max_tokens = clamp;
        request = &*clamped;
      }
    }
    auto encoded = adapter.encode(*request, target.model, ctx);
    if (!encoded && call.cost != nullptr) co_await call.cost->settle(Usage{}, "encode_failed");
    if (!encoded) {
      pick->health->release(pick->probe);
      j.last_error = std::move(encoded).error();
      if (j.last_error->retry == RetryClass::never) break;
      j.left_behind(target, 0, name(j.last_error->kind));
      next_target();
      continue;
    }
    ++outcome.attempts;
    outcome.provider = target.provider;
    outcome.model = target.model;
    Attempt attempt;
    attempt.provider = rt;
    attempt.adapter = &adapter;
    attempt.target = &target;
    attempt.upstream = std::move(encoded).value();
    attempt.names = &names;
    attempt.timeouts = attempt_timeouts(rt->settings, persona);
    attempt.deadline = j.deadline;
    attempt.keepalive = state.config->server.stream_keepalive;
    attempt.health = pick->health.get();
    attempt.probe = pick->probe;
    attempt.cost = call.cost;
    const bool is_retry = retry_pending && retry_owner == pick->health;
    if (retry_pending && !is_retry && retry_owner) retry_owner->cancel_retry();
    retry_pending = false;
    retry_owner.reset();
    pick->health->begin_attempt();
    // GCC 12: no co_await inside ?: or if-conditions (miscompiled); await into named locals.
    AttemptResult r;
    if (call.request.stream) {
      r = co_await chat::attempt_stream(call, attempt, *watch);
    } else {
      r = co_await chat::attempt_unary(call, attempt, *watch);
    }
    const auto ended = Clock::now();
    const auto ttfb = std::chrono::milliseconds(static_cast<std::int64_t>(outcome.ttfb_ms));
    if (r.ok()) {
      served = true;
      if (call.cost != nullptr) {  // settled inside unless the client left before the stream
        co_await call.cost->settle(outcome.usage, outcome.client_gone ? "client_gone" : "ok");
      }
      const ErrorKind* broke =
          attempt.failed_after_commit ? &*attempt.failed_after_commit : nullptr;
      const auto verdict = broke ? verdict_of(*broke) : UpstreamHealthEntry::Verdict::success;
      // attempt.probe is false once the commit point already judged the probe.
      pick->health->end_attempt(ended, verdict, attempt.probe, is_retry, ttfb);
      gateway_metrics()
          .upstream_attempts.counter({target.provider, broke ? std::string(name(*broke)) : "ok"})
          .inc();
      j.last_error.reset();
      break;
    }
    Error err = watch->draining ? drain_error() : std::move(r).error();
    scrub(err, *rt);
    if (call.cost != nullptr) co_await call.cost->settle(Usage{}, name(err.kind));
    gateway_metrics()
        .upstream_attempts.counter({target.provider, std::string(name(err.kind))})
        .inc();
    // Not the upstream's fault: the client left, or the request's own deadline (shortened by
    // earlier attempts and waits) cut the attempt.
    const bool own_deadline = err.kind == ErrorKind::provider_timeout &&
                              ended + std::chrono::milliseconds(50) >= j.deadline;
    auto verdict = watch->gone || watch->draining || own_deadline
                       ? UpstreamHealthEntry::Verdict::neutral
                       : verdict_of(err.kind);
    Clock::time_point cool_until{};
    using V = UpstreamHealthEntry::Verdict;
    if (verdict == V::rate_limited) {
      cool_until = ended + std::max(err.retry_after, std::chrono::milliseconds(1000));
    } else if (verdict == V::credential_rejected || verdict == V::quota) {
      cool_until = ended + rt->settings.breaker.auth_cooldown;
    }
    if (cool_until != Clock::time_point{}) {
      gateway_metrics()
          .credential_cooling
          .counter({target.provider, std::string(cooling_metric_reason(verdict))})
          .inc();
    }
    pick->health->end_attempt(ended, verdict, attempt.probe, is_retry, ttfb, cool_until);
    GW_LOG_INFO("request {}: attempt {} on {} (credential {}) failed: {} ({})", call.request_id,
                outcome.attempts, target.str(), pick->credential, err.message, name(err.kind));
    j.left_behind(target, pick->credential, name(err.kind), false);
    last_kind_here = err.kind;
    const RetryClass retry_class = err.retry;
    j.last_error = std::move(err);
    if (retry_class == RetryClass::never || watch->draining || watch->gone) break;
    if (cool_until != Clock::time_point{}) {
      // The credential rests; the next pass picks another one of this target, or moves on.
      gateway_metrics()
          .fallbacks.counter({target.provider, std::string(name(j.last_error->kind))})
          .inc();
      retry_owner = pick->health;
      noted.push_back(pick->credential);
      continue;
    }
    if (retry_class == RetryClass::fallback_only || ti + 1 < targets.size()) {
      gateway_metrics()
          .fallbacks.counter({target.provider, std::string(name(j.last_error->kind))})
          .inc();
      next_target();
      continue;
    }
    // The last target failed transiently: retry it after a backoff, if budget and deadline allow.
    bool again =
        co_await wait_before_retry(*pick->health, *j.last_error, std::chrono::milliseconds(0));
    if (!again) break;
    retry_pending = true;
    retry_owner = pick->health;
  }
  if (retry_pending && retry_owner) retry_owner->cancel_retry();
  watch->stop.emit(asio::cancellation_type::all);
  if (watch->gone) outcome.client_gone = true;
  if (served || outcome.client_gone) co_return;
  if (watch->draining) {
    j.last_error = drain_error();  // cut during a backoff wait, too
  } else if (!j.last_error) {
    j.last_error = refused_everywhere(j);
  }
  co_await send_error(*call.writer, *call.dialect, *j.last_error, call.request_id, &outcome);
}

}  // namespace gw
