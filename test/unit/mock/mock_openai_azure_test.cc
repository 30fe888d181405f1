// Azure OpenAI paths of the mock's OpenAI dialect: deployment paths (model from the deployment
// when the body has none), the v1 surface, Azure's key check and api-version 404, all decoded
// back with the OpenAI codec the azure_openai provider uses.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "mock/mock_openai.h"
#include "wire/openai/openai_error.h"
#include "wire/openai/openai_response.h"
#include "wire/wire_test_util.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

constexpr std::string_view kHello = R"({"messages":[{"role":"user","content":"hi"}]})";

http::Request azure_request(std::string target, std::string_view body,
                            std::vector<http::Header> headers = {{"api-key", "k"}}) {
  http::Request r;
  r.method = "POST";
  r.target = std::move(target);
  r.headers = std::move(headers);
  r.body = std::string(body);
  return r;
}

std::unique_ptr<MockExchange> open(const http::Request& r) {
  return OpenAiMockDialect().open(r);
}

ChatResponse answer(const http::Request& r) {
  auto exchange = open(r);
  EXPECT_FALSE(exchange->invalid().has_value()) << exchange->invalid()->body;
  if (exchange->invalid()) return {};
  Result<ChatResponse> decoded = openai::decode_chat_response(exchange->reply({}).body);
  EXPECT_TRUE(decoded.ok());
  return decoded.ok() ? std::move(decoded).value() : ChatResponse{};
}

TEST(MockOpenAiAzure, ServesAzurePaths) {
  const OpenAiMockDialect d;
  EXPECT_TRUE(d.serves("POST", "/openai/deployments/gpt-4o/chat/completions"));
  EXPECT_TRUE(d.serves("POST", "/openai/v1/chat/completions"));
}

TEST(MockOpenAiAzure, DeploymentAnswersWhenTheBodyHasNoModel) {
  const ChatResponse r = answer(azure_request(
      "/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21", kHello));
  EXPECT_EQ(r.model, "gpt-4o-prod");
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].text, "Mock reply to: hi");
  EXPECT_TRUE(r.usage.present);

  // A model in the body wins; a percent-encoded deployment is decoded.
  EXPECT_EQ(
      answer(azure_request("/openai/deployments/d/chat/completions?api-version=v",
                           R"({"model":"from-body","messages":[{"role":"user","content":"x"}]})"))
          .model,
      "from-body");
  EXPECT_EQ(
      answer(azure_request("/openai/deployments/my%20dep/chat/completions?api-version=v", kHello))
          .model,
      "my dep");
  // An Entra ID token instead of a key is accepted too.
  EXPECT_EQ(answer(azure_request("/openai/deployments/d/chat/completions?api-version=v", kHello,
                                 {{"authorization", "Bearer eyJ0"}}))
                .model,
            "d");
}

TEST(MockOpenAiAzure, StreamedDeploymentAnswer) {
  auto exchange = open(azure_request(
      "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21",
      R"({"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"a b"}]})"));
  ASSERT_FALSE(exchange->invalid().has_value());
  EXPECT_TRUE(exchange->stream());
  EXPECT_EQ(exchange->model(), "gpt-4o");
  const MockReply reply = exchange->reply({});
  std::string bytes;
  for (const auto* part : {&reply.stream->lead, &reply.stream->content, &reply.stream->trail}) {
    for (const auto& r : *part) bytes += r;
  }
  test::DecodedStream d = test::decode_openai_sse(bytes);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.error, "");
  std::string text;
  for (const auto& e : d.events) {
    if (e.type == StreamEvent::Type::text_delta) text += e.text;
  }
  EXPECT_EQ(text, "Mock reply to: a b");
  EXPECT_EQ(d.events.back().type, StreamEvent::Type::usage);
}

TEST(MockOpenAiAzure, NoKeyIsAzures401) {
  for (const char* path : {"/openai/deployments/d/chat/completions?api-version=2024-10-21",
                           "/openai/v1/chat/completions"}) {
    auto exchange = open(azure_request(path, kHello, {}));
    ASSERT_TRUE(exchange->invalid().has_value()) << path;
    const MockReply& r = *exchange->invalid();
    EXPECT_EQ(r.status, 401);
    const json::value body = json::parse(r.body);
    EXPECT_EQ(body.at("error").at("code"), "401");
    EXPECT_TRUE(body.at("error").at("message").as_string().starts_with(
        "Access denied due to invalid subscription key or wrong API endpoint."));
    Error e = openai::decode_upstream_error(r.status, "", "", r.body);
    EXPECT_EQ(e.kind, ErrorKind::provider_auth);
  }
}

TEST(MockOpenAiAzure, MissingApiVersionIsResourceNotFound) {
  auto exchange = open(azure_request("/openai/deployments/d/chat/completions", kHello));
  ASSERT_TRUE(exchange->invalid().has_value());
  EXPECT_EQ(exchange->invalid()->status, 404);
  EXPECT_EQ(exchange->invalid()->body,
            R"({"error":{"code":"404","message":"Resource not found"}})");
  EXPECT_EQ(openai::decode_upstream_error(404, "", "", exchange->invalid()->body).kind,
            ErrorKind::provider_not_found);
}

TEST(MockOpenAiAzure, V1SurfaceNeedsTheModelInTheBody) {
  EXPECT_EQ(
      answer(azure_request("/openai/v1/chat/completions",
                           R"({"model":"gpt-4o-eu","messages":[{"role":"user","content":"x"}]})"))
          .model,
      "gpt-4o-eu");
  auto no_model = open(azure_request("/openai/v1/chat/completions", kHello));
  ASSERT_TRUE(no_model->invalid().has_value());
  EXPECT_EQ(no_model->invalid()->status, 400);
}

TEST(MockOpenAiAzure, PlainOpenAIPathsAreUnchanged) {
  // No key needed on OpenAI's own path (the mock accepts any or none).
  auto exchange = open(azure_request(
      "/v1/chat/completions", R"({"model":"m","messages":[{"role":"user","content":"x"}]})", {}));
  EXPECT_FALSE(exchange->invalid().has_value());
  auto no_model = open(azure_request("/v1/chat/completions", kHello, {}));
  ASSERT_TRUE(no_model->invalid().has_value());
  EXPECT_EQ(no_model->invalid()->status, 400);
}

}  // namespace
}  // namespace gw::mock
