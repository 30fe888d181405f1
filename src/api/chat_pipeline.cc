#include "api/chat_pipeline.h"

#include <algorithm>
#include <chrono>
#include <set>

#include <boost/asio.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>

#include "api/request_cost.h"
#include "api/route_journey.h"
#include "api/stream_keepalive.h"
#include "common/redact.h"
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
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kMaxUpstreamBody = 32 * 1024 * 1024;
constexpr std::size_t kMaxUpstreamErrorBody = 1024 * 1024;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Watches the client connection while the upstream works; a client that goes away cancels the
// upstream exchange (closing its connection) instead of letting it run to completion.
struct ClientWatch {
  http::UpstreamExchange* exchange = nullptr;
  asio::steady_timer* backoff = nullptr;  // a retry waiting out its backoff
  bool gone = false;
  bool draining = false;  // cut by the drain deadline
  asio::cancellation_signal stop;

  void interrupt() {
    if (exchange) exchange->cancel();
    if (backoff) backoff->cancel();
  }
};

// The chats running on this worker thread, so the drain deadline can cut them (each worker's
// io_context is single-threaded; no lock needed).
thread_local std::set<ClientWatch*> t_active_chats;

struct ActiveChat {
  explicit ActiveChat(ClientWatch* w) : watch(w) { t_active_chats.insert(w); }
  ~ActiveChat() { t_active_chats.erase(watch); }
  ClientWatch* watch;
};

Error drain_error() {
  return Error::make(ErrorKind::gateway_unavailable,
                     "the gateway is shutting down; this response was cut at the drain deadline",
                     "draining");
}

// Provider error messages may quote the credential they rejected: scrub it (and every other
// credential of the provider) before the message is logged or shown to the client.
void scrub(Error& e, const ProviderRuntime& rt) {
  for (std::size_t i = 0; i < rt.credentials(); ++i) redact_secret(e.message, rt.api_key(i));
}

asio::awaitable<void> watch_client(http::ResponseWriter& writer,
                                   std::shared_ptr<ClientWatch> watch) {
  bool closed = co_await writer.client_closed();
  if (!closed) co_return;
  watch->gone = true;
  watch->interrupt();
}

HeaderList response_headers(const std::string& request_id, std::string_view content_type,
                            const std::string& provider, const std::string& model,
                            const ChatOutcome& outcome) {
  HeaderList h;
  h.reserve(8);
  h.emplace_back("content-type", std::string(content_type));
  h.emplace_back("x-request-id", request_id);
  h.emplace_back("x-gateway-provider", provider);
  h.emplace_back("x-gateway-model", model);
  h.emplace_back("x-gateway-attempts", std::to_string(outcome.attempts));
  if (!outcome.fallbacks.empty()) h.emplace_back("x-gateway-fallbacks", outcome.fallbacks);
  return h;
}

// True when a provider of `provider_type` speaks the wire format of the client's dialect.
bool same_wire_format(std::string_view dialect, std::string_view provider_type) {
  if (dialect == "openai") {
    return provider_type == "openai" || provider_type == "mock" ||
           provider_type == "openai_compatible" || provider_type == "azure_openai";
  }
  return dialect == provider_type;
}

// One attempt's result: ok when the attempt wrote the response (success, or a failure after the
// commit point); an Error when nothing reached the client and another target may be tried.
using AttemptResult = Status;

struct Attempt {
  const ProviderRuntime* provider = nullptr;
  const Provider* adapter = nullptr;  // the adapter of the credential in use
  const RouteTarget* target = nullptr;
  UpstreamRequest upstream;
  const tool_schema::ToolNameMap* names = nullptr;  // provider tool names → the caller's
  UpstreamTimeouts timeouts;
  Clock::time_point deadline = Clock::time_point::max();  // the request's, over all attempts
  std::chrono::milliseconds keepalive{0};                 // downstream SSE comment interval
  std::optional<ErrorKind> failed_after_commit;           // the stream broke after the commit
  UpstreamHealthEntry* health = nullptr;
  bool probe = false;  // a half-open probe: judged at the commit point, not at the stream's end
  RequestCost* cost = nullptr;  // meters and settles this attempt; may be null
};

