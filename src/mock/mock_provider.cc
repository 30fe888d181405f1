// MockProvider lifecycle and the mock-provider subcommand (see mock_provider.h).
#include "mock/mock_provider.h"

#include <csignal>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "http/server.h"
#include "mock/mock_handler.h"

namespace gw::mock {

Result<std::unique_ptr<MockProvider>> MockProvider::start(MockProviderOptions options) {
  std::unique_ptr<MockProvider> provider(new MockProvider());
  provider->handler_ = std::make_shared<MockHandler>();
  http::ServerOptions server_options;
  server_options.listen = std::move(options.listen);
  server_options.workers = options.workers;
  server_options.name = "mock-provider";
  provider->server_ = std::make_unique<http::Server>(server_options, provider->handler_);
  if (auto started = provider->server_->start(); !started) return std::move(started).error();
  return provider;
}

MockProvider::~MockProvider() {
  stop();
}

std::uint16_t MockProvider::port() const {
  return server_->port();
}

std::string MockProvider::base_url() const {
  // A wildcard bind is reachable on loopback; that is the URL clients should use.
  std::string address = server_->address();
  const auto colon = address.rfind(':');
  std::string host = colon == std::string::npos ? address : address.substr(0, colon);
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::" || host == "[::]") host = "[::1]";
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(server_->port());
}

void MockProvider::stop() {
  if (stopped_ || !server_) return;
  stopped_ = true;
  server_->stop();
}

MockState& MockProvider::state() {
  return handler_->state();
}

int mock_provider_command(const std::string& listen) {
  // Signals are claimed before the server starts so an early SIGTERM is never fatal.
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([](const boost::system::error_code&, int) {});

  MockProviderOptions options;
  options.listen = listen;
  auto provider = MockProvider::start(options);
  if (!provider) {
    std::cerr << "mock-provider: " << provider.error().message << '\n';
    return 1;
  }
  std::cout << "mock-provider listening on " << (*provider)->base_url() << std::endl;
  signals_io.run();
  (*provider)->stop();
  return 0;
}

}  // namespace gw::mock
