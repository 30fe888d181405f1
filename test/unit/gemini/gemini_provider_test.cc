// The Gemini adapter: URL, headers and credential handling, config, capabilities, and the
// fixtures through the Provider interface the router uses.
#include "providers/gemini/gemini_provider.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "gemini_test_util.h"

namespace gw {
namespace {

using namespace std::chrono_literals;

ProviderSettings settings(std::string base_url = {}) {
  ProviderSettings s;
  s.name = "gemini";
  s.type = "gemini";
  s.base_url = std::move(base_url);
  s.api_key = "AIza-test-key";
  return s;
}

std::unique_ptr<Provider> make(const ProviderSettings& s) {
  auto p = make_gemini_provider(s);
  EXPECT_TRUE(p.ok()) << p.error().message;
  return p.ok() ? std::move(p).value() : nullptr;
}

ChatRequest hello(bool stream) {
  ChatRequest r;
  r.model = "alias";
  r.stream = stream;
  Message m;
  m.content.push_back(ContentBlock::make_text("hello"));
  r.messages.push_back(std::move(m));
  return r;
}

std::string header(const UpstreamRequest& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

TEST(GeminiProvider, EncodesPathHeadersAndBody) {
  auto p = make(settings());
  EXPECT_EQ(p->type(), "gemini");
  EXPECT_EQ(p->default_base_url(), "https://generativelanguage.googleapis.com");
  auto plain = p->encode(hello(false), "gemini-2.0-flash", {});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->method, "POST");
  EXPECT_EQ(plain->path, "/v1beta/models/gemini-2.0-flash:generateContent");
  EXPECT_FALSE(plain->stream);
  EXPECT_EQ(header(*plain, "x-goog-api-key"), "AIza-test-key");
  EXPECT_EQ(header(*plain, "Content-Type"), "application/json");
  EXPECT_EQ(header(*plain, "x-request-id"), "");
  EXPECT_EQ(plain->path.find("key="), std::string::npos);  // keys never go in URLs
  EXPECT_EQ(boost::json::parse(plain->body),
            boost::json::parse(R"({"contents":[{"role":"user","parts":[{"text":"hello"}]}]})"));

  auto streamed = p->encode(hello(true), "gemini-2.5-flash", {});
  ASSERT_TRUE(streamed.ok());
  EXPECT_EQ(streamed->path, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  EXPECT_TRUE(streamed->stream);
  EXPECT_EQ(header(*streamed, "Accept"), "text/event-stream");
}

TEST(GeminiProvider, ModelNamesAreOnePathSegment) {
  auto p = make(settings());
  auto* g = dynamic_cast<GeminiProvider*>(p.get());
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->model_path("models/gemini-pro"), "/v1beta/models/gemini-pro");
  EXPECT_EQ(g->model_path("tunedModels/my-model-1"), "/v1beta/tunedModels/my-model-1");
  EXPECT_EQ(g->model_path("a/b:c d?"), "/v1beta/models/a%2Fb%3Ac%20d%3F");
}

TEST(GeminiProvider, BaseUrlAndApiVersion) {
  auto with_version = make(settings("https://proxy.example/gemini/v1beta/"));
  EXPECT_EQ(with_version->encode(hello(false), "m", {})->path, "/models/m:generateContent");

  ProviderSettings v1 = settings("http://127.0.0.1:9000");
  v1.raw["api_version"] = "v1";
  EXPECT_EQ(make(v1)->encode(hello(false), "m", {})->path, "/v1/models/m:generateContent");

  ProviderSettings bad = settings();
  bad.raw["api_version"] = "../v1";
  auto rejected = make_gemini_provider(bad);
  ASSERT_FALSE(rejected.ok());
  EXPECT_NE(rejected.error().message.find("api_version"), std::string::npos);
  bad.raw["api_version"] = 1;
  EXPECT_FALSE(make_gemini_provider(bad).ok());
}

TEST(GeminiProvider, MissingCredentialIsAuthAndNoKeyMeansNoHeader) {
  ProviderSettings s = settings();
  s.api_key.clear();
  s.credential_missing = true;
  s.credential_problem = "env GEMINI_API_KEY is not set";
  auto e = make(s)->encode(hello(false), "m", {});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, ErrorKind::provider_auth);
  EXPECT_NE(e.error().message.find("GEMINI_API_KEY"), std::string::npos);

  s.credential_missing = false;
  auto keyless = make(s)->encode(hello(false), "m", {});
  ASSERT_TRUE(keyless.ok());
  EXPECT_EQ(header(*keyless, "x-goog-api-key"), "");
}

TEST(GeminiProvider, CapabilitiesDescribeGeminiToolRules) {
  const auto p = make(settings());
  const Capabilities& c = p->capabilities();
  EXPECT_TRUE(c.streaming && c.tool_calling && c.parallel_tool_calls && c.json_mode &&
              c.json_schema && c.vision && c.system_prompt && c.usage_in_stream);
  EXPECT_EQ(c.tools.schema, ToolRules::Schema::openapi_subset);
  EXPECT_EQ(c.tools.max_name_length, 64u);
  EXPECT_EQ(c.tools.name_extra_chars, "_.:-");
  EXPECT_TRUE(c.tools.name_must_start_with_letter_or_underscore);
}

TEST(GeminiProvider, FixturesThroughTheProviderInterface) {
  auto p = make(settings());
  auto r = p->decode_response(test::gemini_fixture("generate-content.response.json"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->usage.input_tokens, 35);

  auto no_headers = [](std::string_view) { return std::string_view(); };
  EXPECT_EQ(
      p->decode_error(400, no_headers, test::gemini_fixture("error-400-api-key-invalid.json")).kind,
      ErrorKind::provider_auth);
  const Error limited =
      p->decode_error(429, no_headers, test::gemini_fixture("error-429-resource-exhausted.json"));
  EXPECT_EQ(limited.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(limited.retry_after, 34400ms);
  EXPECT_EQ(p->decode_error(503, nullptr, test::gemini_fixture("error-503-overloaded.json")).kind,
            ErrorKind::provider_overloaded);
  auto with_header = [](std::string_view name) {
    return name == "retry-after" ? std::string_view("5") : std::string_view();
  };
  EXPECT_EQ(p->decode_error(429, with_header, "").retry_after, 5s);

  auto decoder = p->make_stream_decoder();
  std::vector<StreamEvent> events;
  ASSERT_TRUE(decoder->feed(test::gemini_fixture("stream-generate-content.sse"), events).ok());
  ASSERT_TRUE(decoder->finish(events).ok());
  EXPECT_EQ(events.back().type, StreamEvent::Type::usage);
}

}  // namespace
}  // namespace gw
