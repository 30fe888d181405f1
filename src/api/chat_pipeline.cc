#include "api/chat_pipeline.h"

#include <algorithm>
#include <chrono>
#include <set>

#include <boost/asio.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>

#include "common/redact.h"
#include "http/upstream_client.h"
#include "observability/gateway_metrics.h"
#include "observability/log.h"
#include "providers/model_capabilities.h"
#include "routing/router.h"
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
  bool gone = false;
  bool draining = false;  // cut by the drain deadline
  asio::cancellation_signal stop;
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

// Provider error messages may quote the credential they rejected: scrub it before the message
// is logged or shown to the client.
void scrub(Error& e, const ProviderRuntime& rt) {
  redact_secret(e.message, rt.settings.api_key);
}

asio::awaitable<void> watch_client(http::ResponseWriter& writer,
                                   std::shared_ptr<ClientWatch> watch) {
  bool closed = co_await writer.client_closed();
  if (!closed) co_return;
  watch->gone = true;
  if (watch->exchange) watch->exchange->cancel();
}

HeaderList response_headers(const std::string& request_id, std::string_view content_type,
                            const std::string& provider, const std::string& model, int attempts) {
  HeaderList h;
  h.reserve(6);
  h.emplace_back("content-type", std::string(content_type));
  h.emplace_back("x-request-id", request_id);
  h.emplace_back("x-gateway-provider", provider);
  h.emplace_back("x-gateway-model", model);
  h.emplace_back("x-gateway-attempts", std::to_string(attempts));
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
  const RouteTarget* target = nullptr;
  UpstreamRequest upstream;
  const tool_schema::ToolNameMap* names = nullptr;  // provider tool names → the caller's
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
  up.timeouts = attempt.provider->settings.timeouts;
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
  co_return attempt.provider->adapter->decode_error(ex->status(), ex->header_lookup(), text);
}

asio::awaitable<AttemptResult> attempt_unary(ChatCall& call, const Attempt& a, ClientWatch& watch) {
  ChatOutcome& outcome = *call.outcome;
  const auto sent = Clock::now();
  auto opened = co_await open_exchange(a, call, watch, false, sent);
  if (!opened) co_return std::move(opened).error();
  auto ex = std::move(opened).value();
  auto body = co_await ex->read_all(kMaxUpstreamBody);
  observe_upstream(a, ex->status(), sent);
  watch.exchange = nullptr;
  if (!body) co_return std::move(body).error();
  auto response = a.provider->adapter->decode_response(*body);
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
  std::string model_shown = response->model.empty() ? a.target->model : response->model;
  std::string out = call.dialect->encode_response(*response, model_shown);
  outcome.status = 200;
  auto headers = response_headers(call.request_id, "application/json", a.target->provider,
                                  a.target->model, outcome.attempts);
  bool ok = co_await call.writer->send(200, std::move(headers), std::move(out));
  if (!ok) outcome.client_gone = true;
  co_return Status{};
}