// The client's stream ends here because the attempt's reservation is used up: a well-formed
// finish (reason `length`), the metered usage, and an SSE comment naming the gateway's reason.
void end_for_budget(StreamEncoder& encoder, const RequestCost& cost, std::string& out) {
  StreamEvent finish;
  finish.type = StreamEvent::Type::finish;
  finish.finish = FinishReason::length;
  encoder.event(finish, out);
  StreamEvent usage;
  usage.type = StreamEvent::Type::usage;
  usage.usage.input_tokens = cost.input_estimate();
  usage.usage.output_tokens = cost.metered_output();
  usage.usage.present = true;
  encoder.event(usage, out);
  out.append(": x-gateway-stop budget_exhausted\n\n");
}

// Stops the keepalive ticker however attempt_stream ends (an exception included), so it never
// writes through a writer whose session is gone.
struct GateStopper {
  std::shared_ptr<StreamWriteGate>& gate;
  ~GateStopper() {
    if (gate) gate->stop();
  }
};

void observe_upstream(const Attempt& a, int status, Clock::time_point sent) {
  gateway_metrics()
      .upstream_seconds.histogram({a.target->provider, std::to_string(status)})
      .observe(ms_since(sent) / 1000.0);
}

// Sends the attempt and reads the response head. A non-2xx answer is read and decoded into the
// provider's typed error here, so callers only ever get an exchange with a 2xx head; the client
// watch holds the exchange while it is open.
asio::awaitable<Result<std::unique_ptr<http::UpstreamExchange>>> open_exchange(
    const Attempt& attempt, ChatCall& call, ClientWatch& watch, bool stream,
    Clock::time_point sent) {
  ChatOutcome& outcome = *call.outcome;
  auto executor = co_await asio::this_coro::executor;
  auto& client = http::UpstreamClient::for_this_thread(executor);
  http::UpstreamCall up;
  up.endpoint = &attempt.provider->endpoint;
  up.request = attempt.upstream;
  up.request.stream = stream;
  up.timeouts = attempt.timeouts;
  up.deadline = attempt.deadline;
  up.request_id = call.request_id;
  auto opened = co_await client.send(std::move(up));
  outcome.ttfb_ms = ms_since(sent);
  if (!opened) co_return std::move(opened).error();
  auto ex = std::move(opened).value();
  outcome.upstream_status = ex->status();
  gateway_metrics()
      .upstream_ttfb_seconds.histogram({attempt.target->provider})
      .observe(outcome.ttfb_ms / 1000.0);
  watch.exchange = ex.get();
  if (ex->status() >= 200 && ex->status() < 300) co_return ex;
  auto body = co_await ex->read_all(kMaxUpstreamErrorBody);
  watch.exchange = nullptr;
  observe_upstream(attempt, ex->status(), sent);
  std::string text = body ? std::move(body).value() : std::string();
  co_return attempt.adapter->decode_error(ex->status(), ex->header_lookup(), text);
}

asio::awaitable<AttemptResult> attempt_unary(ChatCall& call, Attempt& a, ClientWatch& watch) {
  ChatOutcome& outcome = *call.outcome;
  const auto sent = Clock::now();
  auto opened = co_await open_exchange(a, call, watch, false, sent);
  if (!opened) co_return std::move(opened).error();
  auto ex = std::move(opened).value();
  auto body = co_await ex->read_all(kMaxUpstreamBody);
  observe_upstream(a, ex->status(), sent);
  watch.exchange = nullptr;
  if (!body) co_return std::move(body).error();
  auto response = a.adapter->decode_response(*body);
  if (!response) co_return std::move(response).error();
  if (!a.names->empty()) tool_schema::restore_names(*response, *a.names);
  // Some providers (Ollama) send no id or timestamp; the client's dialect needs both.
  if (response->id.empty()) response->id = "chatcmpl-" + call.request_id;
  if (response->created == 0) {
    response->created = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  }
  outcome.usage = response->usage;
  if (a.cost != nullptr) {
    if (!response->usage.present) {
      for (const auto& block : response->content) {
        StreamEvent e;
        e.text = block.text + block.arguments;
        a.cost->meter(e);
      }
    }
    // The event is durable before the client sees the answer.
    co_await a.cost->settle(response->usage, "ok");
  }
  std::string model_shown = response->model.empty() ? a.target->model : response->model;
  std::string out = call.dialect->encode_response(*response, model_shown);
  outcome.status = 200;
  auto headers = response_headers(call.request_id, "application/json", a.target->provider,
                                  a.target->model, outcome);
  bool ok = co_await call.writer->send(200, std::move(headers), std::move(out));
  if (!ok) outcome.client_gone = true;
  co_return Status{};
}

