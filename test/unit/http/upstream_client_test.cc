// The upstream client against small in-test servers on loopback: pooled keep-alive, streamed
// bodies, the four timeouts, and TLS certificate verification (an untrusted certificate must
// fail the handshake).
#include "http/upstream_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

namespace gw::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A blocking one-thread server: for each accepted connection, `serve` runs with the socket.
class TestServer {
 public:
  explicit TestServer(std::function<void(tcp::socket&)> serve)
      : acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}), serve_(std::move(serve)) {
    thread_ = std::thread([this] {
      for (;;) {
        tcp::socket s(ioc_);
        boost::system::error_code ec;
        acceptor_.accept(s, ec);
        if (ec || stop_) return;
        ++accepts_;
        serve_(s);
      }
    });
  }
  ~TestServer() {
    stop_ = true;
    boost::system::error_code ec;
    tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int accepts() const { return accepts_; }

 private:
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::function<void(tcp::socket&)> serve_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepts_{0};
};

// Reads one request head (and a Content-Length body) off the socket; false on EOF.
bool read_request(tcp::socket& s) {
  std::string data;
  char c;
  boost::system::error_code ec;
  while (data.find("\r\n\r\n") == std::string::npos) {
    if (asio::read(s, asio::buffer(&c, 1), ec) != 1) return false;
    data.push_back(c);
  }
  auto pos = data.find("content-length: ");
  if (pos != std::string::npos) {
    std::size_t n = std::stoul(data.substr(pos + 16));
    std::string body(n, '\0');
    asio::read(s, asio::buffer(body), ec);
  }
  return true;
}

template <typename T>
T run(asio::io_context& ioc, asio::awaitable<T> op) {
  std::optional<T> out;
  asio::co_spawn(
      ioc,
      [&]() -> asio::awaitable<void> {
        auto v = co_await std::move(op);
        out.emplace(std::move(v));
      },
      asio::detached);
  ioc.run();
  ioc.restart();
  return std::move(*out);
}

UpstreamCall call_to(const Endpoint& ep, UpstreamTimeouts t = {}) {
  UpstreamCall c;
  c.endpoint = &ep;
  c.request.path = "/v1/chat/completions";
  c.request.body = R"({"model":"m"})";
  c.request_id = "req-test";
  c.timeouts = t;
  return c;
}

asio::awaitable<Result<std::string>> fetch(UpstreamClient& client, UpstreamCall call) {
  auto ex = co_await client.send(std::move(call));
  if (!ex) co_return std::move(ex).error();
  auto body = co_await (*ex)->read_all(1 << 20);
  if (!body) co_return std::move(body).error();
  co_return std::to_string((*ex)->status()) + " " + *body;
}

Endpoint endpoint(const std::string& url) {
  return Endpoint::parse(url).value();
}

TEST(Endpoint, ParsesSchemeHostPortAndPrefix) {
  auto ep = endpoint("https://api.example.com/openai/v1/");
  EXPECT_TRUE(ep.tls);
  EXPECT_EQ(ep.host, "api.example.com");
  EXPECT_EQ(ep.port, 443);
  EXPECT_EQ(ep.prefix, "/openai/v1");
  EXPECT_EQ(ep.host_header, "api.example.com");
  auto local = endpoint("http://127.0.0.1:8000");
  EXPECT_FALSE(local.tls);
  EXPECT_EQ(local.port, 8000);
  EXPECT_EQ(local.host_header, "127.0.0.1:8000");
  EXPECT_FALSE(Endpoint::parse("ftp://x").ok());
  EXPECT_FALSE(Endpoint::parse("not a url").ok());
}

TEST(UpstreamClient, KeepAliveReusesOneConnection) {
  TestServer server([](tcp::socket& s) {
    while (read_request(s)) {
      std::string r = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
      asio::write(s, asio::buffer(r));
    }
  });
  asio::io_context ioc;
  UpstreamClient client(ioc.get_executor());
  auto ep = endpoint("http://127.0.0.1:" + std::to_string(server.port()));
  for (int i = 0; i < 3; ++i) {
    auto r = run(ioc, fetch(client, call_to(ep)));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, "200 ok");
  }
  EXPECT_EQ(server.accepts(), 1);
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST(UpstreamClient, ChunkedBodyIsReadPiecewise) {
  TestServer server([](tcp::socket& s) {
    read_request(s);
    std::string r = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n";
    asio::write(s, asio::buffer(r));
    std::this_thread::sleep_for(50ms);
    std::string rest = "6\r\n world\r\n0\r\n\r\n";
    asio::write(s, asio::buffer(rest));
  });
  asio::io_context ioc;
  UpstreamClient client(ioc.get_executor());
  auto ep = endpoint("http://127.0.0.1:" + std::to_string(server.port()));
  auto pieces = run(ioc, [&]() -> asio::awaitable<std::vector<std::string>> {
    std::vector<std::string> out;
    auto ex = co_await client.send(call_to(ep));
    if (!ex) co_return out;
    for (;;) {
      auto p = co_await (*ex)->read_some();
      if (!p || p->empty()) break;
      out.emplace_back(*p);
    }
    co_return out;
  }());
  ASSERT_GE(pieces.size(), 2u);
  EXPECT_EQ(pieces.front(), "hello");
  std::string all;
  for (auto& p : pieces) all += p;
  EXPECT_EQ(all, "hello world");
}

