// Gemini error answers → typed errors (the recorded fixtures first), and the ingress envelope.
#include "wire/gemini/gemini_error.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "gemini_test_util.h"

namespace gw::gemini {
namespace {

using namespace std::chrono_literals;
using test::gemini_fixture;

std::string status_body(int code, const std::string& status, const std::string& message,
                        const std::string& details = "[]") {
  return R"({"error":{"code":)" + std::to_string(code) + R"(,"message":")" + message +
         R"(","status":")" + status + R"(","details":)" + details + "}}";
}

TEST(GeminiError, BadApiKeyIs400ButMapsToAuth) {
  const Error e = decode_upstream_error(400, "", gemini_fixture("error-400-api-key-invalid.json"));
  EXPECT_EQ(e.kind, ErrorKind::provider_auth);
  EXPECT_EQ(e.retry, RetryClass::fallback_only);
  EXPECT_EQ(e.upstream_status, 400);
  EXPECT_EQ(e.code, "API_KEY_INVALID");
  EXPECT_EQ(e.message, "API key not valid. Please pass a valid API key.");
  // DebugInfo echoes the key; it is never read.
  EXPECT_EQ(e.message.find("key1234"), std::string::npos);
}

TEST(GeminiError, RateLimitCarriesRetryInfoDelay) {
  const Error e =
      decode_upstream_error(429, "", gemini_fixture("error-429-resource-exhausted.json"));
  EXPECT_EQ(e.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(e.retry, RetryClass::retry_after);
  EXPECT_EQ(e.retry_after, 34400ms);
  EXPECT_EQ(e.upstream_status, 429);
  EXPECT_EQ(e.code, "RESOURCE_EXHAUSTED");
}

TEST(GeminiError, OverloadedIsRetried) {
  const Error e = decode_upstream_error(503, "", gemini_fixture("error-503-overloaded.json"));
  EXPECT_EQ(e.kind, ErrorKind::provider_overloaded);
  EXPECT_EQ(e.retry, RetryClass::retry);
  EXPECT_EQ(e.message, "The model is overloaded. Please try again later.");
}

TEST(GeminiError, DailyQuotaAndBillingAreExhaustionNotRate) {
  const Error daily = decode_upstream_error(
      429, "",
      status_body(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota.",
                  R"([{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[)"
                  R"({"quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]},)"
                  R"({"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}])"));
  EXPECT_EQ(daily.kind, ErrorKind::provider_quota_exhausted);
  EXPECT_EQ(daily.retry, RetryClass::fallback_only);
  EXPECT_EQ(daily.retry_after, 37s);

  const Error billing = decode_upstream_error(
      429, "",
      status_body(
          429, "RESOURCE_EXHAUSTED", "Billing is disabled.",
          R"([{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"BILLING_DISABLED"}])"));
  EXPECT_EQ(billing.kind, ErrorKind::provider_quota_exhausted);
}

TEST(GeminiError, StatusNamesMapBeforeHttpStatus) {
  struct Case {
    int http;
    const char* status;
    ErrorKind kind;
  };
  const Case cases[] = {
      {400, "INVALID_ARGUMENT", ErrorKind::provider_invalid_request},
      {401, "UNAUTHENTICATED", ErrorKind::provider_auth},
      {403, "PERMISSION_DENIED", ErrorKind::provider_auth},
      {400, "FAILED_PRECONDITION", ErrorKind::provider_auth},
      {404, "NOT_FOUND", ErrorKind::provider_not_found},
      {500, "INTERNAL", ErrorKind::provider_server_error},
      {504, "DEADLINE_EXCEEDED", ErrorKind::provider_timeout},
      {503, "UNAVAILABLE", ErrorKind::provider_overloaded},
      {499, "CANCELLED", ErrorKind::provider_server_error},
      // The status name wins over an odd HTTP status.
      {500, "NOT_FOUND", ErrorKind::provider_not_found},
  };
  for (const Case& c : cases) {
    const Error e = decode_upstream_error(c.http, "", status_body(c.http, c.status, "m"));
    EXPECT_EQ(e.kind, c.kind) << c.status;
    EXPECT_EQ(e.message, "m");
    EXPECT_EQ(e.upstream_status, c.http);
  }
}