asio::awaitable<void> run_keepalive(std::shared_ptr<StreamWriteGate> gate,
                                    std::chrono::milliseconds every) {
  co_await gate->keepalive(every);
}

// Fills what some providers leave out of the stream start (Ollama sends no id or timestamp).
StreamStart stream_start(const std::vector<StreamEvent>& events, const Attempt& a,
                         const ChatCall& call) {
  StreamStart start;
  start.model = a.target->model;
  for (const auto& e : events) {
    if (e.type == StreamEvent::Type::start) {
      start.id = e.id;
      if (!e.name.empty()) start.model = e.name;
      start.created = e.created;
      break;
    }
  }
  if (start.id.empty()) start.id = "chatcmpl-" + call.request_id;
  if (start.created == 0) {
    start.created = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  }
  start.include_usage = call.request.include_usage;
  return start;
}

asio::awaitable<AttemptResult> attempt_stream(ChatCall& call, Attempt& a, ClientWatch& watch) {
  ChatOutcome& outcome = *call.outcome;
  http::ResponseWriter& writer = *call.writer;
  const auto sent = Clock::now();
  auto opened = co_await open_exchange(a, call, watch, true, sent);
  if (!opened) co_return std::move(opened).error();
  auto ex = std::move(opened).value();

  auto decoder = a.adapter->make_stream_decoder();
  std::unique_ptr<StreamEncoder> encoder;
  std::shared_ptr<StreamWriteGate> gate;  // after the commit point: relay + keepalive writes
  GateStopper stop_gate{gate};
  std::vector<StreamEvent> events;
  events.reserve(16);
  std::string out;
  out.reserve(2 * 1024);
  std::uint64_t relayed = 0;
  Clock::time_point idle_deadline = Clock::now() + ex->idle_timeout();
  bool finished = false;
  std::optional<Error> failure;

  while (!finished) {
    auto piece = co_await ex->read_some(idle_deadline);
    const std::size_t decoded_before = events.size();
    Status st;
    if (!piece) {
      st = std::move(piece).error();
    } else if (piece->empty()) {
      st = decoder->finish(events);
      finished = true;
    } else {
      st = decoder->feed(*piece, events);
    }
    // Only decoded events reset the idle timer: SSE comments and heartbeats decode to nothing,
    // so a stalled generation masked by keepalives still times out (RELIABILITY PF-05b).
    if (events.size() > decoded_before) idle_deadline = Clock::now() + ex->idle_timeout();
    // The commit point is the first event that carries content: a role/start chunk alone is held
    // back, so an upstream that fails right after it can still fall back (RELIABILITY PF-06b).
    const bool has_content = std::any_of(events.begin(), events.end(), [](const StreamEvent& e) {
      return e.type != StreamEvent::Type::start;
    });
    if (!st && encoder == nullptr && !has_content) {
      // Before the commit point: nothing was written, so the router may try again elsewhere. A
      // connection lost here is as retryable as one lost before the head.
      observe_upstream(a, ex->status(), sent);
      watch.exchange = nullptr;
      if (watch.gone) outcome.client_gone = true;
      Error e = std::move(st).error();
      if (e.kind == ErrorKind::provider_stream_interrupted) e.retry = RetryClass::retry;
      co_return e;
    }
    if (encoder == nullptr && !has_content && !finished) continue;
    if (!events.empty() && encoder == nullptr) {
      encoder = call.dialect->make_stream_encoder(stream_start(events, a, call));
      outcome.status = 200;
      auto headers = response_headers(call.request_id, call.dialect->stream_content_type(),
                                      a.target->provider, a.target->model, outcome);
      headers.emplace_back("cache-control", "no-cache");
      bool began = co_await writer.begin_stream(200, std::move(headers));
      if (!began) {
        outcome.client_gone = true;
        ex->cancel();
        watch.exchange = nullptr;
        co_return Status{};
      }
      auto executor = co_await asio::this_coro::executor;
      gate = std::make_shared<StreamWriteGate>(writer, executor);
      // A probe that got this far proves the upstream serves again: close its breaker now
      // rather than after a stream that may run for minutes.
      if (a.probe && a.health != nullptr) {
        a.health->probe_succeeded(Clock::now());
        a.probe = false;
      }
      if (a.keepalive.count() > 0) {
        asio::co_spawn(executor, run_keepalive(gate, a.keepalive), asio::detached);
      }
    }
    bool cut = false;
    for (auto& e : events) {
      if (!a.names->empty()) tool_schema::restore_names(e, *a.names);
      if (e.type == StreamEvent::Type::usage) outcome.usage = e.usage;
      encoder->event(e, out);
      if (a.cost != nullptr && a.cost->meter(e)) {
        cut = true;  // the reservation is used up: nothing more is read or relayed
        break;
      }
    }
    relayed += events.size();
    events.clear();
    if (cut) {
      ex->cancel();
      end_for_budget(*encoder, *a.cost, out);
      gateway_metrics().budget_stream_cuts.inc();
      outcome.error_kind = "budget_stream_cut";
      co_await a.cost->settle(Usage{}, "budget_cut");
      finished = true;
      st = Status{};
    }
    if (!st) {
      failure = watch.draining ? drain_error() : std::move(st).error();
      break;
    }
    if (finished && !cut && a.cost != nullptr) co_await a.cost->settle(outcome.usage, "ok");
    if (finished) encoder->end(out);
    if (!out.empty()) {
      bool wrote = co_await gate->write(out);
      if (!wrote) {
        outcome.client_gone = true;
        ex->cancel();
        break;
      }
      out.clear();
    }
  }
  observe_upstream(a, ex->status(), sent);
  watch.exchange = nullptr;
  gateway_metrics().stream_events.counter({a.target->provider}).inc(relayed);
  if (a.cost != nullptr) {
    // Broken after the commit point, or the client left: what was consumed is charged.
    std::string_view why = failure ? name(failure->kind) : std::string_view("client_gone");
    co_await a.cost->settle(outcome.usage, why);
  }
  if (failure) {
    scrub(*failure, *a.provider);
    // A stream cut because the client left or the gateway is draining says nothing about the
    // upstream's health.
    if (!watch.draining && !watch.gone && !outcome.client_gone)
      a.failed_after_commit = failure->kind;
  }
  if (gate) gate->stop();
  if (failure && !outcome.client_gone) {
    // After the commit point: a terminal error record, never a silent truncation or a retry.
    outcome.error_kind = std::string(name(failure->kind));
    gateway_metrics().errors.counter({outcome.error_kind}).inc();
    GW_LOG_WARN("request {}: stream from {} failed after commit: {}", call.request_id,
                a.target->provider, failure->message);
    encoder->error(*failure, out);
    co_await gate->write(out);
  }
  if (gate) co_await gate->drain();
  if (watch.gone) outcome.client_gone = true;
  if (!outcome.client_gone) {
    co_await writer.end_stream();
  }
  co_return Status{};
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
    std::optional<ChatRequest> clamped;  // max_tokens the budget affords, when the client set none
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
      r = co_await attempt_stream(call, attempt, *watch);
    } else {
      r = co_await attempt_unary(call, attempt, *watch);
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
