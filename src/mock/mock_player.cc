// Fault-aware playback of mock replies (see mock_player.h).
#include "mock/mock_player.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace gw::mock {
namespace {

namespace asio = boost::asio;

// An endless stream without delay yields to the other connections this often.
constexpr std::size_t kYieldEvery = 64;

std::optional<std::size_t> count_of(const std::optional<std::int64_t>& v) {
  if (!v) return std::nullopt;
  return static_cast<std::size_t>(*v);
}

// In-band error, then a clean end of body: no terminator ([DONE]) follows.
asio::awaitable<void> end_with_error(http::ResponseWriter& writer, const StreamScript& script) {
  const bool written = co_await writer.write(script.error);
  if (written) co_await writer.end_stream();
}

// The SSE comment a silent stream sends every `every` (heartbeat_ms), so that a stall looks
// alive to anything that counts bytes instead of data records. Only SSE has comments: for
// NDJSON (Ollama) and binary eventstream (Bedrock) there is none, and the knob is ignored.
struct Heartbeat {
  std::string record;
  std::chrono::milliseconds every{0};
};

bool is_sse(const HeaderList& headers) {
  for (const auto& [name, value] : headers) {
    if (name == "content-type") return value.rfind("text/event-stream", 0) == 0;
  }
  return false;
}

std::optional<Heartbeat> heartbeat_for(const HeaderList& headers, const StreamScript& script,
                                       const MockFault& fault) {
  if (!fault.heartbeat_ms || !is_sse(headers)) return std::nullopt;
  // In the stream's own line endings: Gemini frames records with CRLF.
  const std::string_view sample = script.malformed;
  const bool crlf = sample.size() >= 4 && sample.substr(sample.size() - 4) == "\r\n\r\n";
  return Heartbeat{crlf ? ": keepalive\r\n\r\n" : ": keepalive\n\n",
                   std::chrono::milliseconds(*fault.heartbeat_ms)};
}

// Stays silent for `delay`, sending heartbeats meanwhile when asked to (heartbeat may be null).
// False when the client left (or a heartbeat could not be written). Pointers, not references to
// optionals: a coroutine must not hold a reference to a temporary of its caller.
asio::awaitable<bool> quiet_for(http::ResponseWriter& writer, std::chrono::milliseconds delay,
                                const Heartbeat* heartbeat) {
  while (heartbeat != nullptr && delay > heartbeat->every) {
    const bool slept = co_await sleep_unless_closed(writer, heartbeat->every);
    if (!slept) co_return false;
    const bool written = co_await writer.write(heartbeat->record);
    if (!written) co_return false;
    delay -= heartbeat->every;
  }
  const bool slept = co_await sleep_unless_closed(writer, delay);
  co_return slept;
}

// A stalled stream: nothing but optional heartbeats until the client gives up. Like a hang it
// counts as aborted, and the request leaves in_flight with its frame.
asio::awaitable<void> stall(http::ResponseWriter& writer, const Heartbeat* heartbeat,
                            MockState& state) {
  if (heartbeat != nullptr) {
    for (;;) {
      const bool alive = co_await quiet_for(writer, heartbeat->every, nullptr);
      if (!alive) break;
      const bool written = co_await writer.write(heartbeat->record);
      if (!written) break;
    }
  } else {
    co_await writer.client_closed();
  }
  writer.abort();
  state.count_aborted();
}

}  // namespace

// GCC 12 miscompiles some co_await forms (temporaries of ?: inside the operand, co_await
// inside conditions next to co_return): every awaited result here lands in a named local first.

asio::awaitable<bool> sleep_unless_closed(http::ResponseWriter& writer,
                                          std::chrono::milliseconds delay) {
  using namespace asio::experimental::awaitable_operators;
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, delay);
  auto winner =
      co_await (timer.async_wait(asio::as_tuple(asio::use_awaitable)) || writer.client_closed());
  // Whichever finished first cancelled the other; client_closed finishing first means the
  // client is gone (or the server is shutting the connection down): stop either way.
  const bool slept = winner.index() == 0;
  co_return slept;
}

asio::awaitable<void> send_reply(http::ResponseWriter& writer, MockReply reply, MockState& state) {
  state.count_status(reply.status);
  co_await writer.send(reply.status, std::move(reply.headers), std::move(reply.body));
}

asio::awaitable<void> play_stream(http::ResponseWriter& writer, MockReply reply, MockFault fault,
                                  MockState& state) {
  const StreamScript script = std::move(*reply.stream);
  const bool endless = fault.endless.value_or(false);
  const std::chrono::milliseconds delay{
      fault.chunk_delay_ms.value_or(endless ? kEndlessChunkDelay.count() : 0)};
  const auto drop_after = count_of(fault.drop_after);
  const auto stream_error = count_of(fault.stream_error);
  const auto stall_after = count_of(fault.stall_after);
  const std::optional<Heartbeat> heartbeat_record = heartbeat_for(reply.headers, script, fault);
  const Heartbeat* heartbeat = heartbeat_record ? &*heartbeat_record : nullptr;
  bool malformed_pending = fault.malformed.value_or(false);
  bool ok = true;

  state.count_status(reply.status);
  ok = co_await writer.begin_stream(reply.status, std::move(reply.headers));
  if (!ok) co_return;

  // N = 0: before anything else, so a gateway sees the failure before its commit point.
  if (stream_error == 0u) {
    co_await end_with_error(writer, script);
    co_return;
  }
  if (drop_after == 0u) {
    writer.abort();
    co_return;
  }
  for (const auto& lead : script.lead) {
    ok = co_await writer.write(lead);
    if (!ok) co_return;
  }
  if (stall_after == 0u) {
    co_await stall(writer, heartbeat, state);
    co_return;
  }

  std::string generated;  // the current endless record
  for (std::size_t sent = 0; endless || sent < script.content.size();) {
    if (delay.count() > 0) {
      ok = co_await quiet_for(writer, delay, heartbeat);
      if (!ok) {
        writer.abort();
        co_return;
      }
    } else if (sent % kYieldEvery == kYieldEvery - 1) {
      auto executor = co_await asio::this_coro::executor;
      co_await asio::post(executor, asio::use_awaitable);
    }
    std::string_view record;
    if (sent < script.content.size()) {
      record = script.content[sent];
    } else {
      generated = script.endless(sent);
      record = generated;
    }
    ok = co_await writer.write(record);
    if (!ok) co_return;
    ++sent;
    if (malformed_pending && sent == 2) {
      malformed_pending = false;
      ok = co_await writer.write(script.malformed);
      if (!ok) co_return;
    }
    if (stream_error == sent) {
      co_await end_with_error(writer, script);
      co_return;
    }
    if (drop_after == sent) {
      writer.abort();
      co_return;
    }
    if (stall_after == sent) {
      co_await stall(writer, heartbeat, state);
      co_return;
    }
  }

  // Counts past the end of the content apply right after the last content record.
  if (malformed_pending) {
    ok = co_await writer.write(script.malformed);
    if (!ok) co_return;
  }
  if (stream_error) {
    co_await end_with_error(writer, script);
    co_return;
  }
  if (drop_after) {
    writer.abort();
    co_return;
  }
  if (stall_after) {
    co_await stall(writer, heartbeat, state);
    co_return;
  }
  for (const auto& trail : script.trail) {
    ok = co_await writer.write(trail);
    if (!ok) co_return;
  }
  co_await writer.end_stream();
}

}  // namespace gw::mock
