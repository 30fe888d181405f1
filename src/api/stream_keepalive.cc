#include "api/stream_keepalive.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "observability/gateway_metrics.h"

namespace gw {

namespace asio = boost::asio;

asio::awaitable<void> StreamWriteGate::wait_idle() {
  while (busy_) {
    wake_.expires_at(Clock::time_point::max());
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<bool> StreamWriteGate::write(std::string_view data) {
  co_await wait_idle();
  busy_ = true;
  bool ok = co_await writer_.write(data);
  busy_ = false;
  last_write_ = Clock::now();
  wake_.cancel();
  co_return ok;
}

asio::awaitable<void> StreamWriteGate::drain() {
  co_await wait_idle();
}

asio::awaitable<void> StreamWriteGate::keepalive(std::chrono::milliseconds every) {
  static constexpr std::string_view kComment = ": keepalive\n\n";
  while (!stopped_) {
    tick_.expires_at(last_write_ + every);
    co_await tick_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (stopped_) break;
    if (busy_ || Clock::now() < last_write_ + every) continue;
    busy_ = true;
    bool ok = co_await writer_.write(kComment);
    busy_ = false;
    last_write_ = Clock::now();
    wake_.cancel();
    if (!ok) break;
    gateway_metrics().stream_keepalives.inc();
  }
}

void StreamWriteGate::stop() {
  stopped_ = true;
  tick_.cancel();
}

}  // namespace gw
