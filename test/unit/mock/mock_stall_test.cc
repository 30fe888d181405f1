// The mock's stall knobs on loopback: stall_after (a stream that goes silent without finishing
// and stays open until the client leaves) and heartbeat_ms (SSE comments while silent, which are
// never content), plus the OpenAI 402 default body. Reads use poll() so "nothing arrived" is a
// bounded, measurable wait.
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include "mock/mock_fault.h"
#include "mock/mock_provider.h"
#include "mock/mock_state.h"

namespace gw::mock {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

const std::string kStreamBody =
    R"({"model":"mock-gpt","stream":true,)"
    R"("messages":[{"role":"user","content":"one two three four five six"}]})";
constexpr std::string_view kContent = "\"delta\":{\"content\":\"";  // an OpenAI content record
constexpr std::string_view kKeepalive = ": keepalive\n\n";

std::size_t count(const std::string& haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

// What one read window saw: the bytes and whether the server closed the connection.
struct Window {
  std::string bytes;
  bool closed = false;
};

class MockStallTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = MockProvider::start({});
    ASSERT_TRUE(started.ok()) << started.error().message;
    provider_ = std::move(*started);
  }

  tcp::socket connect() {
    tcp::socket socket(io_);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), provider_->port()));
    return socket;
  }

  // Sends one request and leaves the response on the socket.
  tcp::socket open(const std::string& target, const std::string& body,
                   std::initializer_list<std::pair<std::string, std::string>> extra) {
    auto socket = connect();
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::content_type, "application/json");
    for (const auto& [k, v] : extra) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(socket, req);
    return socket;
  }

  // Reads whatever arrives within `span` (or until the server closes).
  static Window read_for(tcp::socket& socket, milliseconds span) {
    Window w;
    const auto deadline = Clock::now() + span;
    char buf[4096];
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return w;
      pollfd p{socket.native_handle(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
      const auto n = ::recv(socket.native_handle(), buf, sizeof buf, 0);
      if (n <= 0) {
        w.closed = true;
        return w;
      }
      w.bytes.append(buf, static_cast<std::size_t>(n));
    }
  }

  // Reads until `needle` arrived, the server closed, or `limit` passed.
  static Window read_until(tcp::socket& socket, std::string_view needle, milliseconds limit) {
    Window all;
    const auto deadline = Clock::now() + limit;
    while (all.bytes.find(needle) == std::string::npos && !all.closed && Clock::now() < deadline) {
      Window w = read_for(socket, milliseconds(20));
      all.bytes += w.bytes;
      all.closed = w.closed;
    }
    return all;
  }

  json::value get(const std::string& target) {
    auto socket = connect();
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    bhttp::write(socket, req);
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    return json::parse(res.body());
  }

  std::int64_t in_flight() { return get("/_mock/stats").at("in_flight").as_int64(); }

  std::int64_t by_status(const std::string& key) {
    const json::value stats = get("/_mock/stats");
    const auto* v = stats.at("by_status").as_object().if_contains(key);
    return v == nullptr ? 0 : v->as_int64();
  }

  bool drains_within(milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (in_flight() == 0) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return false;
  }

  asio::io_context io_;
  std::unique_ptr<MockProvider> provider_;
};

TEST(MockStallFault, HeadersAndQueueFieldsParseWithBounds) {
  auto f = parse_fault_headers({{"x-mock-stall-after", "3"}, {"x-mock-heartbeat-ms", "100"}});
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->stall_after, 3);
  EXPECT_EQ(f->heartbeat_ms, 100);
  EXPECT_FALSE(f->replaces_answer());
  EXPECT_EQ(parse_fault_headers({{"x-mock-stall-after", "0"}})->stall_after, 0);

  for (const http::Header& bad : std::vector<http::Header>{{"x-mock-stall-after", "-1"},
                                                           {"x-mock-stall-after", "1000000001"},
                                                           {"x-mock-heartbeat-ms", "0"},
                                                           {"x-mock-heartbeat-ms", "3600001"},
                                                           {"x-mock-heartbeat-ms", "fast"}}) {
    auto r = parse_fault_headers({bad});
    ASSERT_FALSE(r.ok()) << bad.name << ": " << bad.value;
    EXPECT_NE(r.error().message.find(bad.name), std::string::npos) << r.error().message;
  }

  auto q = parse_fault_queue(
      json::parse(R"({"faults":[{"times":0,"stall_after":3,"heartbeat_ms":250}]})"));
  ASSERT_TRUE(q.ok()) << q.error().message;
  EXPECT_EQ((*q)[0].fault.stall_after, 3);
  EXPECT_EQ((*q)[0].fault.heartbeat_ms, 250);
  const auto round = to_json((*q)[0]);
  EXPECT_EQ(round.at("stall_after").as_int64(), 3);
  EXPECT_EQ(round.at("heartbeat_ms").as_int64(), 250);
  EXPECT_FALSE(parse_fault_queue(json::parse(R"({"faults":[{"heartbeat_ms":0}]})")).ok());
}

