// The HTTP server end to end on loopback: keep-alive, limits answered through reject(), drain.
#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>

#include "http/response_writer.h"

namespace gw::http {
namespace {

namespace asio = boost::asio;

class EchoHandler final : public Handler {
 public:
  asio::awaitable<void> handle(Request& request, ResponseWriter& writer) override {
    if (request.path() == "/stream") {
      HeaderList h;
      h.emplace_back("content-type", "text/plain");
      co_await writer.begin_stream(200, std::move(h));
      co_await writer.write("one,");
      co_await writer.write("two");
      co_await writer.end_stream();
      co_return;
    }
    HeaderList h;
    h.emplace_back("content-type", "text/plain");
    std::string body =
        request.method + " " + request.target + " " + std::to_string(request.body.size());
    co_await writer.send(200, std::move(h), std::move(body));
  }
  asio::awaitable<void> reject(const Error& error, const Request&,
                               ResponseWriter& writer) override {
    HeaderList h;
    h.emplace_back("content-type", "text/plain");
    std::string body(name(error.kind));
    co_await writer.send(http_status(error.kind), std::move(h), std::move(body));
  }
};

// A blocking client: sends raw bytes, reads until `until` appears or the peer closes.
std::string exchange(asio::ip::tcp::socket& s, const std::string& bytes, const std::string& until) {
  asio::write(s, asio::buffer(bytes));
  std::string got;
  char buf[4096];
  boost::system::error_code ec;
  while (got.find(until) == std::string::npos) {
    std::size_t n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    got.append(buf, n);
  }
  return got;
}

struct ServerFixture : ::testing::Test {
  void SetUp() override {
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.workers = 2;
    o.limits.max_body_bytes = 1024;
    o.limits.max_header_bytes = 2048;
    server = std::make_unique<Server>(o, std::make_shared<EchoHandler>());
    ASSERT_TRUE(server->start().ok());
  }
  asio::ip::tcp::socket connect() {
    asio::ip::tcp::socket s(ioc);
    s.connect({asio::ip::make_address("127.0.0.1"), server->port()});
    return s;
  }
  asio::io_context ioc;
  std::unique_ptr<Server> server;
};

TEST_F(ServerFixture, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto s = connect();
  for (int i = 0; i < 3; ++i) {
    auto r = exchange(s, "POST /x?i=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
                      "POST /x?i=1 5");
    EXPECT_NE(r.find("HTTP/1.1 200 OK"), std::string::npos) << r;
    EXPECT_NE(r.find("connection: keep-alive"), std::string::npos);
  }
}

TEST_F(ServerFixture, StreamedResponseIsChunked) {
  auto s = connect();
  auto r = exchange(s, "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n", "0\r\n\r\n");
  EXPECT_NE(r.find("transfer-encoding: chunked"), std::string::npos);
  EXPECT_NE(r.find("4\r\none,\r\n3\r\ntwo\r\n0\r\n\r\n"), std::string::npos) << r;
}

TEST_F(ServerFixture, BodyOverLimitIs413) {
  auto s = connect();
  auto r = exchange(s, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1025\r\n\r\n",
                    "caller_payload_too_large");
  EXPECT_NE(r.find("HTTP/1.1 413"), std::string::npos) << r;
}

TEST_F(ServerFixture, ChunkedBodyOverLimitIs413) {
  auto s = connect();
  std::string big(1100, 'x');
  std::string req = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n44c\r\n" +
                    big + "\r\n0\r\n\r\n";
  auto r = exchange(s, req, "caller_payload_too_large");
  EXPECT_NE(r.find("HTTP/1.1 413"), std::string::npos) << r;
}

TEST_F(ServerFixture, HeadersOverLimitAre431) {
  auto s = connect();
  std::string req = "GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n";
  auto r = exchange(s, req, "caller_headers_too_large");
  EXPECT_NE(r.find("HTTP/1.1 431"), std::string::npos) << r;
}

TEST_F(ServerFixture, MalformedHttpIs400) {
  auto s = connect();
  auto r = exchange(s, "NOT HTTP AT ALL\r\n\r\n", "caller_invalid_request");
  EXPECT_NE(r.find("HTTP/1.1 400"), std::string::npos) << r;
}

TEST_F(ServerFixture, DrainRefusesNewConnectionsAndExits) {
  EXPECT_EQ(server->drain(std::chrono::milliseconds(500)), 0u);
  asio::ip::tcp::socket s(ioc);
  boost::system::error_code ec;
  s.connect({asio::ip::make_address("127.0.0.1"), server->port()}, ec);
  EXPECT_TRUE(ec) << "connection accepted after drain";
}

}  // namespace
}  // namespace gw::http
