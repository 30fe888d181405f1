// Ollama error answers → typed Errors: both recorded error fixtures (found through the
// manifest, so a new one cannot go untested), statuses, Retry-After and odd bodies.
#include <gtest/gtest.h>

#include "ollama/ollama_test_util.h"
#include "providers/ollama/ollama_provider.h"
#include "wire/ollama/ollama_error.h"

namespace gw {
namespace {

namespace json = boost::json;
using test::ollama_fixture;
using namespace std::chrono_literals;

Error decode(int status, std::string_view body, std::string_view retry_after = {}) {
  return ollama::decode_upstream_error(status, retry_after, body);
}

TEST(OllamaError, EveryErrorFixtureOfTheManifest) {
  const json::value manifest = json::parse(ollama_fixture("manifest.json"));
  int seen = 0;
  for (const json::value& f : manifest.at("fixtures").as_array()) {
    const std::string id(f.at("id").as_string());
    if (!id.starts_with("error-")) continue;
    ++seen;
    const int status = static_cast<int>(f.at("status").as_int64());
    const std::string body = ollama_fixture(std::string(f.at("response").as_string()));
    Error e = decode(status, body);
    EXPECT_EQ(e.upstream_status, status) << id;
    // Ollama's own sentence is the message.
    EXPECT_EQ(e.message, std::string(json::parse(body).at("error").as_string())) << id;
    if (status == 404) {
      EXPECT_EQ(e.kind, ErrorKind::provider_not_found) << id;
      EXPECT_EQ(e.code, "model_not_found") << id;
      EXPECT_EQ(e.retry, RetryClass::fallback_only) << id;
    } else if (status == 400) {
      EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request) << id;
      EXPECT_EQ(e.code, "tools_unsupported") << id;
      // Another target may support tools: fall back rather than give up.
      EXPECT_EQ(e.retry, RetryClass::fallback_only) << id;
    } else {
      ADD_FAILURE() << "no expectation for fixture " << id;
    }
  }
  EXPECT_EQ(seen, 2);
}

TEST(OllamaError, ModelNotFoundFixtureText) {
  Error e = decode(404, ollama_fixture("error-404-model-not-found.json"));
  EXPECT_EQ(e.message, "model 'llama3' not found, try pulling it first");
}

TEST(OllamaError, StatusesWithoutTellingMessages) {
  struct Case {
    int status;
    ErrorKind kind;
  };
  for (const Case& c :
       {Case{400, ErrorKind::provider_invalid_request}, Case{401, ErrorKind::provider_auth},
        Case{403, ErrorKind::provider_auth}, Case{404, ErrorKind::provider_not_found},
        Case{408, ErrorKind::provider_timeout}, Case{413, ErrorKind::provider_invalid_request},
        Case{422, ErrorKind::provider_invalid_request}, Case{429, ErrorKind::provider_rate_limited},
        Case{500, ErrorKind::provider_server_error}, Case{502, ErrorKind::provider_server_error},
        Case{503, ErrorKind::provider_unavailable}, Case{504, ErrorKind::provider_timeout},
        Case{599, ErrorKind::provider_server_error}}) {
    Error e = decode(c.status, R"({"error":"something went wrong"})");
    EXPECT_EQ(e.kind, c.kind) << c.status;
    EXPECT_EQ(e.upstream_status, c.status);
    EXPECT_EQ(e.message, "something went wrong");
    EXPECT_EQ(e.code, "") << c.status;
  }
}

TEST(OllamaError, BusyServerIsUnavailableAndRetried) {
  Error e = decode(
      503, R"({"error":"server busy, please try again.  maximum pending requests exceeded"})");
  EXPECT_EQ(e.kind, ErrorKind::provider_unavailable);
  EXPECT_EQ(e.retry, RetryClass::retry);
}

TEST(OllamaError, ContextLengthIsNamed) {
  Error e = decode(400, R"({"error":"the input length exceeds the context length"})");
  EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(e.code, "context_length_exceeded");
}

TEST(OllamaError, RetryAfterIsKept) {
  Error e = decode(429, R"({"error":"too many requests"})", "7");
  EXPECT_EQ(e.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(e.retry_after, 7000ms);
  EXPECT_EQ(decode(429, "{}", "soon").retry_after, 0ms);
}

TEST(OllamaError, BodiesWithoutAMessage) {
  Error html = decode(502, "<html>Bad Gateway</html>");
  EXPECT_EQ(html.kind, ErrorKind::provider_server_error);
  EXPECT_EQ(html.message, "Ollama answered HTTP 502");
  EXPECT_EQ(decode(404, "404 page not found").kind, ErrorKind::provider_not_found);
  EXPECT_EQ(decode(404, "404 page not found").code, "");  // a wrong path, not a model
  // A proxy in front of Ollama may use an object.
  EXPECT_EQ(decode(401, R"({"error":{"message":"unauthorized"}})").message, "unauthorized");
  EXPECT_EQ(decode(500, R"({"error":42})").message, "Ollama answered HTTP 500");
}

TEST(OllamaError, LongMessagesAreCutAtACharacterBoundary) {
  std::string text(496, 'x');
  text += "ééé";  // bytes 496..501: byte 497 is the middle of the first é
  Error e = decode(400, ollama::encode_error_body(text));
  EXPECT_EQ(e.message, std::string(496, 'x') + "…");
}

TEST(OllamaError, EncodedBodyIsOllamas) {
  EXPECT_EQ(ollama::encode_error_body("model \"x\" not found"),
            R"({"error":"model \"x\" not found"})");
}

TEST(OllamaError, ProviderReadsRetryAfterThroughTheHeaderLookup) {
  ProviderSettings s;
  s.name = "local";
  s.type = "ollama";
  s.base_url = "http://localhost:11434";
  auto p = make_ollama_provider(s);
  ASSERT_TRUE(p.ok());
  HeaderLookup headers = [](std::string_view name) -> std::string_view {
    return name == "retry-after" ? "3" : "";
  };
  Error e = (*p)->decode_error(429, headers, R"({"error":"slow down"})");
  EXPECT_EQ(e.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(e.retry_after, 3000ms);
  Error no_headers =
      (*p)->decode_error(404, nullptr, ollama_fixture("error-404-model-not-found.json"));
  EXPECT_EQ(no_headers.kind, ErrorKind::provider_not_found);
}

}  // namespace
}  // namespace gw