asio::awaitable<AttemptResult> attempt_stream(ChatCall& call, const Attempt& a,
                                              ClientWatch& watch) {
  ChatOutcome& outcome = *call.outcome;
  http::ResponseWriter& writer = *call.writer;
  const auto sent = Clock::now();
  auto opened = co_await open_exchange(a, call, watch, true, sent);
  if (!opened) co_return std::move(opened).error();
  auto ex = std::move(opened).value();

  auto decoder = a.provider->adapter->make_stream_decoder();
  std::unique_ptr<StreamEncoder> encoder;
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
    if (events.size() > decoded_before) idle_deadline = Clock::now() + ex->idle_timeout();
    // The commit point is the first event that carries content: a role/start chunk alone is held
    // back, so an upstream that fails right after it can still fall back (RELIABILITY PF-06b).
    const bool has_content = std::any_of(events.begin(), events.end(), [](const StreamEvent& e) {
      return e.type != StreamEvent::Type::start;
    });
    if (!st && encoder == nullptr && !has_content) {
      // Before the commit point: nothing was written, so the router may try another target.
      observe_upstream(a, ex->status(), sent);
      watch.exchange = nullptr;
      if (watch.gone) outcome.client_gone = true;
      co_return std::move(st).error();
    }
    if (encoder == nullptr && !has_content && !finished) continue;
    if (!events.empty() && encoder == nullptr) {
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
      encoder = call.dialect->make_stream_encoder(start);
      outcome.status = 200;
      auto headers = response_headers(call.request_id, call.dialect->stream_content_type(),
                                      a.target->provider, a.target->model, outcome.attempts);
      headers.emplace_back("cache-control", "no-cache");
      bool began = co_await writer.begin_stream(200, std::move(headers));
      if (!began) {
        outcome.client_gone = true;
        ex->cancel();
        watch.exchange = nullptr;
        co_return Status{};
      }
    }
    for (auto& e : events) {
      if (!a.names->empty()) tool_schema::restore_names(e, *a.names);
      if (e.type == StreamEvent::Type::usage) outcome.usage = e.usage;
      encoder->event(e, out);
    }
    relayed += events.size();
    events.clear();
    if (!st) {
      failure = watch.draining ? drain_error() : std::move(st).error();
      break;
    }
    if (finished) encoder->end(out);
    if (!out.empty()) {
      bool wrote = co_await writer.write(out);
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
  if (failure) scrub(*failure, *a.provider);
  if (failure && !outcome.client_gone) {
    // After the commit point: a terminal error record, never a silent truncation or a retry.
    outcome.error_kind = std::string(name(failure->kind));
    gateway_metrics().errors.counter({outcome.error_kind}).inc();
    GW_LOG_WARN("request {}: stream from {} failed after commit: {}", call.request_id,
                a.target->provider, failure->message);
    encoder->error(*failure, out);
    co_await writer.write(out);
  }
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
    if (w->exchange) w->exchange->cancel();
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

  auto watch = std::make_shared<ClientWatch>();
  ActiveChat active(watch.get());
  auto executor = co_await asio::this_coro::executor;
  asio::co_spawn(executor, watch_client(*call.writer, watch),
                 asio::bind_cancellation_slot(watch->stop.slot(), asio::detached));

  std::optional<Error> last_error;
  EncodeContext ctx;
  ctx.request_id = call.request_id;
  ctx.now = std::chrono::system_clock::now();
  for (const auto& target : plan->targets) {
    if (watch->gone || watch->draining) break;
    const ProviderRuntime* rt = state.provider(target.provider);
    if (rt == nullptr || !rt->adapter) continue;
    if (!rt->unavailable.empty()) {
      Error e =
          Error::make(ErrorKind::provider_unavailable, rt->unavailable, "provider_not_configured");
      e.retry = RetryClass::fallback_only;
      last_error = std::move(e);
      continue;
    }
    // Tools compiled to what this provider accepts (names, schema flavour); a tool set it
    // cannot express may still suit the next target.
    tool_schema::ToolNameMap names;
    auto compiled =
        tool_schema::compile_request(call.request, rt->adapter->capabilities().tools, names);
    if (!compiled) {
      last_error = std::move(compiled).error();
      last_error->retry = RetryClass::fallback_only;
      continue;
    }
    const ChatRequest* request = compiled->has_value() ? &**compiled : &call.request;
    // Dialect-only parameters (`extra`: top_k, logprobs, metadata, …) mean something only to a
    // provider of the client's own wire format; anywhere else they would be rejected.
    std::optional<ChatRequest> without_extra;
    if (!request->extra.empty() && !same_wire_format(call.dialect->name(), rt->adapter->type())) {
      without_extra = *request;
      without_extra->extra = {};
      request = &*without_extra;
    }
    auto encoded = rt->adapter->encode(*request, target.model, ctx);
    if (!encoded) {
      last_error = std::move(encoded).error();
      if (last_error->retry == RetryClass::never) break;
      continue;
    }
    ++outcome.attempts;
    outcome.provider = target.provider;
    outcome.model = target.model;
    Attempt attempt{rt, &target, std::move(encoded).value(), &names};
    // GCC 12: no co_await inside ?: or if-conditions (miscompiled); await into named locals.
    AttemptResult r;
    if (call.request.stream) {
      r = co_await attempt_stream(call, attempt, *watch);
    } else {
      r = co_await attempt_unary(call, attempt, *watch);
    }
    if (r.ok()) {
      last_error.reset();
      break;
    }
    last_error = watch->draining ? drain_error() : std::move(r).error();
    scrub(*last_error, *rt);
    GW_LOG_INFO("request {}: attempt {} on {} failed: {} ({})", call.request_id, outcome.attempts,
                target.str(), last_error->message, name(last_error->kind));
    if (last_error->retry == RetryClass::never || watch->draining) break;
  }
  watch->stop.emit(asio::cancellation_type::all);
  if (watch->gone) outcome.client_gone = true;
  if (last_error && !outcome.client_gone) {
    co_await send_error(*call.writer, *call.dialect, *last_error, call.request_id, &outcome);
  }
}

}  // namespace gw
