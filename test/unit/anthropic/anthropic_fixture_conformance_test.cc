// Every entry of test/fixtures/providers/anthropic/manifest.json through the provider adapter:
// 200 bodies and streams decode, error bodies map to their kind with the recorded headers, and
// request bodies go through the ingress decoder and back out of the provider encoder. A fixture
// added to the manifest without an expectation here fails the test.
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "anthropic/anthropic_test_util.h"
#include "providers/anthropic/anthropic_provider.h"
#include "wire/anthropic/anthropic_request.h"

namespace gw {
namespace {

namespace json = boost::json;

// What each fixture must decode to: an error kind, or success (nullopt).
const std::map<std::string, std::optional<ErrorKind>>& expectations() {
  static const std::map<std::string, std::optional<ErrorKind>> kExpected = {
      {"messages", std::nullopt},
      {"messages-stream", std::nullopt},
      {"messages-stream-tool-use", std::nullopt},
      {"messages-parallel-tools", std::nullopt},
      {"messages-stream-overloaded-error", ErrorKind::provider_overloaded},
      {"error-400", ErrorKind::provider_invalid_request},
      {"error-401", ErrorKind::provider_auth},
      {"error-429", ErrorKind::provider_rate_limited},
      {"error-529", ErrorKind::provider_overloaded},
  };
  return kExpected;
}

std::unique_ptr<Provider> provider() {
  ProviderSettings s;
  s.name = "anthropic";
  s.type = "anthropic";
  s.api_key = "sk-ant-test";
  return std::move(make_anthropic_provider(s)).value();
}

TEST(AnthropicFixtures, EveryManifestEntry) {
  const json::value manifest = test::fixture_json("anthropic/manifest.json");
  auto p = provider();
  std::set<std::string> files_seen;
  for (const json::value& entry : manifest.at("fixtures").as_array()) {
    const std::string id(entry.at("id").as_string());
    SCOPED_TRACE(id);
    auto expected = expectations().find(id);
    ASSERT_NE(expected, expectations().end()) << "no expectation for fixture " << id;
    const int status = static_cast<int>(entry.at("status").as_int64());
    const std::string response(entry.at("response").as_string());
    files_seen.insert(response);
    const std::string body = test::fixture("anthropic/" + response);
    const std::string kind(entry.at("kind").as_string());

    if (status >= 400) {
      const json::object& headers = entry.at("headers").as_object();
      HeaderLookup lookup = [&headers](std::string_view name) -> std::string_view {
        const json::value* v = headers.if_contains(name);
        return v != nullptr && v->is_string() ? std::string_view(v->get_string())
                                              : std::string_view();
      };
      Error e = p->decode_error(status, lookup, body);
      ASSERT_TRUE(expected->second.has_value());
      EXPECT_EQ(e.kind, *expected->second);
      EXPECT_EQ(e.upstream_status, status);
      EXPECT_FALSE(e.message.empty());
      if (headers.contains("retry-after")) EXPECT_GT(e.retry_after.count(), 0);
    } else if (kind == "sse") {
      test::AnthropicDecoded s = test::decode_anthropic_sse(body);
      if (expected->second) {
        ASSERT_FALSE(s.ok);
        EXPECT_EQ(s.error.kind, *expected->second);
      } else {
        ASSERT_TRUE(s.ok) << s.error.message;
        EXPECT_EQ(s.events.front().type, StreamEvent::Type::start);
        EXPECT_EQ(s.events.back().type, StreamEvent::Type::usage);
      }
    } else {
      Result<ChatResponse> r = p->decode_response(body);
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_FALSE(r->content.empty());
      EXPECT_TRUE(r->usage.present);
    }

    if (const json::value* req = entry.as_object().if_contains("request");
        req && req->is_string()) {
      const std::string request_file(req->as_string());
      files_seen.insert(request_file);
      const std::string request_body = test::fixture("anthropic/" + request_file);
      Result<ChatRequest> decoded = anthropic::decode_messages_request(request_body);
      ASSERT_TRUE(decoded.ok()) << request_file << ": " << decoded.error().message;
      const json::value original = json::parse(request_body);
      Result<UpstreamRequest> encoded =
          p->encode(*decoded, original.at("model").as_string(), EncodeContext{});
      ASSERT_TRUE(encoded.ok()) << encoded.error().message;
      const json::value sent = json::parse(encoded->body);
      EXPECT_EQ(sent.at("messages").as_array().size(), original.at("messages").as_array().size());
      EXPECT_EQ(sent.at("max_tokens"), original.at("max_tokens"));
      EXPECT_EQ(encoded->stream, decoded->stream);
    }
  }
  // Every file in the folder (but the manifest) is exercised above.
  for (const auto& entry :
       std::filesystem::directory_iterator(test::fixtures_dir() / "anthropic")) {
    const std::string name = entry.path().filename().string();
    if (name == "manifest.json") continue;
    EXPECT_TRUE(files_seen.count(name)) << name << " is not in the manifest";
  }
}

}  // namespace
}  // namespace gw