TEST(UpstreamClient, ConnectRefusedIsProviderUnavailable) {
  std::uint16_t port;
  {
    asio::io_context tmp;
    tcp::acceptor a(tmp, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  asio::io_context ioc;
  UpstreamClient client(ioc.get_executor());
  auto ep = endpoint("http://127.0.0.1:" + std::to_string(port));
  auto r = run(ioc, fetch(client, call_to(ep)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::provider_unavailable);
  EXPECT_EQ(r.error().code, "connect_failed");
}

TEST(UpstreamClient, NoAnswerHitsTheFirstByteTimeout) {
  TestServer server([](tcp::socket& s) {
    read_request(s);
    std::this_thread::sleep_for(600ms);
  });
  asio::io_context ioc;
  UpstreamClient client(ioc.get_executor());
  auto ep = endpoint("http://127.0.0.1:" + std::to_string(server.port()));
  UpstreamTimeouts t;
  t.first_byte = 200ms;
  auto r = run(ioc, fetch(client, call_to(ep, t)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::provider_timeout);
  EXPECT_EQ(r.error().code, "first_byte_timeout");
}

TEST(UpstreamClient, SilenceMidBodyHitsTheIdleTimeout) {
  TestServer server([](tcp::socket& s) {
    read_request(s);
    std::string r = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n";
    asio::write(s, asio::buffer(r));
    std::this_thread::sleep_for(600ms);
  });
  asio::io_context ioc;
  UpstreamClient client(ioc.get_executor());
  auto ep = endpoint("http://127.0.0.1:" + std::to_string(server.port()));
  UpstreamTimeouts t;
  t.idle = 200ms;
  auto r = run(ioc, fetch(client, call_to(ep, t)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::provider_timeout);
  EXPECT_EQ(r.error().code, "idle_timeout");
}

TEST(UpstreamClient, TotalDeadlineBoundsASlowTrickle) {
  TestServer server([](tcp::socket& s) {
    read_request(s);
    std::string r = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
    asio::write(s, asio::buffer(r));
    boost::system::error_code ec;
    for (int i = 0; i < 20 && !ec; ++i) {
      asio::write(s, asio::buffer(std::string("1\r\nx\r\n")), ec);
      std::this_thread::sleep_for(50ms);
    }
  });
  asio::io_context ioc;
  UpstreamClient client(ioc.get_executor());
  auto ep = endpoint("http://127.0.0.1:" + std::to_string(server.port()));
  UpstreamTimeouts t;
  t.idle = 500ms;
  t.total = 300ms;
  auto r = run(ioc, fetch(client, call_to(ep, t)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "deadline_exceeded");
}

TEST(UpstreamClient, UntrustedCertificateFailsTheHandshake) {
  auto dir = std::filesystem::temp_directory_path() / ("gw-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
      (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string() + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl CLI is needed for this test";
  asio::ssl::context server_ctx(asio::ssl::context::tls_server);
  server_ctx.use_certificate_chain_file((dir / "cert.pem").string());
  server_ctx.use_private_key_file((dir / "key.pem").string(), asio::ssl::context::pem);
  std::atomic<bool> handshake_ok{false};
  TestServer server([&](tcp::socket& s) {
    asio::ssl::stream<tcp::socket&> tls(s, server_ctx);
    boost::system::error_code ec;
    tls.handshake(asio::ssl::stream_base::server, ec);
    if (!ec) handshake_ok = true;
  });
  asio::io_context ioc;
  UpstreamClient client(ioc.get_executor());
  auto ep = endpoint("https://127.0.0.1:" + std::to_string(server.port()));
  auto r = run(ioc, fetch(client, call_to(ep)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::provider_unavailable);
  EXPECT_EQ(r.error().code, "tls_error");
  EXPECT_FALSE(handshake_ok.load());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gw::http