TEST(GeminiError, ContextTooLongGetsTheCommonCode) {
  const Error e = decode_upstream_error(
      400, "",
      status_body(400, "INVALID_ARGUMENT",
                  "The input token count (1196265) exceeds the maximum number of tokens allowed "
                  "(1048575)."));
  EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(e.code, "context_length_exceeded");
}

TEST(GeminiError, WithoutABodyTheHttpStatusDecides) {
  EXPECT_EQ(decode_upstream_error(400, "", "").kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(decode_upstream_error(401, "", "").kind, ErrorKind::provider_auth);
  EXPECT_EQ(decode_upstream_error(404, "", "<html>").kind, ErrorKind::provider_not_found);
  EXPECT_EQ(decode_upstream_error(429, "", "").kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(decode_upstream_error(500, "", "").kind, ErrorKind::provider_server_error);
  EXPECT_EQ(decode_upstream_error(502, "", "").kind, ErrorKind::provider_server_error);
  EXPECT_EQ(decode_upstream_error(503, "", "").kind, ErrorKind::provider_unavailable);
  EXPECT_EQ(decode_upstream_error(504, "", "").kind, ErrorKind::provider_timeout);
  EXPECT_EQ(decode_upstream_error(418, "", "").kind, ErrorKind::provider_invalid_request);
  const Error e = decode_upstream_error(502, "", "");
  EXPECT_EQ(e.message, "the provider answered HTTP 502");
}

TEST(GeminiError, RetryAfterHeaderWhenTheBodyHasNoDelay) {
  const Error e = decode_upstream_error(429, "12", status_body(429, "RESOURCE_EXHAUSTED", "slow"));
  EXPECT_EQ(e.retry_after, 12s);
  // RetryInfo wins when both are given.
  const Error both =
      decode_upstream_error(429, "12", gemini_fixture("error-429-resource-exhausted.json"));
  EXPECT_EQ(both.retry_after, 34400ms);
}

TEST(GeminiError, ArrayWrappedAndInBandBodies) {
  const Error wrapped =
      decode_upstream_error(503, "", "[" + gemini_fixture("error-503-overloaded.json") + "]");
  EXPECT_EQ(wrapped.kind, ErrorKind::provider_overloaded);
  // In a 200 stream the envelope's own code stands in for the status.
  const Error in_band = decode_error_value(0, boost::json::parse(R"({"error":{"code":429}})"));
  EXPECT_EQ(in_band.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(in_band.upstream_status, 0);
}

TEST(GeminiError, LongMessagesAreCutAtACharacterBoundary) {
  std::string message;
  for (int i = 0; i < 600; ++i) message += "é";
  const Error e = decode_upstream_error(400, "", status_body(400, "INVALID_ARGUMENT", message));
  EXPECT_LE(e.message.size(), 1000u);
  EXPECT_EQ(e.message.substr(e.message.size() - 3), "…");
}

TEST(GeminiError, EnvelopeForGeminiClients) {
  Error e = Error::make(ErrorKind::caller_invalid_request, "Invalid value at 'contents': \"x\"");
  EXPECT_EQ(encode_error_envelope(e),
            R"({"error":{"code":400,"message":"Invalid value at 'contents': \"x\"",)"
            R"("status":"INVALID_ARGUMENT"}})");
  const auto v = boost::json::parse(
      encode_error_envelope(Error::make(ErrorKind::policy_rate_limited, "slow down")));
  EXPECT_EQ(v.at("error").at("code").as_int64(), 429);
  EXPECT_EQ(v.at("error").at("status").as_string(), "RESOURCE_EXHAUSTED");
  // The envelope decodes back to the same family of error.
  EXPECT_EQ(decode_upstream_error(429, "", encode_error_envelope(e)).kind,
            ErrorKind::provider_invalid_request);
}

}  // namespace
}  // namespace gw::gemini
