// Routing and the shared fault pipeline of the mock provider (see mock_handler.h).
#include "mock/mock_handler.h"

#include <cmath>
#include <string>
#include <utility>

#include "mock/mock_anthropic.h"
#include "mock/mock_bedrock.h"
#include "mock/mock_control.h"
#include "mock/mock_gemini.h"
#include "mock/mock_ollama.h"
#include "mock/mock_openai.h"
#include "mock/mock_player.h"
#include "mock/mock_text.h"

namespace gw::mock {
namespace {

namespace asio = boost::asio;

// Echoes the caller's X-Request-ID, else derives one from the body (deterministic, like all
// mock output).
void add_request_id(MockReply& reply, const http::Request& request) {
  std::string_view given = request.header("x-request-id");
  reply.headers.emplace_back("x-request-id", given.empty()
                                                 ? "req_mock" + hex64(fnv1a64(request.body))
                                                 : std::string(given));
}

void add_retry_after(MockReply& reply, const MockFault& fault) {
  if (fault.retry_after_s) {
    const double s = *fault.retry_after_s;
    reply.headers.emplace_back("retry-after",
                               std::to_string(static_cast<std::int64_t>(std::ceil(s))));
    reply.headers.emplace_back("retry-after-ms", std::to_string(std::llround(s * 1000.0)));
  }
  if (fault.retry_after_ms) {
    std::erase_if(reply.headers, [](const auto& h) { return h.first == "retry-after-ms"; });
    reply.headers.emplace_back("retry-after-ms", std::to_string(*fault.retry_after_ms));
  }
}

}  // namespace

MockHandler::MockHandler() {
  // One line per dialect; the first also renders errors for paths no dialect serves.
  dialects_.push_back(std::make_unique<OpenAiMockDialect>());
  dialects_.push_back(std::make_unique<AnthropicMockDialect>());
  dialects_.push_back(std::make_unique<GeminiMockDialect>());
  dialects_.push_back(std::make_unique<BedrockMockDialect>());
  dialects_.push_back(std::make_unique<OllamaMockDialect>());
}

asio::awaitable<void> MockHandler::handle(http::Request& request, http::ResponseWriter& writer) {
  const std::string_view path = request.path();

  if (path.substr(0, kControlPrefix.size()) == kControlPrefix) {
    MockReply reply = control_reply(state_, request);
    add_request_id(reply, request);
    co_await writer.send(reply.status, std::move(reply.headers), std::move(reply.body));
    co_return;
  }
  if (path == "/healthz" && request.method == "GET") {
    MockReply reply;
    reply.headers.emplace_back("content-type", "text/plain; charset=utf-8");
    reply.body = "ok";
    add_request_id(reply, request);
    co_await writer.send(reply.status, std::move(reply.headers), std::move(reply.body));
    co_return;
  }

  state_.record(request);
  for (const auto& dialect : dialects_) {
    if (auto side = dialect->side_reply(request)) {
      add_request_id(*side, request);
      co_await send_reply(writer, std::move(*side), state_);
      co_return;
    }
    if (dialect->serves(request.method, path)) {
      co_await serve_inference(*dialect, request, writer);
      co_return;
    }
  }
  // What OpenAI answers for a path it does not serve.
  MockReply reply = default_dialect().error_reply(
      {404, "Invalid URL (" + request.method + " " + std::string(path) + ")",
       "invalid_request_error", "", ""});
  add_request_id(reply, request);
  co_await send_reply(writer, std::move(reply), state_);
}

asio::awaitable<void> MockHandler::serve_inference(const MockDialect& dialect,
                                                   http::Request& request,
                                                   http::ResponseWriter& writer) {
  const InFlight in_flight(state_);
  auto header_fault = parse_fault_headers(request.headers);
  if (!header_fault) {
    const Error& e = header_fault.error();
    MockReply reply = dialect.error_reply({400, e.message, "invalid_request_error", e.code, ""});
    add_request_id(reply, request);
    co_await send_reply(writer, std::move(reply), state_);
    co_return;
  }

  auto exchange = dialect.open(request);
  MockFault fault = state_.take_fault({exchange->model(), request.path(), exchange->stream()})
                        .value_or(MockFault{});
  fault.merge_from(*header_fault);

  if (fault.delay_ms.value_or(0) > 0) {
    const bool waited =
        co_await sleep_unless_closed(writer, std::chrono::milliseconds(*fault.delay_ms));
    if (!waited) {
      writer.abort();
      state_.count_aborted();
      co_return;
    }
  }
  if (fault.hang.value_or(false)) {
    // Holds nothing but this coroutine frame; it ends as soon as the client gives up.
    co_await writer.client_closed();
    writer.abort();
    state_.count_aborted();
    co_return;
  }

  MockReply reply;
  if (fault.replaces_answer()) {
    reply = exchange->fault_reply(fault);
    add_retry_after(reply, fault);
  } else if (exchange->invalid()) {
    reply = *exchange->invalid();
  } else if (!exchange->stream() && fault.drop_after) {
    // A non-streamed answer cannot be cut after N chunks: the connection drops before the head.
    writer.abort();
    state_.count_aborted();
    co_return;
  } else {
    reply = exchange->reply(fault);
    if (!reply.stream && fault.malformed.value_or(false)) {
      reply.body.resize(reply.body.size() / 2);  // a 200 whose JSON body is cut in half
    }
  }
  add_request_id(reply, request);
  if (reply.stream) {
    co_await play_stream(writer, std::move(reply), std::move(fault), state_);
  } else {
    co_await send_reply(writer, std::move(reply), state_);
  }
}

asio::awaitable<void> MockHandler::reject(const Error& error, const http::Request& request,
                                          http::ResponseWriter& writer) {
  state_.record(request);
  MockReply reply = default_dialect().error_reply({http_status(error.kind), error.message,
                                                   std::string(openai_type(error.kind)), error.code,
                                                   error.param});
  add_request_id(reply, request);
  co_await send_reply(writer, std::move(reply), state_);
}

}  // namespace gw::mock
