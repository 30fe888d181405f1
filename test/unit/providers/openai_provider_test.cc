// OpenAIProvider (types "openai" and "mock"): upstream request shape, error decoding through the
// header lookup, and OpenAIStreamDecoder over recorded and broken streams.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "providers/openai/openai_provider.h"
#include "providers/openai/openai_stream_decoder.h"
#include "wire/wire_test_util.h"

namespace gw {
namespace {

namespace json = boost::json;
using test::dump;
using test::str;
using namespace std::chrono_literals;

ProviderSettings settings(std::string base_url, std::string key = "sk-test-123") {
  ProviderSettings s;
  s.name = "openai";
  s.type = "openai";
  s.base_url = std::move(base_url);
  s.api_key = std::move(key);
  return s;
}

ChatRequest simple_request(bool stream) {
  ChatRequest r;
  r.model = "persona-alias";
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("hi")}, ""});
  r.max_tokens = 20;
  r.stream = stream;
  return r;
}

std::unique_ptr<Provider> make(Result<std::unique_ptr<Provider>> r) {
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

std::string header(const UpstreamRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

UpstreamRequest encode_ok(const Provider& p, const ChatRequest& r, std::string request_id = "") {
  EncodeContext ctx;
  ctx.request_id = std::move(request_id);
  Result<UpstreamRequest> out = p.encode(r, "gpt-4o-mini", ctx);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? std::move(out).value() : UpstreamRequest{};
}

TEST(OpenAIProvider, RequestShape) {
  auto p = make(make_openai_provider(settings("https://api.openai.com")));
  EXPECT_EQ(p->type(), "openai");
  UpstreamRequest req = encode_ok(*p, simple_request(false), "req-42");
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/v1/chat/completions");
  EXPECT_FALSE(req.stream);
  EXPECT_EQ(header(req, "Authorization"), "Bearer sk-test-123");
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(header(req, "Accept"), "application/json");
  // X-Request-ID is added by the upstream client for every provider, not by adapters.
  EXPECT_EQ(header(req, "X-Request-ID"), "<absent>");
  json::object body = json::parse(req.body).as_object();
  EXPECT_EQ(body.at("model"), "gpt-4o-mini");
  // api.openai.com: the token limit goes as max_completion_tokens (o-series reject max_tokens).
  EXPECT_EQ(body.at("max_completion_tokens"), json::value(20));
  EXPECT_FALSE(body.contains("max_tokens"));
}

TEST(OpenAIProvider, StreamingRequest) {
  auto p = make(make_openai_provider(settings("https://api.openai.com")));
  UpstreamRequest req = encode_ok(*p, simple_request(true));
  EXPECT_TRUE(req.stream);
  EXPECT_EQ(header(req, "Accept"), "text/event-stream");
  EXPECT_EQ(header(req, "X-Request-ID"), "<absent>");
  json::object body = json::parse(req.body).as_object();
  EXPECT_EQ(body.at("stream"), json::value(true));
  EXPECT_EQ(body.at("stream_options"), json::parse(R"({"include_usage":true})"));
}

TEST(OpenAIProvider, PathRule) {
  struct Case {
    const char* base_url;
    const char* path;
  };
  const Case cases[] = {
      {"https://api.openai.com", "/v1/chat/completions"},
      {"https://api.openai.com/", "/v1/chat/completions"},
      {"https://api.openai.com/v1", "/chat/completions"},
      {"https://api.openai.com/v1/", "/chat/completions"},
      {"https://gw.example.com/openai", "/v1/chat/completions"},
      {"https://gw.example.com/openai/v1", "/chat/completions"},
      {"https://gw.example.com/v10", "/v1/chat/completions"},
      {"", "/v1/chat/completions"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.base_url);
    OpenAIProvider p(settings(c.base_url), OpenAIDialectOptions{});
    EXPECT_EQ(p.path(), c.path);
    EXPECT_EQ(encode_ok(p, simple_request(false)).path, c.path);
  }
  auto defaulted = make(make_openai_provider(settings("")));
  EXPECT_EQ(static_cast<OpenAIProvider&>(*defaulted).base_url(), "https://api.openai.com");
}

TEST(OpenAIProvider, NoKeyNoAuthorizationHeader) {
  auto p = make(make_openai_provider(settings("http://localhost:9999", "")));
  UpstreamRequest req = encode_ok(*p, simple_request(false));
  EXPECT_EQ(header(req, "Authorization"), "<absent>");
}

TEST(OpenAIProvider, UnresolvedCredentialFailsWithoutLeaking) {
  ProviderSettings s = settings("https://api.openai.com", "");
  s.credential_missing = true;
  s.credential_problem = "env OPENAI_API_KEY is not set";
  auto p = make(make_openai_provider(s));
  Result<UpstreamRequest> r = p->encode(simple_request(false), "gpt-4o", EncodeContext{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::provider_auth);
  EXPECT_NE(r.error().message.find("env OPENAI_API_KEY is not set"), std::string::npos);
}

TEST(OpenAIProvider, MockSpeaksOpenAIWithoutAKey) {
  ProviderSettings s = settings("", "some-key");
  s.type = "mock";
  s.credential_missing = true;  // the mock needs none, so a missing one does not matter
  auto p = make(make_mock_provider(s));
  EXPECT_EQ(p->type(), "mock");
  UpstreamRequest req = encode_ok(*p, simple_request(true));
  EXPECT_EQ(req.path, "/v1/chat/completions");
  EXPECT_EQ(header(req, "Authorization"), "<absent>");
  EXPECT_EQ(json::parse(req.body).at("max_tokens"), json::value(20));
}

TEST(OpenAIProvider, DecodeErrorReadsRetryHeaders) {
  auto p = make(make_openai_provider(settings("https://api.openai.com")));
  std::map<std::string, std::string> headers = {{"retry-after", "7"}, {"retry-after-ms", "6500"}};
  HeaderLookup lookup = [&](std::string_view name) -> std::string_view {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? std::string_view{} : std::string_view(it->second);
  };
  Error e = p->decode_error(429, lookup, test::fixture("openai/error-429-rate-limit.json"));
  EXPECT_EQ(e.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(e.retry_after, 6500ms);
  headers.erase("retry-after-ms");
  EXPECT_EQ(p->decode_error(429, lookup, "").retry_after, 7000ms);
  EXPECT_EQ(p->decode_error(500, nullptr, "").kind, ErrorKind::provider_server_error);
}

TEST(OpenAIProvider, DecodeResponse) {
  auto p = make(make_openai_provider(settings("https://api.openai.com")));
  Result<ChatResponse> r = p->decode_response(test::fixture("openai/chat-tools.response.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->content.size(), 2u);
  EXPECT_EQ(r->finish, FinishReason::tool_calls);
}

// --- stream decoder ---------------------------------------------------------------------------

struct Fed {
  std::vector<StreamEvent> events;
  Status feed_status;
  Status finish_status;
};

Fed feed(StreamDecoder& d, std::string_view bytes, std::size_t step) {
  Fed out;
  if (step == 0) step = bytes.size() ? bytes.size() : 1;
  for (std::size_t i = 0; i < bytes.size() && out.feed_status.ok(); i += step) {
    out.feed_status = d.feed(bytes.substr(i, step), out.events);
  }
  if (out.feed_status.ok()) out.finish_status = d.finish(out.events);
  return out;
}

TEST(OpenAIStreamDecoder, ByteAtATimeGivesTheSameEvents) {
  auto p = make(make_openai_provider(settings("https://api.openai.com")));
  for (const auto& path : test::fixture_files("openai", ".sse")) {
    SCOPED_TRACE(path.filename().string());
    const std::string bytes = test::read_file(path);
    auto whole_decoder = p->make_stream_decoder();
    Fed whole = feed(*whole_decoder, bytes, 0);
    ASSERT_TRUE(whole.feed_status.ok());
    ASSERT_TRUE(whole.finish_status.ok());
    // Agrees with the wire-level decoding (SseParser + OpenAIChunkDecoder).
    EXPECT_EQ(str(dump(whole.events)), str(dump(test::decode_openai_sse(bytes).events)));
    auto byte_decoder = p->make_stream_decoder();
    Fed bytewise = feed(*byte_decoder, bytes, 1);
    ASSERT_TRUE(bytewise.feed_status.ok());
    ASSERT_TRUE(bytewise.finish_status.ok());
    EXPECT_EQ(str(dump(bytewise.events)), str(dump(whole.events)));
  }
}

TEST(OpenAIStreamDecoder, CrlfFramingToo) {
  std::string bytes = test::fixture("openai/chat-stream.sse");
  std::string crlf;
  for (char c : bytes) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  OpenAIStreamDecoder a;
  OpenAIStreamDecoder b;
  Fed lf = feed(a, bytes, 0);
  Fed cr = feed(b, crlf, 3);
  ASSERT_TRUE(cr.finish_status.ok());
  EXPECT_EQ(str(dump(cr.events)), str(dump(lf.events)));
}

TEST(OpenAIStreamDecoder, MissingDoneIsAnInterruption) {
  std::string bytes = test::fixture("openai/chat-stream.sse");
  bytes.resize(bytes.find("data: [DONE]"));
  OpenAIStreamDecoder d;
  Fed f = feed(d, bytes, 100);
  ASSERT_TRUE(f.feed_status.ok());
  ASSERT_FALSE(f.finish_status.ok());
  EXPECT_EQ(f.finish_status.error().kind, ErrorKind::provider_stream_interrupted);
  EXPECT_EQ(f.finish_status.error().message, "stream ended before [DONE]");
  EXPECT_FALSE(f.events.empty());  // what did arrive was still decoded
}

TEST(OpenAIStreamDecoder, CutMidRecordIsAnInterruption) {
  std::string bytes = test::fixture("openai/chat-stream.sse");
  bytes.resize(bytes.size() / 2);
  OpenAIStreamDecoder d;
  Fed f = feed(d, bytes, 0);
  // Either the half record fails to parse or the stream lacks [DONE]; never a silent success.
  EXPECT_TRUE(!f.feed_status.ok() || !f.finish_status.ok());
}

TEST(OpenAIStreamDecoder, InBandErrorStopsTheStream) {
  const std::string bytes =
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
      "data: {\"error\":{\"message\":\"The server is overloaded\",\"type\":\"overloaded_error\","
      "\"param\":null,\"code\":null}}\n\n";
  OpenAIStreamDecoder d;
  std::vector<StreamEvent> events;
  Status s = d.feed(bytes, events);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::provider_overloaded);
  ASSERT_EQ(events.size(), 2u);  // start + "Hel" arrived before the error
  EXPECT_EQ(events[1].text, "Hel");
  // The decoder stays failed.
  std::vector<StreamEvent> more;
  Status again = d.feed("data: [DONE]\n\n", more);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::provider_overloaded);
  EXPECT_FALSE(d.finish(more).ok());
  EXPECT_TRUE(more.empty());
}

TEST(OpenAIStreamDecoder, ErrorEventType) {
  OpenAIStreamDecoder d;
  std::vector<StreamEvent> events;
  Status s = d.feed(
      "event: error\ndata: {\"error\":{\"message\":\"x\",\"type\":\"rate_limit_error\"}}\n\n",
      events);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::provider_rate_limited);
  OpenAIStreamDecoder plain;
  Status t = plain.feed("event: error\ndata: something broke\n\n", events);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().kind, ErrorKind::provider_server_error);
}

TEST(OpenAIStreamDecoder, GarbageChunk) {
  OpenAIStreamDecoder d;
  std::vector<StreamEvent> events;
  Status s = d.feed("data: {\"choices\": [\n\n", events);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::provider_bad_response);
}

TEST(OpenAIStreamDecoder, CommentsAndEventsAfterDone) {
  OpenAIStreamDecoder d;
  Fed f = feed(d,
               ": keep-alive\n\n"
               "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\n"
               "data: [DONE]\n\n"
               "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"late\"}}]}\n\n",
               0);
  ASSERT_TRUE(f.feed_status.ok());
  ASSERT_TRUE(f.finish_status.ok());
  ASSERT_EQ(f.events.size(), 2u);
  EXPECT_EQ(f.events[1].text, "ok");
}

// take(): how the streamed-read loops drive a decoder — a read's bytes are fed, the end of the
// body (an empty read) finishes the stream, a failed read is its own error.
TEST(OpenAIStreamDecoder, TakeFeedsFinishesAndPassesReadErrors) {
  OpenAIStreamDecoder d;
  std::vector<StreamEvent> events;
  bool ended = false;
  ASSERT_TRUE(d.take(std::string_view("data: {\"id\":\"c\",\"choices\":[{\"index\":0,"
                                      "\"delta\":{\"content\":\"ok\"}}]}\n\n"),
                     events, ended)
                  .ok());
  EXPECT_FALSE(ended);
  ASSERT_TRUE(d.take(std::string_view("data: [DONE]\n\n"), events, ended).ok());
  EXPECT_FALSE(ended);
  ASSERT_TRUE(d.take(std::string_view(), events, ended).ok());
  EXPECT_TRUE(ended);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].text, "ok");

  OpenAIStreamDecoder cut;
  bool cut_ended = false;
  Status unfinished = cut.take(std::string_view(), events, cut_ended);
  EXPECT_TRUE(cut_ended);
  ASSERT_FALSE(unfinished.ok()) << "a body that ends without [DONE] is interrupted";
  EXPECT_EQ(unfinished.error().kind, ErrorKind::provider_stream_interrupted);

  OpenAIStreamDecoder broken;
  bool broken_ended = false;
  Status lost = broken.take(Error::make(ErrorKind::provider_unavailable, "reset", "econnreset"),
                            events, broken_ended);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, "econnreset");
  EXPECT_FALSE(broken_ended);
}

}  // namespace
}  // namespace gw
