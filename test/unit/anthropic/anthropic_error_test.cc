// Anthropic error answers → typed Errors (type first, status second, retry hints kept) and the
// ingress error envelope.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "anthropic/anthropic_test_util.h"
#include "wire/anthropic/anthropic_error.h"

namespace gw::anthropic {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string body(std::string_view type, std::string_view message) {
  return R"({"type":"error","error":{"type":")" + std::string(type) + R"(","message":")" +
         std::string(message) + R"("}})";
}

TEST(AnthropicError, RecordedFixtures) {
  Error e400 =
      decode_upstream_error(400, "", "", test::fixture("anthropic/error-400-invalid-request.json"));
  EXPECT_EQ(e400.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(e400.message,
            "This model does not support effort level 'xhigh'. Supported levels: high, low, max, "
            "medium.");
  EXPECT_EQ(e400.code, "invalid_request_error");
  EXPECT_EQ(e400.upstream_status, 400);

  Error e401 =
      decode_upstream_error(401, "", "", test::fixture("anthropic/error-401-authentication.json"));
  EXPECT_EQ(e401.kind, ErrorKind::provider_auth);
  EXPECT_EQ(e401.message, "invalid x-api-key");
  EXPECT_EQ(e401.retry, RetryClass::fallback_only);

  Error e429 =
      decode_upstream_error(429, "1", "", test::fixture("anthropic/error-429-rate-limit.json"));
  EXPECT_EQ(e429.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(e429.retry_after, 1000ms);
  EXPECT_TRUE(e429.message.starts_with("This request would exceed your organization's rate limit"));
  EXPECT_LE(e429.message.size(), 1000u);

  Error e529 =
      decode_upstream_error(529, "", "", test::fixture("anthropic/error-529-overloaded.json"));
  EXPECT_EQ(e529.kind, ErrorKind::provider_overloaded);
  EXPECT_EQ(e529.retry, RetryClass::retry);
  EXPECT_EQ(e529.upstream_status, 529);
}

TEST(AnthropicError, TypeFirstThenStatus) {
  struct Case {
    int status;
    const char* type;
    const char* message;
    ErrorKind kind;
    const char* code;
  };
  const std::vector<Case> cases = {
      {400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API.",
       ErrorKind::provider_quota_exhausted, "insufficient_quota"},
      {400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum",
       ErrorKind::provider_invalid_request, "context_length_exceeded"},
      {403, "permission_error", "no access", ErrorKind::provider_auth, "permission_error"},
      {404, "not_found_error", "model: claude-nope", ErrorKind::provider_not_found,
       "not_found_error"},
      {413, "request_too_large", "too big", ErrorKind::provider_invalid_request,
       "request_too_large"},
      {402, "billing_error", "pay up", ErrorKind::provider_quota_exhausted, "billing_error"},
      {500, "api_error", "Internal server error", ErrorKind::provider_server_error, "api_error"},
      {503, "api_error", "unavailable", ErrorKind::provider_unavailable, "api_error"},
      {504, "timeout_error", "timed out", ErrorKind::provider_timeout, "timeout_error"},
      // The type wins over a status that says something else.
      {500, "overloaded_error", "Overloaded", ErrorKind::provider_overloaded, "overloaded_error"},
      {400, "rate_limit_error", "slow", ErrorKind::provider_rate_limited, "rate_limit_error"},
      // A spend limit is a 429 rate_limit_error that no wait lifts: quota, never retried.
      {429, "rate_limit_error", "This request would exceed your organization's spend limit.",
       ErrorKind::provider_quota_exhausted, "insufficient_quota"},
      {400, "invalid_request_error", "You have reached your specified API usage limits.",
       ErrorKind::provider_quota_exhausted, "insufficient_quota"},
      // Unknown types fall back to the status.
      {429, "brand_new_error", "x", ErrorKind::provider_rate_limited, "brand_new_error"},
      {529, "", "x", ErrorKind::provider_overloaded, ""},
      {418, "", "x", ErrorKind::provider_invalid_request, ""},
      {502, "", "x", ErrorKind::provider_server_error, ""},
  };
  for (const Case& c : cases) {
    Error e = decode_upstream_error(c.status, "", "", body(c.type, c.message));
    EXPECT_EQ(e.kind, c.kind) << c.status << " " << c.type;
    EXPECT_EQ(e.code, c.code) << c.status << " " << c.type;
    EXPECT_EQ(e.message, c.message);
    EXPECT_EQ(e.upstream_status, c.status);
  }
}

TEST(AnthropicError, BodiesThatAreNotAnthropicErrors) {
  Error html = decode_upstream_error(502, "", "", "<html>Bad Gateway</html>");
  EXPECT_EQ(html.kind, ErrorKind::provider_server_error);
  EXPECT_EQ(html.message, "the provider answered HTTP 502");  // never the raw body
  Error empty = decode_upstream_error(401, "", "", "");
  EXPECT_EQ(empty.kind, ErrorKind::provider_auth);
  EXPECT_EQ(decode_upstream_error(503, "", "", "{}").kind, ErrorKind::provider_unavailable);
}

TEST(AnthropicError, RetryHints) {
  EXPECT_EQ(decode_upstream_error(429, "20", "", body("rate_limit_error", "x")).retry_after,
            20000ms);
  EXPECT_EQ(decode_upstream_error(429, "20", "1500", body("rate_limit_error", "x")).retry_after,
            1500ms);  // the precise header wins
  EXPECT_EQ(decode_upstream_error(429, "soon", "", body("rate_limit_error", "x")).retry_after, 0ms);
}

TEST(AnthropicError, LongMessagesAreCutAtACharacterBoundary) {
  std::string message;
  while (message.size() < 1500) message += "é";
  Error e = decode_upstream_error(400, "", "", body("invalid_request_error", message));
  EXPECT_LE(e.message.size(), 1000u);
  EXPECT_TRUE(e.message.ends_with("…"));
  EXPECT_NO_THROW(json::parse("\"" + e.message + "\""));  // still valid UTF-8
}

TEST(AnthropicError, EnvelopeForEveryKindDecodesToTheSameType) {
  for (ErrorKind kind : {ErrorKind::caller_invalid_request, ErrorKind::caller_unauthenticated,
                         ErrorKind::caller_forbidden, ErrorKind::caller_not_found,
                         ErrorKind::caller_payload_too_large, ErrorKind::policy_rate_limited,
                         ErrorKind::policy_budget_exceeded, ErrorKind::provider_overloaded,
                         ErrorKind::provider_timeout, ErrorKind::gateway_internal}) {
    Error e = Error::make(kind, "what \"happened\"");
    const std::string envelope = encode_error_envelope(e);
    const json::value v = json::parse(envelope);
    EXPECT_EQ(v.at("type").as_string(), "error");
    EXPECT_EQ(v.at("error").at("type").as_string(), anthropic_type(kind));
    EXPECT_EQ(v.at("error").at("message").as_string(), "what \"happened\"");
    Error back = decode_error_value(http_status(kind), v);
    EXPECT_EQ(back.code, anthropic_type(kind)) << name(kind);
    EXPECT_EQ(back.message, e.message);
  }
  EXPECT_EQ(encode_error_envelope(Error::make(ErrorKind::provider_overloaded, "Overloaded")),
            R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
}

}  // namespace
}  // namespace gw::anthropic
