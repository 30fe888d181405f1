// The built-in mock LLM provider: a loopback HTTP server speaking provider wire formats
// (OpenAI Chat Completions today) with deterministic answers and fault injection, for demos,
// tests, chaos runs and benchmarks. `execution-platform mock-provider` runs it standalone;
// `serve` and the integration tests run it in-process. See docs/mock-provider.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"

namespace gw::http {
class Server;
}

namespace gw::mock {

class MockHandler;
class MockState;

struct MockProviderOptions {
  std::string listen = "127.0.0.1:0";
  int workers = 1;
};

class MockProvider {
 public:
  // Binds and starts serving on worker threads; fails when the address cannot be bound.
  static Result<std::unique_ptr<MockProvider>> start(MockProviderOptions options);
  ~MockProvider();
  MockProvider(const MockProvider&) = delete;
  MockProvider& operator=(const MockProvider&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"
  // Stops at once (in-flight requests, hangs and endless streams included). Idempotent.
  void stop();

  // The fault queue, request log and counters, for in-process tests.
  MockState& state();

 private:
  MockProvider() = default;

  std::shared_ptr<MockHandler> handler_;
  std::unique_ptr<http::Server> server_;
  bool stopped_ = false;
};

// `execution-platform mock-provider --listen ADDR`: starts, prints
// "mock-provider listening on http://HOST:PORT", serves until SIGINT/SIGTERM, stops. Returns the
// process exit code (0, or 1 when the address cannot be bound).
int mock_provider_command(const std::string& listen);

}  // namespace gw::mock
