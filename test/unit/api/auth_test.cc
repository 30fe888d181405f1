#include "api/auth.h"

#include <gtest/gtest.h>

namespace gw {
namespace {

Config make_config() {
  Config c;
  PersonaConfig dev;
  dev.name = "dev";
  dev.primary = {"mock", "mock-gpt"};
  PersonaConfig qa = dev;
  qa.name = "qa";
  c.personas["dev"] = dev;
  c.personas["qa"] = qa;
  KeyConfig k1;
  k1.sha256 = hash_key("key-one");
  k1.personas = {"dev", "qa"};
  k1.name = "one";
  KeyConfig k2;
  k2.sha256 = hash_key("key-two");
  k2.personas = {"qa"};
  k2.name = "two";
  c.keys = {k1, k2};
  return c;
}

http::Request with_headers(std::vector<http::Header> headers,
                           std::string target = "/v1/chat/completions") {
  http::Request r;
  r.method = "POST";
  r.target = std::move(target);
  r.headers = std::move(headers);
  return r;
}

TEST(Auth, BearerKeyMapsToItsFirstPersona) {
  Config c = make_config();
  auto id = authenticate(with_headers({{"authorization", "Bearer key-one"}}), c);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(id->persona->name, "dev");
  EXPECT_EQ(id->key->name, "one");
}

TEST(Auth, AnthropicAndGeminiHeadersAndQueryKey) {
  Config c = make_config();
  EXPECT_EQ(authenticate(with_headers({{"x-api-key", "key-two"}}), c)->persona->name, "qa");
  EXPECT_EQ(authenticate(with_headers({{"x-goog-api-key", "key-two"}}), c)->persona->name, "qa");
  EXPECT_EQ(
      authenticate(with_headers({}, "/v1beta/models/x:generateContent?alt=sse&key=key-two"), c)
          ->persona->name,
      "qa");
}

TEST(Auth, XPersonaPicksAmongPermittedPersonas) {
  Config c = make_config();
  auto id =
      authenticate(with_headers({{"authorization", "Bearer key-one"}, {"x-persona", "qa"}}), c);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->persona->name, "qa");
  auto denied =
      authenticate(with_headers({{"authorization", "Bearer key-two"}, {"x-persona", "dev"}}), c);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().kind, ErrorKind::caller_forbidden);
}

TEST(Auth, MissingAndUnknownKeysAre401) {
  Config c = make_config();
  auto missing = authenticate(with_headers({}), c);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::caller_unauthenticated);
  EXPECT_EQ(missing.error().code, "missing_api_key");
  auto unknown = authenticate(with_headers({{"authorization", "Bearer nope"}}), c);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "invalid_api_key");
  EXPECT_EQ(unknown.error().message.find("nope"), std::string::npos)
      << "the key must not be echoed";
}

TEST(Auth, TrailingWhitespaceIsTrimmedAndSchemeIsCaseInsensitive) {
  Config c = make_config();
  EXPECT_TRUE(authenticate(with_headers({{"authorization", "bearer key-one \t"}}), c).ok());
}

TEST(Auth, AmbiguousCredentialsAreRefused) {
  Config c = make_config();
  auto dup = authenticate(
      with_headers({{"authorization", "Bearer key-one"}, {"authorization", "Bearer key-two"}}), c);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "ambiguous_credentials");
  auto conflict = authenticate(
      with_headers({{"authorization", "Bearer key-one"}, {"x-api-key", "key-two"}}), c);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, "ambiguous_credentials");
  auto underscore = authenticate(with_headers({{"x_api_key", "key-one"}}), c);
  ASSERT_FALSE(underscore.ok());
  EXPECT_EQ(underscore.error().code, "invalid_auth_header");
  auto basic = authenticate(with_headers({{"authorization", "Basic abc"}}), c);
  ASSERT_FALSE(basic.ok());
}

}  // namespace
}  // namespace gw
