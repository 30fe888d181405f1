// The three live calls `smoke` makes through a provider adapter and the shared upstream client:
// a plain chat, a streamed chat and a forced tool call. Each is sent like the chat pipeline
// sends an attempt (tools compiled to the provider's rules, encode, send, decode), without
// routing, retries or a client, and each checks that the answer is usable, not only 2xx.
#pragma once

#include <optional>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "common/error.h"
#include "http/endpoint.h"
#include "http/upstream_client.h"
#include "model/chat.h"
#include "spi/provider.h"

namespace gw {

enum class SmokeScenario { chat, stream, tool };
std::string_view name(SmokeScenario scenario);

// What a call needs; the pointees outlive every call (held by value across suspensions).
struct SmokeLink {
  const Provider* adapter = nullptr;
  const http::Endpoint* endpoint = nullptr;
  http::UpstreamClient* client = nullptr;
  UpstreamTimeouts timeouts;
  std::string model;
};

struct SmokeCallResult {
  std::optional<Error> error;     // empty when the call succeeded and passed its check
  double latency_ms = 0;          // send → last byte (stream: → end of stream)
  std::optional<double> ttft_ms;  // stream: send → first content event
  Usage usage;                    // as the provider reported it (present=false if it did not)
};

// The canonical requests, so tests and docs can see what is asked.
ChatRequest smoke_chat_request();
ChatRequest smoke_stream_request();
ChatRequest smoke_tool_request();  // get_weather(city), tool_choice named get_weather

boost::asio::awaitable<SmokeCallResult> run_smoke_call(SmokeScenario scenario, SmokeLink link);

}  // namespace gw
