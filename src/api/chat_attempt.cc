#include "api/chat_attempt.h"

#include <algorithm>
#include <string>

#include <boost/asio.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>

#include "api/request_cost.h"
#include "api/stream_keepalive.h"
#include "common/redact.h"
#include "observability/gateway_metrics.h"
#include "observability/log.h"

namespace gw::chat {

namespace {

constexpr std::size_t kMaxUpstreamBody = 32 * 1024 * 1024;
constexpr std::size_t kMaxUpstreamErrorBody = 1024 * 1024;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
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

// The client's stream ends here because the attempt's reservation, or the request's admitted
// rate charge, is used up: a well-formed finish (reason `length`), the metered usage, and an SSE
// comment naming the gateway's reason.
void end_for_cost(StreamEncoder& encoder, const RequestCost& cost, MeterStop why,
                  std::string& out) {
  StreamEvent finish;
  finish.type = StreamEvent::Type::finish;
  finish.finish = FinishReason::length;
  encoder.event(finish, out);
  StreamEvent usage;
  usage.type = StreamEvent::Type::usage;
  usage.usage = cost.metered_usage();
  encoder.event(usage, out);
  out.append(why == MeterStop::budget ? ": x-gateway-stop budget_exhausted\n\n"
                                      : ": x-gateway-stop rate_limit_exhausted\n\n");
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

}  // namespace

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

namespace {

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

}  // namespace

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
    Status st = decoder->take(std::move(piece), events, finished);
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
    MeterStop stop = MeterStop::none;
    for (auto& e : events) {
      if (!a.names->empty()) tool_schema::restore_names(e, *a.names);
      if (e.type == StreamEvent::Type::usage) outcome.usage = e.usage;
      encoder->event(e, out);
      if (a.cost != nullptr) stop = a.cost->meter(e);
      if (stop != MeterStop::none) break;  // used up: nothing more is read or relayed
    }
    relayed += events.size();
    events.clear();
    const bool cut = stop != MeterStop::none;
    if (!cut && a.cost != nullptr) a.cost->checkpoint_if_due();
    if (cut) {
      ex->cancel();
      end_for_cost(*encoder, *a.cost, stop, out);
      const bool budget = stop == MeterStop::budget;
      (budget ? gateway_metrics().budget_stream_cuts : gateway_metrics().rate_limit_stream_cuts)
          .inc();
      outcome.error_kind = budget ? "budget_stream_cut" : "rate_limit_stream_cut";
      outcome.usage = a.cost->metered_usage();  // what the client was told and is charged
      co_await a.cost->settle(Usage{}, budget ? "budget_cut" : "rate_limit_cut");
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

Error drain_error() {
  return Error::make(ErrorKind::gateway_unavailable,
                     "the gateway is shutting down; this response was cut at the drain deadline",
                     "draining");
}

void scrub(Error& e, const ProviderRuntime& rt) {
  for (std::size_t i = 0; i < rt.credentials(); ++i) redact_secret(e.message, rt.api_key(i));
}

}  // namespace gw::chat
