// The HTTP/1.1 server: N worker threads, each with its own io_context and SO_REUSEPORT acceptor
// (share-nothing, as nginx does). Sessions are coroutines with keep-alive, bounded header and
// body sizes, header/body/idle/write timeouts. Limit violations are answered through the
// handler's reject() so each dialect renders its own error envelope.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/result.h"
#include "http/request.h"
#include "http/response_writer.h"
#include "http/server_limits.h"

namespace boost::asio {
class io_context;
}

namespace gw::http {

class Handler {
 public:
  virtual ~Handler() = default;
  virtual boost::asio::awaitable<void> handle(Request& request, ResponseWriter& writer) = 0;
  // The server refused the request itself (413, 431, 408, malformed HTTP). `request` holds
  // whatever of the head was parsed (target may be empty).
  virtual boost::asio::awaitable<void> reject(const Error& error, const Request& request,
                                              ResponseWriter& writer) = 0;
};

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";
  int workers = 0;  // 0: hardware concurrency
  ServerLimits limits;
  std::string name = "server";  // used in thread names and logs
};

class Server {
 public:
  Server(ServerOptions options, std::shared_ptr<Handler> handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds every worker's acceptor and starts the threads. Fails with gateway_internal when the
  // address cannot be bound.
  Status start();
  std::uint16_t port() const { return port_; }
  std::string address() const;  // "127.0.0.1:PORT"

  // Graceful drain: stop accepting at once, let in-flight requests finish for up to `grace`,
  // then run `at_deadline` on every worker (handlers end what is left with a terminal error) and
  // give those requests up to `cut_grace` to write it; then stop the workers. Returns the
  // requests still in flight when the grace expired.
  std::size_t drain(std::chrono::milliseconds grace, std::function<void()> at_deadline = {},
                    std::chrono::milliseconds cut_grace = std::chrono::milliseconds(1000));
  void stop();  // immediate

  std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  bool draining() const { return draining_.load(std::memory_order_relaxed); }

  // Runs `fn` once on every worker thread (for per-thread state such as upstream pools).
  void set_worker_init(std::function<void(boost::asio::io_context&)> fn) {
    worker_init_ = std::move(fn);
  }

  struct Worker;

 private:
  ServerOptions options_;
  std::shared_ptr<Handler> handler_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::function<void(boost::asio::io_context&)> worker_init_;
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopped_{false};

  friend struct SessionAccess;
};

}  // namespace gw::http
