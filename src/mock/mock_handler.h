// The mock provider's HTTP handler: routes /_mock/* to the control endpoint, /healthz, each
// dialect's side endpoints (model lists) and inference endpoints, and runs the shared fault
// pipeline (delay → hang → injected status → request errors → completion) for every dialect.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "http/server.h"
#include "mock/mock_dialect.h"
#include "mock/mock_state.h"

namespace gw::mock {

class MockHandler final : public http::Handler {
 public:
  MockHandler();

  boost::asio::awaitable<void> handle(http::Request& request,
                                      http::ResponseWriter& writer) override;
  boost::asio::awaitable<void> reject(const Error& error, const http::Request& request,
                                      http::ResponseWriter& writer) override;

  MockState& state() { return state_; }

 private:
  boost::asio::awaitable<void> serve_inference(const MockDialect& dialect, http::Request& request,
                                               http::ResponseWriter& writer);
  // Errors outside any dialect's endpoint (unknown path, server rejects) use the first dialect.
  const MockDialect& default_dialect() const { return *dialects_.front(); }

  MockState state_;
  std::vector<std::unique_ptr<MockDialect>> dialects_;
};

}  // namespace gw::mock
