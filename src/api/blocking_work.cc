#include "api/blocking_work.h"

#include <memory>

#include <boost/asio.hpp>

namespace gw {

namespace asio = boost::asio;

namespace {

asio::thread_pool& blocking_pool() {
  static asio::thread_pool pool(4);
  return pool;
}

}  // namespace

asio::awaitable<void> run_blocking(std::function<void()> work) {
  // A co_await of asio::post would resume on the I/O thread before the work ran: the handler is
  // posted back to its own executor only once the work is done.
  auto initiate = [&work](auto handler) {
    auto home = asio::get_associated_executor(handler);
    auto held = std::make_shared<decltype(handler)>(std::move(handler));
    asio::post(blocking_pool(), [&work, held, home]() mutable {
      work();
      asio::post(home, [held]() mutable { (*held)(); });
    });
  };
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(initiate,
                                                                       asio::use_awaitable);
}

}  // namespace gw
