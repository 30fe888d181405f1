// The upstream HTTP/1.1 client every provider shares: per-thread keep-alive pools keyed by
// scheme://host:port, TLS verified against the system trust store (with SNI and host-name
// checks), four timeouts (connect, first byte, idle between reads, total deadline), and bodies
// read piecewise into a pre-reserved buffer so a slow client slows the upstream read
// (backpressure) instead of growing memory. No retries here: the router owns retry policy.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "common/result.h"
#include "http/endpoint.h"
#include "http/request.h"
#include "spi/provider.h"
#include "spi/provider_settings.h"

namespace gw::http {

using Clock = std::chrono::steady_clock;

class UpstreamConnection;

// One request/response exchange on a pooled connection. Destroying it returns the connection to
// the pool only if the body was read to the end; otherwise the connection is closed (that is how
// a client disconnect cancels its upstream request).
class UpstreamExchange {
 public:
  UpstreamExchange(std::unique_ptr<UpstreamConnection> conn, Clock::time_point deadline,
                   std::chrono::milliseconds idle);
  ~UpstreamExchange();
  UpstreamExchange(const UpstreamExchange&) = delete;
  UpstreamExchange& operator=(const UpstreamExchange&) = delete;

  int status() const { return status_; }
  const std::vector<Header>& headers() const { return headers_; }
  std::string_view header(std::string_view lower_name) const;
  HeaderLookup header_lookup() const;

  // The next piece of body; an empty view once the body is complete. The view is valid until the
  // next call. `idle_deadline` bounds this read (the caller resets it only when data-bearing events
  // arrive, so heartbeat comments cannot keep a stalled stream alive); the total deadline applies
  // too.
  boost::asio::awaitable<Result<std::string_view>> read_some(Clock::time_point idle_deadline);
  boost::asio::awaitable<Result<std::string_view>> read_some();  // idle from now
  // The whole body, failing past max_bytes.
  boost::asio::awaitable<Result<std::string>> read_all(std::size_t max_bytes);

  bool done() const { return done_; }
  std::chrono::milliseconds idle_timeout() const { return idle_; }
  // Closes the connection now; it will not be reused.
  void cancel();

  // Internal: filled by UpstreamClient::send.
  void set_head(int status, std::vector<Header> headers) {
    status_ = status;
    headers_ = std::move(headers);
  }
  UpstreamConnection& connection() { return *conn_; }

 private:
  std::unique_ptr<UpstreamConnection> conn_;
  Clock::time_point deadline_;
  std::chrono::milliseconds idle_;
  int status_ = 0;
  std::vector<Header> headers_;
  bool done_ = false;
  bool failed_ = false;
};

struct UpstreamCall {
  const Endpoint* endpoint = nullptr;
  UpstreamRequest request;
  UpstreamTimeouts timeouts;
  std::string request_id;
  Clock::time_point deadline = Clock::time_point::max();  // overall; min'd with timeouts.total
};

class UpstreamClient {
 public:
  explicit UpstreamClient(boost::asio::any_io_executor executor);
  ~UpstreamClient();

  // The client of the calling worker thread (one per io_context; pools are not shared).
  static UpstreamClient& for_this_thread(boost::asio::any_io_executor executor);

  // Sends the request and reads the response head. Errors: provider_unavailable (resolve,
  // connect, TLS, reset), provider_timeout (connect_timeout, first_byte_timeout),
  // provider_bad_response (malformed HTTP).
  boost::asio::awaitable<Result<std::unique_ptr<UpstreamExchange>>> send(UpstreamCall call);

  // Internal: connections come back here from finished exchanges.
  void release(std::unique_ptr<UpstreamConnection> conn);
  std::size_t idle_connections() const;

 private:
  struct Pool;
  boost::asio::any_io_executor executor_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace gw::http