TEST(MockStallFault, MergeKeepsQueuedStallUnlessAHeaderOverrides) {
  MockFault queued;
  queued.stall_after = 3;
  queued.heartbeat_ms = 100;
  MockFault header;
  header.heartbeat_ms = 20;
  queued.merge_from(header);
  EXPECT_EQ(queued.stall_after, 3);
  EXPECT_EQ(queued.heartbeat_ms, 20);
  EXPECT_FALSE(queued.empty());
}

TEST_F(MockStallTest, StallAfterSendsNContentRecordsThenSilenceUntilTheClientLeaves) {
  {
    auto socket = open("/v1/chat/completions", kStreamBody, {{"x-mock-stall-after", "3"}});
    Window first = read_until(socket, "\"content\":\" to:\"", milliseconds(3000));
    ASSERT_FALSE(first.closed) << first.bytes;
    Window more = read_for(socket, milliseconds(400));
    const std::string got = first.bytes + more.bytes;
    EXPECT_FALSE(more.closed);
    EXPECT_EQ(count(got, kContent), 3u) << got;
    EXPECT_EQ(got.find("\"finish_reason\":\"stop\""), std::string::npos);
    EXPECT_EQ(got.find("[DONE]"), std::string::npos);
    EXPECT_EQ(got.find(": keepalive"), std::string::npos);  // no heartbeat unless asked
    EXPECT_EQ(in_flight(), 1);
  }  // the client leaves
  EXPECT_TRUE(drains_within(milliseconds(3000)));
  EXPECT_EQ(by_status("aborted"), 1);
  EXPECT_EQ(by_status("200"), 1);  // the head did go out
}

TEST_F(MockStallTest, StallAfterZeroStopsRightAfterTheRoleChunk) {
  auto socket = open("/v1/chat/completions", kStreamBody, {{"x-mock-stall-after", "0"}});
  Window w = read_for(socket, milliseconds(400));
  EXPECT_FALSE(w.closed);
  EXPECT_NE(w.bytes.find("\"role\":\"assistant\""), std::string::npos) << w.bytes;
  EXPECT_EQ(count(w.bytes, kContent), 0u);
  EXPECT_EQ(w.bytes.find("[DONE]"), std::string::npos);
}

TEST_F(MockStallTest, StallPastTheEndWithholdsOnlyTheFinish) {
  auto socket = open("/v1/chat/completions", kStreamBody, {{"x-mock-stall-after", "100"}});
  Window w = read_for(socket, milliseconds(400));
  EXPECT_FALSE(w.closed);
  EXPECT_EQ(count(w.bytes, kContent), 9u) << w.bytes;  // "Mock reply to: one … six"
  EXPECT_EQ(w.bytes.find("\"finish_reason\":\"stop\""), std::string::npos);
  EXPECT_EQ(w.bytes.find("[DONE]"), std::string::npos);
}

TEST_F(MockStallTest, HeartbeatsWhileStalledAreCommentsNotContent) {
  {
    auto socket = open("/v1/chat/completions", kStreamBody,
                       {{"x-mock-stall-after", "2"}, {"x-mock-heartbeat-ms", "50"}});
    Window w = read_for(socket, milliseconds(600));
    EXPECT_FALSE(w.closed);
    EXPECT_EQ(count(w.bytes, kContent), 2u) << w.bytes;
    // ~12 in 600 ms; a loaded sanitizer build may lose a few ticks, never gain any.
    EXPECT_GE(count(w.bytes, kKeepalive), 5u) << w.bytes;
    EXPECT_LE(count(w.bytes, kKeepalive), 12u) << w.bytes;
    // Every heartbeat comes after the last content record.
    EXPECT_GT(w.bytes.find(kKeepalive), w.bytes.rfind(kContent));
    EXPECT_EQ(w.bytes.find("[DONE]"), std::string::npos);
  }
  EXPECT_TRUE(drains_within(milliseconds(3000)));
  EXPECT_EQ(by_status("aborted"), 1);
}

