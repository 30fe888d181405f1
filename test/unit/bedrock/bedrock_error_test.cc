// Bedrock error mapping: the recorded error answers with the headers from the manifest, every
// documented exception type, the context-length wording, and the fallbacks (body __type, status).
#include "wire/bedrock/bedrock_error.h"

#include <gtest/gtest.h>

#include "bedrock_test_support.h"

namespace gw::bedrock {
namespace {

namespace json = boost::json;
using bedrock_test::fixture;
using bedrock_test::manifest_entry;

Error decode_manifest_error(const std::string& id) {
  const json::object entry = manifest_entry(id);
  const json::object& headers = entry.at("headers").as_object();
  const json::value* type = headers.if_contains("x-amzn-errortype");
  return decode_upstream_error(static_cast<int>(entry.at("status").as_int64()),
                               type ? std::string_view(type->as_string()) : std::string_view(), "",
                               fixture(std::string(entry.at("response").as_string())));
}

TEST(BedrockErrorFixture, Throttling429) {
  const Error e = decode_manifest_error("error-429");
  EXPECT_EQ(e.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(e.code, "ThrottlingException");
  EXPECT_EQ(e.message, "Rate exceeded");
  EXPECT_EQ(e.upstream_status, 429);
  EXPECT_EQ(e.retry, RetryClass::retry_after);
}

TEST(BedrockErrorFixture, Validation400) {
  const Error e = decode_manifest_error("error-400");
  EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(e.code, "ValidationException");
  EXPECT_EQ(e.message, "The provided model identifier is invalid.");
  EXPECT_EQ(e.upstream_status, 400);
}

TEST(BedrockErrorFixture, EveryErrorFixtureIsMapped) {
  const json::value manifest = bedrock_test::fixture_json("manifest.json");
  int seen = 0;
  for (const json::value& f : manifest.at("fixtures").as_array()) {
    const int status = static_cast<int>(f.at("status").as_int64());
    if (status < 400) continue;
    const Error e = decode_manifest_error(std::string(f.at("id").as_string()));
    EXPECT_EQ(http_status(e.kind) >= 400, true);
    EXPECT_FALSE(e.message.empty());
    EXPECT_EQ(e.upstream_status, status);
    ++seen;
  }
  EXPECT_EQ(seen, 2);
}

TEST(BedrockError, ExceptionTypesWinOverStatus) {
  const std::pair<const char*, ErrorKind> cases[] = {
      {"ThrottlingException", ErrorKind::provider_rate_limited},
      {"ServiceQuotaExceededException", ErrorKind::provider_quota_exhausted},
      {"ValidationException", ErrorKind::provider_invalid_request},
      {"AccessDeniedException", ErrorKind::provider_auth},
      {"UnrecognizedClientException", ErrorKind::provider_auth},
      {"InvalidSignatureException", ErrorKind::provider_auth},
      {"ExpiredTokenException", ErrorKind::provider_auth},
      {"MissingAuthenticationTokenException", ErrorKind::provider_auth},
      {"ResourceNotFoundException", ErrorKind::provider_not_found},
      {"ModelNotReadyException", ErrorKind::provider_unavailable},
      {"ServiceUnavailableException", ErrorKind::provider_unavailable},
      {"ModelTimeoutException", ErrorKind::provider_timeout},
      {"InternalServerException", ErrorKind::provider_server_error},
      {"ModelErrorException", ErrorKind::provider_server_error},
  };
  for (const auto& [type, kind] : cases) {
    // A status that alone would say something else: the type decides.
    const Error e = decode_upstream_error(418, errortype_header(type), "", R"({"message":"m"})");
    EXPECT_EQ(e.kind, kind) << type;
    EXPECT_EQ(e.code, type) << type;
    EXPECT_EQ(e.message, "m") << type;
  }
}

TEST(BedrockError, ContextLengthWording) {
  for (const char* message :
       {"Input is too long for requested model.",
        "The model returned the following errors: prompt is too long: 210000 tokens > 200000 "
        "maximum",
        "This model's maximum context length is 8192 tokens.",
        "Too many input tokens. Max input tokens: 4096"}) {
    const Error e =
        decode_upstream_error(400, "ValidationException:http://internal", "",
                              bedrock_test::json::serialize(json::object{{"message", message}}));
    EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request) << message;
    EXPECT_EQ(e.code, "context_length_exceeded") << message;
  }
  const Error other = decode_upstream_error(400, "ValidationException", "",
                                            R"({"message":"Malformed input request"})");
  EXPECT_EQ(other.code, "ValidationException");
}

TEST(BedrockError, TypeFromTheBodyWhenTheHeaderIsMissing) {
  EXPECT_EQ(decode_upstream_error(400, "", "", fixture("error-429-throttling.json")).kind,
            ErrorKind::provider_rate_limited);
  EXPECT_EQ(decode_upstream_error(400, "", "",
                                  R"({"__type":"com.amazon.coral.service#ExpiredTokenException",
                                      "Message":"The security token included in the request is expired"})")
                .kind,
            ErrorKind::provider_auth);
}

TEST(BedrockError, StatusWhenNothingNamesTheType) {
  const std::pair<int, ErrorKind> cases[] = {
      {400, ErrorKind::provider_invalid_request},
      {401, ErrorKind::provider_auth},
      {403, ErrorKind::provider_auth},
      {404, ErrorKind::provider_not_found},
      {408, ErrorKind::provider_timeout},
      {413, ErrorKind::provider_invalid_request},
      {429, ErrorKind::provider_rate_limited},
      {500, ErrorKind::provider_server_error},
      {502, ErrorKind::provider_server_error},
      {503, ErrorKind::provider_unavailable},
      {504, ErrorKind::provider_timeout},
  };
  for (const auto& [status, kind] : cases) {
    const Error e = decode_upstream_error(status, "", "", "<html>oops</html>");
    EXPECT_EQ(e.kind, kind) << status;
    EXPECT_EQ(e.upstream_status, status);
    EXPECT_NE(e.message.find(std::to_string(status)), std::string::npos) << e.message;
  }
}

TEST(BedrockError, RetryAfterIsKept) {
  const Error e = decode_upstream_error(429, "ThrottlingException", "7", R"({"message":"slow"})");
  EXPECT_EQ(e.retry_after, std::chrono::seconds(7));
}

TEST(BedrockError, LongMessagesAreTruncated) {
  const std::string long_message(2000, 'x');
  const Error e =
      decode_upstream_error(400, "ValidationException", "",
                            bedrock_test::json::serialize(json::object{{"message", long_message}}));
  EXPECT_LE(e.message.size(), 500u);
}

TEST(BedrockError, StreamExceptions) {
  const std::pair<const char*, ErrorKind> cases[] = {
      {"throttlingException", ErrorKind::provider_rate_limited},
      {"modelStreamErrorException", ErrorKind::provider_server_error},
      {"internalServerException", ErrorKind::provider_server_error},
      {"serviceUnavailableException", ErrorKind::provider_unavailable},
      {"validationException", ErrorKind::provider_invalid_request},
      {"somethingNewException", ErrorKind::provider_server_error},
  };
  for (const auto& [type, kind] : cases) {
    const Error e = decode_stream_exception(type, R"({"message":"boom"})");
    EXPECT_EQ(e.kind, kind) << type;
    EXPECT_EQ(e.message, "boom");
    EXPECT_EQ(e.upstream_status, 0);
  }
  EXPECT_EQ(decode_stream_exception("modelStreamErrorException",
                                    R"({"message":"x","originalStatusCode":429})")
                .kind,
            ErrorKind::provider_rate_limited);
}

TEST(BedrockError, NamesForTheMock) {
  EXPECT_EQ(exception_for_status(400), "ValidationException");
  EXPECT_EQ(exception_for_status(429), "ThrottlingException");
  EXPECT_EQ(exception_for_status(503), "ServiceUnavailableException");
  EXPECT_EQ(exception_for_status(500), "InternalServerException");
  EXPECT_EQ(exception_for_status(529), "InternalServerException");
  EXPECT_EQ(errortype_header("ThrottlingException"),
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/");
  EXPECT_EQ(error_body("a \"quote\""), R"({"message":"a \"quote\""})");
  // Each name maps back to its kind family.
  for (int status : {400, 401, 403, 404, 408, 429, 500, 503}) {
    const Error e = decode_upstream_error(status, exception_for_status(status), "", "{}");
    EXPECT_EQ(e.kind, decode_upstream_error(status, "", "", "{}").kind) << status;
  }
}

}  // namespace
}  // namespace gw::bedrock
