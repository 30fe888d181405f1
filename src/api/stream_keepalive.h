// Downstream keepalive for committed streams (RELIABILITY "Timeouts"): while the upstream is
// silent, an SSE comment goes to the client every interval so intermediaries (nginx's 60 s
// proxy_read_timeout) do not cut a stream that is only slow. The relay loop and the ticker share
// one StreamWriteGate, so their writes never interleave on the socket.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "http/response_writer.h"

namespace gw {

class StreamWriteGate {
 public:
  using Clock = std::chrono::steady_clock;

  StreamWriteGate(http::ResponseWriter& writer, const boost::asio::any_io_executor& executor)
      : writer_(writer), wake_(executor), tick_(executor) {}

  // Writes one chunk, after any write already in progress. False when the client is gone.
  boost::asio::awaitable<bool> write(std::string_view data);
  // Returns once no write is in progress.
  boost::asio::awaitable<void> drain();

  // Runs until stop(): every `every` without a write, sends ": keepalive\n\n".
  boost::asio::awaitable<void> keepalive(std::chrono::milliseconds every);
  void stop();

 private:
  boost::asio::awaitable<void> wait_idle();

  http::ResponseWriter& writer_;
  boost::asio::steady_timer wake_;  // waiters for busy_ to clear
  boost::asio::steady_timer tick_;  // the keepalive schedule
  Clock::time_point last_write_ = Clock::now();
  bool busy_ = false;
  bool stopped_ = false;
};

}  // namespace gw
