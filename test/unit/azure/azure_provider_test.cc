// AzureOpenAIProvider: Azure's URL per config (deployment, route model, api_version, v1), the
// api-key header, credentials, version-dependent body fields, and Azure's error bodies read
// through the OpenAI codec.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "providers/azure/azure_provider.h"

namespace gw {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

ProviderSettings settings(json::object raw = {}, std::string key = "azure-key-123",
                          std::string base_url = "https://my-resource.openai.azure.com") {
  ProviderSettings s;
  s.name = "azure";
  s.type = "azure_openai";
  s.base_url = std::move(base_url);
  s.api_key = std::move(key);
  raw["type"] = "azure_openai";
  s.raw = std::move(raw);
  return s;
}

std::unique_ptr<Provider> make(const ProviderSettings& s) {
  auto r = make_azure_openai_provider(s);
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
  r.max_tokens = 20;
  r.stream = stream;
  return r;
}

UpstreamRequest encode_ok(const Provider& p, const ChatRequest& r,
                          std::string_view model = "gpt-4o-prod") {
  EncodeContext ctx;
  ctx.request_id = "req-9";
  Result<UpstreamRequest> out = p.encode(r, model, ctx);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
  return out.ok() ? std::move(out).value() : UpstreamRequest{};
}

TEST(AzureProvider, RouteModelIsTheDeployment) {
  auto p = make(settings());
  EXPECT_EQ(p->type(), "azure_openai");
  UpstreamRequest req = encode_ok(*p, hello(false));
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.path, "/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21");
  EXPECT_EQ(header(req, "api-key"), "azure-key-123");
  EXPECT_EQ(header(req, "Authorization"), "<absent>");
  EXPECT_EQ(header(req, "X-Request-ID"), "<absent>");
  EXPECT_EQ(header(req, "Content-Type"), "application/json");
  EXPECT_EQ(header(req, "Accept"), "application/json");
  json::object body = json::parse(req.body).as_object();
  EXPECT_EQ(body.at("max_completion_tokens"), json::value(20));
  EXPECT_FALSE(body.contains("max_tokens"));
}

TEST(AzureProvider, ConfiguredDeploymentAndVersion) {
  auto p = make(settings({{"deployment", "my deploy/1"}, {"api_version", "2025-04-01-preview"}}));
  UpstreamRequest req = encode_ok(*p, hello(true));
  // The path segment and query value are percent-encoded; the route model does not matter.
  EXPECT_EQ(req.path,
            "/openai/deployments/my%20deploy%2F1/chat/completions?api-version=2025-04-01-preview");
  EXPECT_TRUE(req.stream);
  EXPECT_EQ(header(req, "Accept"), "text/event-stream");
  json::object body = json::parse(req.body).as_object();
  EXPECT_EQ(body.at("stream"), true);
  EXPECT_EQ(body.at("stream_options"), json::parse(R"({"include_usage":true})"));
}

TEST(AzureProvider, V1SurfacePutsTheModelInTheBody) {
  auto by_route = make(settings({{"api_version", "v1"}}));
  UpstreamRequest req = encode_ok(*by_route, hello(false));
  EXPECT_EQ(req.path, "/openai/v1/chat/completions");
  EXPECT_EQ(json::parse(req.body).at("model"), "gpt-4o-prod");
  EXPECT_EQ(header(req, "api-key"), "azure-key-123");

  auto by_config = make(settings({{"api_version", "v1"}, {"deployment", "gpt-4o-eu"}}));
  req = encode_ok(*by_config, hello(false));
  EXPECT_EQ(req.path, "/openai/v1/chat/completions");
  EXPECT_EQ(json::parse(req.body).at("model"), "gpt-4o-eu");
}

TEST(AzureProvider, BaseUrlWithTheOpenaiPrefix) {
  auto p = make(settings({}, "k", "https://my-resource.openai.azure.com/openai/"));
  EXPECT_EQ(encode_ok(*p, hello(false)).path,
            "/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21");
  auto v1 = make(settings({{"api_version", "v1"}}, "k", "https://r.openai.azure.com/openai/v1"));
  EXPECT_EQ(encode_ok(*v1, hello(false)).path, "/chat/completions");
  auto other = make(settings({}, "k", "https://gateway.example.com/azure"));
  EXPECT_EQ(encode_ok(*other, hello(false)).path,
            "/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21");
}