TEST_F(MockStallTest, HeartbeatsFillSlowChunkGapsAndTheStreamStillCompletes) {
  auto socket = open(
      "/v1/chat/completions", kStreamBody,
      {{"x-mock-chunks", "3"}, {"x-mock-chunk-delay-ms", "250"}, {"x-mock-heartbeat-ms", "60"}});
  Window w = read_until(socket, "data: [DONE]", milliseconds(5000));
  ASSERT_NE(w.bytes.find("data: [DONE]"), std::string::npos) << w.bytes;
  EXPECT_EQ(count(w.bytes, kContent), 3u);
  EXPECT_NE(w.bytes.find("\"finish_reason\":\"stop\""), std::string::npos);
  // Four heartbeats fit in each of the three 250 ms gaps.
  EXPECT_GE(count(w.bytes, kKeepalive), 6u) << w.bytes;
  EXPECT_LE(count(w.bytes, kKeepalive), 12u) << w.bytes;
  // Nothing before the role chunk: the head is followed by data, not a comment.
  EXPECT_LT(w.bytes.find("\"role\":\"assistant\""), w.bytes.find(kKeepalive));
}

TEST_F(MockStallTest, QueuedStallWithHeartbeatAppliesToTheNextStream) {
  auto socket = connect();
  {
    bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/_mock/faults", 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.body() = R"({"faults":[{"stall_after":1,"heartbeat_ms":40,"match":{"stream":true}}]})";
    req.prepare_payload();
    bhttp::write(socket, req);
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    ASSERT_EQ(res.result_int(), 200u) << res.body();
  }
  auto stream = open("/v1/chat/completions", kStreamBody, {});
  Window w = read_for(stream, milliseconds(400));
  EXPECT_EQ(count(w.bytes, kContent), 1u) << w.bytes;
  EXPECT_GE(count(w.bytes, kKeepalive), 3u) << w.bytes;
}

TEST_F(MockStallTest, GeminiHeartbeatsUseTheStreamsCrlfFraming) {
  auto socket = open("/v1beta/models/mock-gemini:streamGenerateContent?alt=sse",
                     R"({"contents":[{"role":"user","parts":[{"text":"one two three"}]}]})",
                     {{"x-goog-api-key", "AIza-mock-test"},
                      {"x-mock-stall-after", "1"},
                      {"x-mock-heartbeat-ms", "50"}});
  Window w = read_for(socket, milliseconds(400));
  EXPECT_FALSE(w.closed);
  EXPECT_NE(w.bytes.find("text/event-stream"), std::string::npos) << w.bytes;
  EXPECT_GE(count(w.bytes, ": keepalive\r\n\r\n"), 3u) << w.bytes;
  EXPECT_EQ(count(w.bytes, kKeepalive), 0u);
}

TEST_F(MockStallTest, AnthropicHeartbeatsAreSseComments) {
  auto socket = open("/v1/messages",
                     R"({"model":"claude-mock","max_tokens":64,"stream":true,)"
                     R"("messages":[{"role":"user","content":"one two three"}]})",
                     {{"anthropic-version", "2023-06-01"},
                      {"x-api-key", "sk-ant-mock"},
                      {"x-mock-stall-after", "1"},
                      {"x-mock-heartbeat-ms", "50"}});
  Window w = read_for(socket, milliseconds(400));
  EXPECT_FALSE(w.closed);
  EXPECT_GE(count(w.bytes, kKeepalive), 3u) << w.bytes;
  EXPECT_LT(w.bytes.find("message_start"), w.bytes.find(kKeepalive));
  EXPECT_EQ(w.bytes.find("message_stop"), std::string::npos);
}

TEST_F(MockStallTest, OllamaIgnoresHeartbeatsButStalls) {
  {
    auto socket = open(
        "/api/chat", R"({"model":"llama3","messages":[{"role":"user","content":"one two three"}]})",
        {{"x-mock-stall-after", "1"}, {"x-mock-heartbeat-ms", "50"}});
    Window w = read_for(socket, milliseconds(400));
    EXPECT_FALSE(w.closed);
    EXPECT_NE(w.bytes.find("application/x-ndjson"), std::string::npos) << w.bytes;
    EXPECT_EQ(w.bytes.find("keepalive"), std::string::npos) << w.bytes;  // NDJSON has no comments
    EXPECT_EQ(w.bytes.find("\"done\":true"), std::string::npos);
    EXPECT_EQ(in_flight(), 1);
  }
  EXPECT_TRUE(drains_within(milliseconds(3000)));
}

TEST_F(MockStallTest, OpenAi402DefaultBodyIsInsufficientQuota) {
  auto socket = open("/v1/chat/completions",
                     R"({"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]})",
                     {{"x-mock-status", "402"}});
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(socket, buffer, res);
  EXPECT_EQ(res.result_int(), 402u);
  const auto e = json::parse(res.body()).at("error");
  EXPECT_EQ(e.at("message").as_string(),
            "You exceeded your current quota, please check your plan and billing details.");
  EXPECT_EQ(e.at("type").as_string(), "insufficient_quota");
  EXPECT_EQ(e.at("code").as_string(), "insufficient_quota");
  EXPECT_TRUE(e.at("param").is_null());
}

}  // namespace
}  // namespace gw::mock
