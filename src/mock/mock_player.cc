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

  std::string generated;  // the current endless record
  for (std::size_t sent = 0; endless || sent < script.content.size();) {
    if (delay.count() > 0) {
      ok = co_await sleep_unless_closed(writer, delay);
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
  for (const auto& trail : script.trail) {
    ok = co_await writer.write(trail);
    if (!ok) co_return;
  }
  co_await writer.end_stream();
}

}  // namespace gw::mock
