// OllamaProvider: the upstream request (path, headers, body), credentials, capabilities, and its
// decoders over the recorded fixtures.
#include <gtest/gtest.h>

#include "ollama/ollama_test_util.h"
#include "providers/ollama/ollama_provider.h"

namespace gw {
namespace {

namespace json = boost::json;
using test::ollama_fixture;
using test::streamed_text;

ProviderSettings settings(std::string base_url = "http://localhost:11434", std::string key = "") {
  ProviderSettings s;
  s.name = "local_ollama";
  s.type = "ollama";
  s.base_url = std::move(base_url);
  s.api_key = std::move(key);
  return s;
}

std::unique_ptr<Provider> make(const ProviderSettings& s) {
  auto r = make_ollama_provider(s);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

std::string header(const UpstreamRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

ChatRequest hello(bool stream) {
  ChatRequest r;
  r.model = "persona-alias";
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("hi")}, ""});
  r.stream = stream;
  return r;
}

UpstreamRequest encode_ok(const Provider& p, const ChatRequest& r) {
  EncodeContext ctx;
  ctx.request_id = "req-1";
  Result<UpstreamRequest> out = p.encode(r, "llama3.2", ctx);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? std::move(out).value() : UpstreamRequest{};
}

TEST(OllamaProvider, TypeAndCapabilities) {
  auto p = make(settings());
  EXPECT_EQ(p->type(), "ollama");
  const Capabilities& c = p->capabilities();
  EXPECT_TRUE(c.streaming && c.tool_calling && c.parallel_tool_calls && c.json_mode &&
              c.json_schema && c.vision && c.system_prompt && c.usage_in_stream);
  EXPECT_EQ(c.tools.schema, ToolRules::Schema::json_schema);
  EXPECT_EQ(c.tools.max_name_length, 64u);
  EXPECT_EQ(p->default_base_url(), "");  // the config must name the server
}

TEST(OllamaProvider, StreamingRequest) {
  auto p = make(settings());
  UpstreamRequest req = encode_ok(*p, hello(true));
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/api/chat");
  EXPECT_TRUE(req.stream);
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(header(req, "Accept"), "application/x-ndjson");
  EXPECT_EQ(header(req, "Authorization"), "<absent>");  // no key configured
  EXPECT_EQ(header(req, "X-Request-ID"), "<absent>");   // the HTTP client adds it
  json::object body = json::parse(req.body).as_object();
  EXPECT_EQ(body.at("model"), "llama3.2");
  EXPECT_EQ(body.at("stream"), true);
}

TEST(OllamaProvider, PlainRequestWithKeyAndApiBaseUrl) {
  auto p = make(settings("https://ollama.example.com/api/", "secret-key"));
  UpstreamRequest req = encode_ok(*p, hello(false));
  EXPECT_EQ(req.path, "/chat");  // base_url already ends in /api
  EXPECT_FALSE(req.stream);
  EXPECT_EQ(header(req, "Accept"), "application/json");
  EXPECT_EQ(header(req, "Authorization"), "Bearer secret-key");
  EXPECT_EQ(json::parse(req.body).at("stream"), false);
}

TEST(OllamaProvider, UnresolvedCredentialIsProviderAuth) {
  ProviderSettings s = settings();
  s.credential_missing = true;
  s.credential_problem = "env OLLAMA_API_KEY is not set";
  auto p = make(s);
  EncodeContext ctx;
  Result<UpstreamRequest> out = p->encode(hello(false), "llama3.2", ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, ErrorKind::provider_auth);
  EXPECT_EQ(out.error().code, "credential_unavailable");
  EXPECT_NE(out.error().message.find("env OLLAMA_API_KEY is not set"), std::string::npos);
}

TEST(OllamaProvider, EncodeErrorsPassThrough) {
  auto p = make(settings());
  ChatRequest r = hello(false);
  ContentBlock img;
  img.type = BlockType::image;
  img.url = "http://example.com/a.png";
  r.messages[0].content.push_back(img);
  EncodeContext ctx;
  Result<UpstreamRequest> out = p->encode(r, "llava", ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "image_url_unsupported");
}

TEST(OllamaProvider, DecodersOverTheFixtures) {
  auto p = make(settings());
  Result<ChatResponse> chat = p->decode_response(ollama_fixture("chat.response.json"));
  ASSERT_TRUE(chat.ok());
  EXPECT_EQ(chat->content[0].text, "Hello! How are you today?");
  Result<ChatResponse> tools = p->decode_response(ollama_fixture("chat-tools.response.json"));
  ASSERT_TRUE(tools.ok());
  EXPECT_EQ(tools->finish, FinishReason::tool_calls);

  auto decoder = p->make_stream_decoder();
  std::vector<StreamEvent> events;
  ASSERT_TRUE(decoder->feed(ollama_fixture("chat-stream.ndjson"), events).ok());
  ASSERT_TRUE(decoder->finish(events).ok());
  EXPECT_EQ(streamed_text(events).substr(0, 15), "こんにちは");
  EXPECT_EQ(events.back().usage.output_tokens, 33);

  Error e = p->decode_error(400, nullptr, ollama_fixture("error-400-tools-unsupported.json"));
  EXPECT_EQ(e.code, "tools_unsupported");
}

}  // namespace
}  // namespace gw
