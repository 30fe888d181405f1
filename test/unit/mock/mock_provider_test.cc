// The mock provider end to end on loopback: real sockets, the real server, every fault knob
// that needs the wire (status + Retry-After, delays, drops, in-band errors, hangs, endless).
#include "mock/mock_provider.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include "mock/mock_state.h"

namespace gw::mock {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(GW_FIXTURES_DIR) + "/openai/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Reply {
  int status = 0;
  bhttp::fields headers;
  std::string body;  // what arrived, even when the connection broke
  boost::system::error_code ec;
};

class MockProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = MockProvider::start({});
    ASSERT_TRUE(started.ok()) << started.error().message;
    provider_ = std::move(*started);
  }

  tcp::socket connect() {
    tcp::socket socket(io_);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), provider_->port()));
    timeval tv{5, 0};  // no test may block forever on a broken mock
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return socket;
  }

  static void send(tcp::socket& socket, const std::string& method, const std::string& target,
                   const std::string& body, const bhttp::fields& extra) {
    bhttp::request<bhttp::string_body> req{method == "GET"      ? bhttp::verb::get
                                           : method == "DELETE" ? bhttp::verb::delete_
                                                                : bhttp::verb::post,
                                           target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    for (const auto& f : extra) req.set(f.name_string(), f.value());
    if (method == "POST") {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    bhttp::write(socket, req);
  }

  Reply call(const std::string& method, const std::string& target, const std::string& body = {},
             const bhttp::fields& extra = {}) {
    auto socket = connect();
    send(socket, method, target, body, extra);
    Reply reply;
    boost::beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bhttp::read(socket, buffer, parser, reply.ec);
    reply.status = parser.is_header_done() ? static_cast<int>(parser.get().result_int()) : 0;
    reply.headers = parser.get().base();
    reply.body = parser.get().body();
    return reply;
  }

  Reply chat(const std::string& body, const bhttp::fields& extra = {}) {
    return call("POST", "/v1/chat/completions", body, extra);
  }

  json::value stats() { return json::parse(call("GET", "/_mock/stats").body); }

  // Polls until no inference request is in flight: the leak check for hangs and streams.
  bool drains_within(std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (stats().at("in_flight").as_int64() == 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  asio::io_context io_;
  std::unique_ptr<MockProvider> provider_;
};

bhttp::fields headers(std::initializer_list<std::pair<std::string, std::string>> list) {
  bhttp::fields f;
  for (const auto& [k, v] : list) f.set(k, v);
  return f;
}

const std::string kStreamBody =
    R"({"model":"mock-gpt","stream":true,"stream_options":{"include_usage":true},)"
    R"("messages":[{"role":"user","content":"one two three four five six"}]})";

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

TEST_F(MockProviderTest, BaseUrlHealthAndModels) {
  EXPECT_EQ(provider_->base_url(), "http://127.0.0.1:" + std::to_string(provider_->port()));
  auto health = call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok");
  auto models = call("GET", "/v1/models");
  EXPECT_EQ(models.status, 200);
  EXPECT_EQ(json::parse(models.body).at("data").at(0).at("id").as_string(), "mock-gpt");
  auto unknown = call("POST", "/v1/nothing", "{}");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body).at("error").at("message").as_string(),
            "Invalid URL (POST /v1/nothing)");
}

TEST_F(MockProviderTest, ChatIsDeterministicAndEchoesTheRequestId) {
  const std::string body = fixture("chat.request.json");
  auto a = chat(body, headers({{"x-request-id", "req-123"}}));
  auto b = call("POST", "/some/prefix/v1/chat/completions", body);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.headers["x-request-id"], "req-123");
  EXPECT_EQ(a.headers["content-type"], "application/json");
  EXPECT_EQ(a.headers["openai-version"], "2020-10-01");
  EXPECT_FALSE(b.headers["x-request-id"].empty());
  EXPECT_EQ(a.body, b.body);
  EXPECT_EQ(json::parse(a.body).at("choices").at(0).at("message").at("content").as_string(),
            "Mock reply to: What's the weather like in SF?");

  auto log = json::parse(call("GET", "/_mock/requests").body).at("requests").as_array();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].at("headers").at("x-request-id").as_string(), "req-123");
  EXPECT_EQ(log[0].at("body").at("model").as_string(), "gpt-4o-2024-08-06");
}

