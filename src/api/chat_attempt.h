// One upstream attempt of a chat call (api/chat_pipeline.cc runs the attempts of a route in
// turn): send it, and relay its answer — whole (attempt_unary) or event by event (attempt_stream)
// — to the client once the first upstream event decodes (the commit point), metering and settling
// its cost on the way. Internal to api/.
#pragma once

#include <chrono>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include "api/chat_pipeline.h"
#include "http/upstream_client.h"
#include "routing/router.h"
#include "routing/upstream_health.h"
#include "wire/tool_schema/tool_schema.h"

namespace gw {

class RequestCost;

namespace chat {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

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

// The terminal error of a response cut by the drain deadline.
Error drain_error();
// Provider error messages may quote the credential they rejected: scrub it (and every other
// credential of the provider) before the message is logged or shown to the client.
void scrub(Error& e, const ProviderRuntime& rt);

asio::awaitable<AttemptResult> attempt_unary(ChatCall& call, Attempt& a, ClientWatch& watch);
asio::awaitable<AttemptResult> attempt_stream(ChatCall& call, Attempt& a, ClientWatch& watch);

}  // namespace chat
}  // namespace gw
