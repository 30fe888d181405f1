// decode_upstream_error over the recorded error bodies (status and headers from each folder's
// manifest.json), the mapping table, and the envelope sent to OpenAI clients.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "wire/openai/openai_error.h"
#include "wire_test_util.h"

namespace gw::openai {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

struct ErrorFixture {
  std::string file;
  int status = 0;
  std::string retry_after;
  std::string retry_after_ms;
  std::string body;
};

// Every fixture of `dir` whose roles include an error.* role, as the manifest describes it.
std::vector<ErrorFixture> error_fixtures(const std::string& dir) {
  std::vector<ErrorFixture> out;
  json::value manifest = json::parse(test::fixture(dir + "/manifest.json"));
  for (const json::value& f : manifest.at("fixtures").as_array()) {
    bool is_error = false;
    for (const json::value& role : f.at("roles").as_array()) {
      is_error = is_error || std::string_view(role.as_string()).starts_with("error.");
    }
    if (!is_error) continue;
    ErrorFixture e;
    e.file = std::string(f.at("response").as_string());
    e.status = static_cast<int>(f.at("status").as_int64());
    const json::object& headers = f.at("headers").as_object();
    if (const auto* ra = headers.if_contains("retry-after")) e.retry_after = ra->as_string();
    if (const auto* ms = headers.if_contains("retry-after-ms")) e.retry_after_ms = ms->as_string();
    e.body = test::fixture(dir + "/" + e.file);
    out.push_back(std::move(e));
  }
  return out;
}

Error decode(const ErrorFixture& f) {
  return decode_upstream_error(f.status, f.retry_after, f.retry_after_ms, f.body);
}

const ErrorFixture& find(const std::vector<ErrorFixture>& all, const std::string& file) {
  for (const auto& f : all) {
    if (f.file == file) return f;
  }
  ADD_FAILURE() << "no fixture " << file;
  static ErrorFixture none;
  return none;
}

TEST(OpenAIErrorFixtures, ManifestListsTheErrorFixtures) {
  EXPECT_EQ(error_fixtures("openai").size(), 4u);
  EXPECT_EQ(error_fixtures("ollama").size(), 2u);
}

TEST(OpenAIErrorFixtures, ContextLength400KeepsTheProviderExplanation) {
  auto all = error_fixtures("openai");
  Error e = decode(find(all, "error-400-context-length.json"));
  EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(e.code, "context_length_exceeded");
  EXPECT_EQ(e.param, "messages");
  EXPECT_EQ(e.upstream_status, 400);
  EXPECT_TRUE(e.message.starts_with("This model's maximum context length is 4097 tokens."));
  EXPECT_EQ(e.retry, RetryClass::never);
}

TEST(OpenAIErrorFixtures, InvalidKey401NeverEchoesTheMessage) {
  auto all = error_fixtures("openai");
  Error e = decode(find(all, "error-401-invalid-api-key.json"));
  EXPECT_EQ(e.kind, ErrorKind::provider_auth);
  EXPECT_EQ(e.code, "invalid_api_key");
  EXPECT_EQ(e.upstream_status, 401);
  EXPECT_EQ(e.message.find("sk-"), std::string::npos) << e.message;
  EXPECT_EQ(e.message.find("SJh4"), std::string::npos) << e.message;
  EXPECT_EQ(e.param, "");
  EXPECT_EQ(e.retry, RetryClass::fallback_only);
}

TEST(OpenAIErrorFixtures, RateLimit429KeepsRetryAfter) {
  auto all = error_fixtures("openai");
  const ErrorFixture& f = find(all, "error-429-rate-limit.json");
  EXPECT_EQ(f.retry_after, "1");
  Error e = decode(f);
  EXPECT_EQ(e.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(e.code, "rate_limit_exceeded");
  EXPECT_EQ(e.retry, RetryClass::retry_after);
  EXPECT_EQ(e.retry_after, 1000ms);
  EXPECT_EQ(e.message.find("org-"), std::string::npos) << e.message;
}

TEST(OpenAIErrorFixtures, ServerError500) {
  auto all = error_fixtures("openai");
  Error e = decode(find(all, "error-500-server-error.json"));
  EXPECT_EQ(e.kind, ErrorKind::provider_server_error);
  EXPECT_EQ(e.code, "");
  EXPECT_EQ(e.retry, RetryClass::retry);
  EXPECT_EQ(e.message.find("req_"), std::string::npos) << e.message;
}

TEST(OpenAIErrorFixtures, OllamaNativeStringErrors) {
  auto all = error_fixtures("ollama");
  Error not_found = decode(find(all, "error-404-model-not-found.json"));
  EXPECT_EQ(not_found.kind, ErrorKind::provider_not_found);
  EXPECT_EQ(not_found.upstream_status, 404);
  Error tools = decode(find(all, "error-400-tools-unsupported.json"));
  EXPECT_EQ(tools.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(tools.message, "registry.ollama.ai/library/Qwen3.5:0.8b does not support tools");
}

TEST(OpenAIErrorDecode, CodeBeatsStatus) {
  Error quota = decode_upstream_error(
      429, "", "",
      R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})");
  EXPECT_EQ(quota.kind, ErrorKind::provider_quota_exhausted);
  EXPECT_EQ(quota.retry, RetryClass::fallback_only);
  Error billing = decode_upstream_error(
      400, "", "",
      R"({"error":{"message":"x","type":"invalid_request_error","code":"billing_hard_limit_reached"}})");
  EXPECT_EQ(billing.kind, ErrorKind::provider_quota_exhausted);
  Error model = decode_upstream_error(
      400, "", "",
      R"({"error":{"message":"The model `gpt-9` does not exist","type":"invalid_request_error","code":"model_not_found"}})");
  EXPECT_EQ(model.kind, ErrorKind::provider_not_found);
  EXPECT_EQ(model.code, "model_not_found");
}

TEST(OpenAIErrorDecode, StatusTable) {
  struct Case {
    int status;
    ErrorKind kind;
  };
  const Case cases[] = {
      {400, ErrorKind::provider_invalid_request},
      {401, ErrorKind::provider_auth},
      {403, ErrorKind::provider_auth},
      {402, ErrorKind::provider_quota_exhausted},  // billing: never retried
      {404, ErrorKind::provider_not_found},
      {408, ErrorKind::provider_timeout},
      {413, ErrorKind::provider_invalid_request},
      {422, ErrorKind::provider_invalid_request},
      {429, ErrorKind::provider_rate_limited},
      {500, ErrorKind::provider_server_error},
      {502, ErrorKind::provider_unavailable},
      {503, ErrorKind::provider_overloaded},
      {504, ErrorKind::provider_timeout},
      {529, ErrorKind::provider_overloaded},
      {520, ErrorKind::provider_server_error},
      {302, ErrorKind::provider_bad_response},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.status);
    // Unparseable bodies fall back to the status with a generic message; never the raw body.
    Error e = decode_upstream_error(c.status, "", "", "<html><body>secret sk-abc</body></html>");
    EXPECT_EQ(e.kind, c.kind);
    EXPECT_EQ(e.upstream_status, c.status);
    EXPECT_EQ(e.message.find("sk-abc"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("<html>"), std::string::npos) << e.message;
    EXPECT_FALSE(e.message.empty());
  }
}

TEST(OpenAIErrorDecode, CompatibleServerShapes) {
  Error vllm = decode_upstream_error(
      400, "", "",
      R"({"object":"error","message":"max_tokens must be at least 1, got 0.","type":"BadRequestError","param":null,"code":400})");
  EXPECT_EQ(vllm.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(vllm.message, "max_tokens must be at least 1, got 0.");
  EXPECT_EQ(vllm.code, "");
  Error ollama = decode_upstream_error(
      404, "", "",
      R"({"error":{"message":"model \"llama9\" not found, try pulling it first","type":"not_found_error","param":null,"code":null}})");
  EXPECT_EQ(ollama.kind, ErrorKind::provider_not_found);
  Error gemini = decode_upstream_error(
      429, "", "",
      R"([{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}])");
  EXPECT_EQ(gemini.kind, ErrorKind::provider_rate_limited);
  Error overloaded = decode_upstream_error(
      500, "", "",
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  EXPECT_EQ(overloaded.kind, ErrorKind::provider_overloaded);
}

TEST(OpenAIErrorDecode, RetryAfterHeaders) {
  const char* body =
      R"({"error":{"message":"slow","type":"requests","code":"rate_limit_exceeded"}})";
  EXPECT_EQ(decode_upstream_error(429, "20", "", body).retry_after, 20000ms);
  EXPECT_EQ(decode_upstream_error(429, "20", "1500", body).retry_after, 1500ms);  // ms wins
  EXPECT_EQ(decode_upstream_error(429, "", "250.5", body).retry_after, 250ms);
  EXPECT_EQ(decode_upstream_error(429, "Wed, 21 Oct 2015 07:28:00 GMT", "", body).retry_after, 0ms);
  EXPECT_EQ(decode_upstream_error(429, "", "soon", body).retry_after, 0ms);
  EXPECT_EQ(decode_upstream_error(503, "3", "", "").retry_after, 3000ms);
}

TEST(OpenAIErrorDecode, LongProviderMessagesAreTruncatedAtACharacter) {
  std::string text;
  for (int i = 0; i < 400; ++i) text += "é";  // 800 bytes of 2-byte characters
  Error e = decode_upstream_error(400, "", "", R"({"error":{"message":")" + text + R"("}})");
  EXPECT_LE(e.message.size(), 500u);
  EXPECT_TRUE(e.message.ends_with("…"));
  // Still valid UTF-8: Boost.JSON would reject a split sequence.
  std::string doc = encode_error_envelope(e);
  EXPECT_NO_THROW(json::parse(doc));
}

TEST(OpenAIErrorEnvelope, Shape) {
  Error e =
      Error::make(ErrorKind::caller_invalid_request, "Invalid type for 'model'.", "invalid_type");
  e.param = "model";
  EXPECT_EQ(
      json::parse(encode_error_envelope(e)),
      json::parse(
          R"({"error":{"message":"Invalid type for 'model'.","type":"invalid_request_error","param":"model","code":"invalid_type"}})"));
  Error budget = Error::make(ErrorKind::policy_budget_exceeded, "daily budget exhausted");
  EXPECT_EQ(
      json::parse(encode_error_envelope(budget)),
      json::parse(
          R"({"error":{"message":"daily budget exhausted","type":"insufficient_quota","param":null,"code":null}})"));
  Error quote = Error::make(ErrorKind::gateway_internal, "a \"quoted\"\nline");
  EXPECT_EQ(json::parse(encode_error_envelope(quote)).at("error").at("message"),
            "a \"quoted\"\nline");
}

}  // namespace
}  // namespace gw::openai