TEST_F(MockProviderTest, InjectedStatusWithRetryAfter) {
  auto r = chat(fixture("chat.request.json"),
                headers({{"x-mock-status", "429"}, {"x-mock-retry-after", "20"}}));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers["retry-after"], "20");
  EXPECT_EQ(r.headers["retry-after-ms"], "20000");
  EXPECT_EQ(json::parse(r.body).at("error").at("code").as_string(), "rate_limit_exceeded");

  auto custom =
      chat(fixture("chat.request.json"),
           headers({{"x-mock-status", "402"}, {"x-mock-body", R"({"error":"no credit"})"}}));
  EXPECT_EQ(custom.status, 402);
  EXPECT_EQ(custom.body, R"({"error":"no credit"})");

  auto bad = chat(fixture("chat.request.json"), headers({{"x-mock-stauts", "429"}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("x-mock-stauts"), std::string::npos);
}

TEST_F(MockProviderTest, QueuedFaultsApplyInOrderToMatchingRequests) {
  auto q = call(
      "POST", "/_mock/faults",
      R"({"faults":[{"status":503,"match":{"model":"gpt-4o-2024-08-06"}},{"status":500,"times":2}]})");
  ASSERT_EQ(q.status, 200) << q.body;
  const std::string body = fixture("chat.request.json");
  const std::string other = R"({"model":"other","messages":[{"role":"user","content":"x"}]})";
  EXPECT_EQ(chat(other).status, 500);
  EXPECT_EQ(chat(body).status, 503);
  EXPECT_EQ(chat(body).status, 500);
  EXPECT_EQ(chat(body).status, 200);
  auto s = stats();
  EXPECT_EQ(s.at("by_status").at("500").as_int64(), 2);
  EXPECT_EQ(s.at("by_status").at("503").as_int64(), 1);
  EXPECT_EQ(s.at("by_status").at("200").as_int64(), 1);
}

TEST_F(MockProviderTest, StreamsLikeTheFixtureAndHonoursChunkDelays) {
  const auto start = Clock::now();
  auto r = chat(kStreamBody, headers({{"x-mock-chunk-delay-ms", "30"}}));
  const auto elapsed = Clock::now() - start;
  ASSERT_EQ(r.status, 200);
  EXPECT_FALSE(r.ec) << r.ec.message();
  EXPECT_EQ(r.headers["content-type"], "text/event-stream; charset=utf-8");
  EXPECT_EQ(count(r.body, "\"delta\":{\"content\":"), 9u);
  EXPECT_EQ(r.body.substr(r.body.size() - 14), "data: [DONE]\n\n");
  EXPECT_NE(r.body.find("\"choices\":[],\"usage\":{\"prompt_tokens\":"), std::string::npos);
  EXPECT_GE(elapsed, std::chrono::milliseconds(9 * 30));
  EXPECT_EQ(chat(kStreamBody).body, r.body);
}

TEST_F(MockProviderTest, DropAfterCutsTheConnectionWithoutDone) {
  auto r = chat(kStreamBody, headers({{"x-mock-drop-after", "3"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.ec);  // the body never completed
  EXPECT_EQ(count(r.body, "\"delta\":{\"content\":\""), 3u);
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);

  auto plain = chat(fixture("chat.request.json"), headers({{"x-mock-drop-after", "0"}}));
  EXPECT_EQ(plain.status, 0);  // non-streamed: dropped before the head
  EXPECT_TRUE(plain.ec);
}

TEST_F(MockProviderTest, InBandErrorEndsTheStreamWithoutDone) {
  auto r = chat(kStreamBody, headers({{"x-mock-stream-error", "2"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.ec);
  EXPECT_EQ(count(r.body, "\"delta\":{\"content\":\""), 2u);
  EXPECT_NE(r.body.find("data: {\"error\":{\"message\":"), std::string::npos);
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);

  auto first = chat(kStreamBody, headers({{"x-mock-stream-error", "0"}}));
  EXPECT_EQ(first.body.rfind("data: {\"error\":", 0), 0u);  // before even the role chunk
}

TEST_F(MockProviderTest, MalformedRecordAndNoUsage) {
  auto r = chat(kStreamBody, headers({{"x-mock-malformed", "1"}, {"x-mock-no-usage", "1"}}));
  EXPECT_EQ(r.status, 200);
  const auto bad = r.body.find("data: {\"id\": broken json\n\n");
  ASSERT_NE(bad, std::string::npos);
  EXPECT_EQ(count(r.body.substr(0, bad), "\"delta\":{\"content\":\""), 2u);
  EXPECT_EQ(r.body.find("\"usage\":{"), std::string::npos);
  EXPECT_NE(r.body.find("[DONE]"), std::string::npos);
}

TEST_F(MockProviderTest, DelayBeforeHeaders) {
  const auto start = Clock::now();
  auto r = chat(fixture("chat.request.json"), headers({{"x-mock-delay-ms", "150"}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(Clock::now() - start, std::chrono::milliseconds(150));
}

TEST_F(MockProviderTest, HangEndsWhenTheClientLeaves) {
  {
    auto socket = connect();
    send(socket, "POST", "/v1/chat/completions", fixture("chat.request.json"),
         headers({{"x-mock-hang", "1"}}));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(stats().at("in_flight").as_int64(), 1);
  }  // the client closes
  EXPECT_TRUE(drains_within(std::chrono::seconds(3)));
  EXPECT_EQ(stats().at("by_status").at("aborted").as_int64(), 1);
}

TEST_F(MockProviderTest, EndlessStreamStopsWhenTheClientLeaves) {
  {
    auto socket = connect();
    send(socket, "POST", "/v1/chat/completions", kStreamBody,
         headers({{"x-mock-endless", "1"}, {"x-mock-chunk-delay-ms", "1"}}));
    std::string got;
    char buf[4096];
    while (count(got, "\"delta\":{\"content\":\"") < 30) {
      boost::system::error_code ec;
      const std::size_t n = socket.read_some(asio::buffer(buf), ec);
      ASSERT_FALSE(ec) << ec.message();
      got.append(buf, n);
    }
    EXPECT_EQ(got.find("[DONE]"), std::string::npos);
  }
  EXPECT_TRUE(drains_within(std::chrono::seconds(3)));
}

TEST_F(MockProviderTest, StopAndDestroyWithAHangingRequestIsClean) {
  // Under ASan/LSan this also proves the suspended handler frame is freed, not leaked.
  auto socket = connect();
  send(socket, "POST", "/v1/chat/completions", fixture("chat.request.json"),
       headers({{"x-mock-hang", "1"}}));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(provider_->state().stats().in_flight, 1);
  provider_->stop();
  provider_->stop();  // idempotent
  provider_.reset();
  boost::system::error_code ec;
  char c;
  socket.read_some(asio::buffer(&c, 1), ec);
  EXPECT_TRUE(ec);  // the connection went away with the server
}

}  // namespace
}  // namespace gw::mock
