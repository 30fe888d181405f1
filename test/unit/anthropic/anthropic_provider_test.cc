// AnthropicProvider: upstream request shape (path, headers, body), config fields, capabilities,
// error decoding through the header lookup, and its stream decoder.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "anthropic/anthropic_test_util.h"
#include "providers/anthropic/anthropic_provider.h"

namespace gw {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

ProviderSettings settings(std::string base_url = "", std::string key = "sk-ant-test") {
  ProviderSettings s;
  s.name = "claude";
  s.type = "anthropic";
  s.base_url = std::move(base_url);
  s.api_key = std::move(key);
  return s;
}

std::unique_ptr<Provider> make(const ProviderSettings& s) {
  Result<std::unique_ptr<Provider>> r = make_anthropic_provider(s);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

ChatRequest simple_request(bool stream) {
  ChatRequest r;
  r.model = "persona-alias";
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("hi")}, ""});
  r.stream = stream;
  return r;
}

std::string header(const UpstreamRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

UpstreamRequest encode_ok(const Provider& p, const ChatRequest& r) {
  EncodeContext ctx;
  ctx.request_id = "req-42";
  Result<UpstreamRequest> out = p.encode(r, "claude-sonnet-4-5", ctx);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? std::move(out).value() : UpstreamRequest{};
}

TEST(AnthropicProvider, RequestShape) {
  auto p = make(settings());
  EXPECT_EQ(p->type(), "anthropic");
  EXPECT_EQ(p->default_base_url(), "https://api.anthropic.com");
  UpstreamRequest req = encode_ok(*p, simple_request(false));
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/v1/messages");
  EXPECT_FALSE(req.stream);
  EXPECT_EQ(header(req, "x-api-key"), "sk-ant-test");
  EXPECT_EQ(header(req, "anthropic-version"), "2023-06-01");
  EXPECT_EQ(header(req, "content-type"), "application/json");
  EXPECT_EQ(header(req, "accept"), "application/json");
  for (const auto& [k, v] : req.headers) {
    EXPECT_NE(k, "x-request-id");  // the HTTP client adds it
    EXPECT_NE(k, "authorization");
  }
  const json::value body = json::parse(req.body);
  EXPECT_EQ(body.at("model").as_string(), "claude-sonnet-4-5");
  EXPECT_EQ(body.at("max_tokens").as_int64(), 4096);

  UpstreamRequest streamed = encode_ok(*p, simple_request(true));
  EXPECT_TRUE(streamed.stream);
  EXPECT_EQ(header(streamed, "accept"), "text/event-stream");
  EXPECT_TRUE(json::parse(streamed.body).at("stream").as_bool());
}

TEST(AnthropicProvider, BaseUrlEndingInV1) {
  EXPECT_EQ(static_cast<AnthropicProvider&>(*make(settings("https://proxy.example/v1/"))).path(),
            "/messages");
  EXPECT_EQ(
      static_cast<AnthropicProvider&>(*make(settings("https://proxy.example/anthropic"))).path(),
      "/v1/messages");
}

TEST(AnthropicProvider, ConfigFields) {
  ProviderSettings s = settings();
  s.raw = json::parse(
              R"({"type":"anthropic","anthropic_version":"2099-01-01","max_tokens_default":321})")
              .as_object();
  auto p = make(s);
  UpstreamRequest req = encode_ok(*p, simple_request(false));
  EXPECT_EQ(header(req, "anthropic-version"), "2099-01-01");
  EXPECT_EQ(json::parse(req.body).at("max_tokens").as_int64(), 321);

  for (const char* raw :
       {R"({"anthropic_version":5})", R"({"anthropic_version":""})", R"({"max_tokens_default":0})",
        R"({"max_tokens_default":"1"})", R"({"max_tokens_default":1.5})"}) {
    ProviderSettings bad = settings();
    bad.raw = json::parse(raw).as_object();
    Result<std::unique_ptr<Provider>> r = make_anthropic_provider(bad);
    ASSERT_FALSE(r.ok()) << raw;
    EXPECT_NE(r.error().message.find("provider \"claude\""), std::string::npos);
  }
}

TEST(AnthropicProvider, MissingCredentialAndNoKey) {
  ProviderSettings s = settings("", "");
  s.credential_missing = true;
  s.credential_problem = "env ANTHROPIC_API_KEY is not set";
  auto p = make(s);
  Result<UpstreamRequest> r = p->encode(simple_request(false), "m", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::provider_auth);
  EXPECT_NE(r.error().message.find("ANTHROPIC_API_KEY"), std::string::npos);

  // No key configured (e.g. a local proxy that adds it): no x-api-key header.
  UpstreamRequest req = encode_ok(*make(settings("http://127.0.0.1:1", "")), simple_request(false));
  EXPECT_EQ(header(req, "x-api-key"), "<absent>");
}

TEST(AnthropicProvider, BadToolArgumentsFailEncode) {
  ChatRequest r = simple_request(false);
  ContentBlock call;
  call.type = BlockType::tool_use;
  call.id = "c";
  call.name = "f";
  call.arguments = "not json";
  r.messages.push_back(Message{Role::assistant, {call}, ""});
  Result<UpstreamRequest> out = make(settings())->encode(r, "m", {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, ErrorKind::caller_invalid_request);
}

TEST(AnthropicProvider, Capabilities) {
  auto p = make(settings());
  const Capabilities& c = p->capabilities();
  EXPECT_TRUE(c.streaming);
  EXPECT_TRUE(c.tool_calling);
  EXPECT_TRUE(c.parallel_tool_calls);
  EXPECT_TRUE(c.vision);
  EXPECT_TRUE(c.system_prompt);
  EXPECT_TRUE(c.usage_in_stream);
  EXPECT_FALSE(c.json_mode);
  EXPECT_FALSE(c.json_schema);
  EXPECT_EQ(c.tools.schema, ToolRules::Schema::json_schema);
  EXPECT_EQ(c.tools.max_name_length, 64u);
  EXPECT_EQ(c.tools.name_extra_chars, "_-");
}

TEST(AnthropicProvider, DecodeErrorReadsRetryAfterThroughTheLookup) {
  auto p = make(settings());
  // The headers recorded with the 429 fixture (manifest.json).
  HeaderLookup headers = [](std::string_view name) -> std::string_view {
    if (name == "retry-after") return "1";
    if (name == "x-should-retry") return "true";
    return {};
  };
  Error e = p->decode_error(429, headers, test::fixture("anthropic/error-429-rate-limit.json"));
  EXPECT_EQ(e.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(e.retry_after, 1000ms);
  EXPECT_EQ(e.upstream_status, 429);
  // A null lookup is allowed.
  EXPECT_EQ(
      p->decode_error(529, nullptr, test::fixture("anthropic/error-529-overloaded.json")).kind,
      ErrorKind::provider_overloaded);
}

TEST(AnthropicProvider, DecodeResponseAndStream) {
  auto p = make(settings());
  Result<ChatResponse> r =
      p->decode_response(test::fixture("anthropic/messages-cache.response.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->usage.cache_read_tokens, 1111);

  auto decoder = p->make_stream_decoder();
  std::vector<StreamEvent> events;
  ASSERT_TRUE(decoder->feed(test::fixture("anthropic/messages-stream.sse"), events).ok());
  ASSERT_TRUE(decoder->finish(events).ok());
  EXPECT_EQ(test::concat(events, StreamEvent::Type::text_delta), "Hello!");
}

}  // namespace
}  // namespace gw
