// The gateway's HTTP front door: dispatches each endpoint, attaches the request id, and records
// every request once (access log line, metrics, request log) whatever path it took.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "api/gateway_state.h"
#include "http/server.h"
#include "observability/access_log.h"
#include "spi/dialect.h"
#include "storage/request_log.h"

namespace gw::cost {
class LedgerService;
class RateLimiter;
}  // namespace gw::cost
namespace gw::keys {
class KeyStore;
}  // namespace gw::keys

namespace gw {

struct GatewayHandlerDeps {
  StateHolder* state = nullptr;
  AccessLog* access_log = nullptr;             // may be null
  storage::RequestLog* request_log = nullptr;  // may be null
  std::function<bool()> ready;                 // false while starting or draining
  cost::LedgerService* ledger = nullptr;       // budgets and cost events; may be null
  cost::RateLimiter* rate_limiter = nullptr;   // may be null: no rate limits
  keys::KeyStore* keys = nullptr;              // keys created at run time; may be null
};

class GatewayHandler final : public http::Handler {
 public:
  explicit GatewayHandler(GatewayHandlerDeps deps);
  ~GatewayHandler() override;

  boost::asio::awaitable<void> handle(http::Request& request,
                                      http::ResponseWriter& writer) override;
  boost::asio::awaitable<void> reject(const Error& error, const http::Request& request,
                                      http::ResponseWriter& writer) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gw