TEST(AzureProvider, OlderApiVersionsGetTheOlderBody) {
  auto p = make(settings({{"api_version", "2024-06-01"}}));
  EXPECT_FALSE(p->capabilities().usage_in_stream);
  json::object body = json::parse(encode_ok(*p, hello(true)).body).as_object();
  EXPECT_EQ(body.at("max_tokens"), json::value(20));
  EXPECT_FALSE(body.contains("max_completion_tokens"));
  EXPECT_FALSE(body.contains("stream_options"));
  auto modern = make(settings());
  EXPECT_TRUE(modern->capabilities().usage_in_stream);
  EXPECT_TRUE(modern->capabilities().tool_calling);
  EXPECT_TRUE(modern->capabilities().json_schema);
}

TEST(AzureProvider, MissingCredential) {
  ProviderSettings s = settings({}, "");
  s.credential_missing = true;
  s.credential_problem = "env AZURE_OPENAI_API_KEY is not set";
  auto p = make(s);
  EncodeContext ctx;
  Result<UpstreamRequest> out = p->encode(hello(false), "gpt-4o", ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, ErrorKind::provider_auth);
  EXPECT_EQ(out.error().code, "credential_unavailable");
  EXPECT_NE(out.error().message.find("AZURE_OPENAI_API_KEY"), std::string::npos);

  // No key configured at all: nothing to send, Azure answers 401 itself.
  auto keyless = make(settings({}, ""));
  EXPECT_EQ(header(encode_ok(*keyless, hello(false)), "api-key"), "<absent>");
}

TEST(AzureProvider, BadConfigFields) {
  for (const char* field : {"api_version", "deployment"}) {
    auto r = make_azure_openai_provider(settings({{field, 5}}));
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_EQ(r.error().code, "invalid_provider_config");
    EXPECT_NE(r.error().message.find(field), std::string::npos);
  }
  // Null and empty mean "not set".
  auto p = make(settings({{"api_version", ""}, {"deployment", nullptr}}));
  EXPECT_EQ(encode_ok(*p, hello(false)).path,
            "/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21");
}

TEST(AzureProvider, ContentFilterError) {
  auto p = make(settings());
  const std::string body = R"({"error":{"message":"The response was filtered due to the prompt)"
                           R"( triggering Azure OpenAI's content management policy.","type":null,)"
                           R"("param":"prompt","code":"content_filter","status":400,"innererror":)"
                           R"({"code":"ResponsibleAIPolicyViolation","content_filter_result":)"
                           R"({"hate":{"filtered":false,"severity":"safe"},"violence":)"
                           R"({"filtered":true,"severity":"medium"}}}}})";
  Error e = p->decode_error(400, nullptr, body);
  EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(e.code, "content_filter");
  EXPECT_EQ(e.param, "prompt");
  EXPECT_EQ(e.upstream_status, 400);
  EXPECT_NE(e.message.find("content management policy"), std::string::npos);
}

TEST(AzureProvider, AzureStatusErrors) {
  auto p = make(settings());
  Error denied = p->decode_error(
      401, nullptr,
      R"({"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}})");
  EXPECT_EQ(denied.kind, ErrorKind::provider_auth);
  EXPECT_EQ(denied.upstream_status, 401);

  Error missing = p->decode_error(
      404, nullptr,
      R"({"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}})");
  EXPECT_EQ(missing.kind, ErrorKind::provider_not_found);

  HeaderLookup headers = [](std::string_view name) -> std::string_view {
    return name == "retry-after" ? "12" : "";
  };
  Error limited = p->decode_error(
      429, headers,
      R"({"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier."}})");
  EXPECT_EQ(limited.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(limited.retry_after, 12000ms);
}

TEST(AzureProvider, ResponsesAndStreamsAreOpenAIs) {
  auto p = make(settings());
  Result<ChatResponse> r = p->decode_response(
      R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-2024-08-06",)"
      R"("prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}],"choices":[{)"
      R"("index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop",)"
      R"("content_filter_results":{}}],"usage":{"prompt_tokens":3,"completion_tokens":1}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->content[0].text, "hi");
  EXPECT_EQ(r->usage.input_tokens, 3);

  // Azure opens a stream with a prompt_filter_results chunk that has no choices.
  auto decoder = p->make_stream_decoder();
  std::vector<StreamEvent> events;
  ASSERT_TRUE(decoder
                  ->feed("data: {\"choices\":[],\"created\":0,\"id\":\"\",\"model\":\"\","
                         "\"object\":\"\",\"prompt_filter_results\":[]}\n\n"
                         "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                         "\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                         "\"yo\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
                         events)
                  .ok());
  ASSERT_TRUE(decoder->finish(events).ok());
  bool saw_text = false;
  for (const StreamEvent& e : events)
    saw_text |= e.type == StreamEvent::Type::text_delta && e.text == "yo";
  EXPECT_TRUE(saw_text);
}

}  // namespace
}  // namespace gw
