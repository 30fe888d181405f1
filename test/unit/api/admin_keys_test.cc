// Stored keys at the front door: authentication through a KeyStore (live, revoked, expired, a
// persona gone from the config), scopes, and the /admin/keys request handling and validation.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <filesystem>

#include "api/admin_keys_routes.h"
#include "api/auth.h"
#include "keys/key_store.h"

namespace gw {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1'800'000'000'000;

Config make_config() {
  Config c;
  PersonaConfig dev;
  dev.name = "dev";
  dev.primary = {"mock", "mock-gpt"};
  c.personas["dev"] = dev;
  PersonaConfig qa = dev;
  qa.name = "qa";
  c.personas["qa"] = qa;
  return c;
}

http::Request request(std::string method, std::string target, std::string key = {},
                      std::string body = {}) {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  if (!key.empty()) r.headers.push_back({"authorization", "Bearer " + key});
  r.body = std::move(body);
  return r;
}

class StoredKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ep-admin-keys-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    auto opened = keys::KeyStore::open("sqlite://" + (dir_ / "gw.db").string(),
                                       keys::KeyStoreOptions{std::chrono::milliseconds(0)});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  keys::CreatedKey make(std::vector<std::string> personas = {"dev"},
                        std::vector<std::string> scopes = {}) {
    keys::NewKey k;
    k.name = "bot";
    k.personas = std::move(personas);
    k.scopes = std::move(scopes);
    auto created = store_->create(k);
    EXPECT_TRUE(created.ok());
    return std::move(created).value();
  }

  fs::path dir_;
  std::unique_ptr<keys::KeyStore> store_;
  Config config_ = make_config();
};

TEST_F(StoredKeys, StoredKeyAuthenticatesAndIsKeptAlive) {
  auto created = make();
  auto id =
      authenticate(request("POST", "/v1/chat/completions", created.key), config_, store_.get());
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(id->persona->name, "dev");
  ASSERT_TRUE(id->stored);
  EXPECT_EQ(id->key, id->stored.get());
  EXPECT_EQ(id->key->id, created.info.id);
  // Without the store the same key is unknown.
  auto without = authenticate(request("POST", "/v1/chat/completions", created.key), config_);
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.error().code, "invalid_api_key");
}

TEST_F(StoredKeys, RevokedKeyIsA401SayingSo) {
  auto created = make();
  ASSERT_TRUE(store_->revoke(created.info.id).ok());
  auto id =
      authenticate(request("POST", "/v1/chat/completions", created.key), config_, store_.get());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, ErrorKind::caller_unauthenticated);
  EXPECT_EQ(id.error().code, "key_revoked");
}

TEST_F(StoredKeys, PersonaGoneFromTheConfigIsA401NamingIt) {
  auto created = make({"qa"});
  config_.personas.erase("qa");
  auto id =
      authenticate(request("POST", "/v1/chat/completions", created.key), config_, store_.get());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, ErrorKind::caller_unauthenticated);
  EXPECT_NE(id.error().message.find("\"qa\""), std::string::npos) << id.error().message;
}

TEST_F(StoredKeys, ScopesLimitWhatAKeyMayDo) {
  KeyConfig any;
  EXPECT_TRUE(key_allows(any, "chat"));
  KeyConfig reader;
  reader.scopes = {"cost:read"};
  EXPECT_FALSE(key_allows(reader, "chat"));
  EXPECT_TRUE(key_allows(reader, "cost:read"));
}

TEST_F(StoredKeys, AdminCreateListGetRevoke) {
  auto created = serve_admin_keys(
      request("POST", "/admin/keys", "", R"({"name":"ci","persona":"dev","scopes":["chat"]})"),
      store_.get(), config_, kNow);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->status, 201);
  auto body = boost::json::parse(created->body).as_object();
  const std::string key(body.at("key").as_string());
  const std::string kid(body.at("id").as_string());
  EXPECT_TRUE(key.starts_with("gwk_"));
  EXPECT_EQ(body.at("status").as_string(), "active");

  auto listed = serve_admin_keys(request("GET", "/admin/keys"), store_.get(), config_, kNow);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->body.find(key.substr(8)), std::string::npos) << "no secret in the listing";
  EXPECT_NE(listed->body.find(kid), std::string::npos);

  auto one = serve_admin_keys(request("GET", "/admin/keys/" + kid), store_.get(), config_, kNow);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(boost::json::parse(one->body).at("id").as_string(), kid);

  auto revoked =
      serve_admin_keys(request("DELETE", "/admin/keys/" + kid), store_.get(), config_, kNow);
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->body, R"({"id":")" + kid + R"(","revoked":true})");
  auto missing = serve_admin_keys(request("DELETE", "/admin/keys/key_000000000000"), store_.get(),
                                  config_, kNow);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::caller_not_found);

  auto wrong = serve_admin_keys(request("PUT", "/admin/keys"), store_.get(), config_, kNow);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().kind, ErrorKind::caller_method_not_allowed);
}

TEST_F(StoredKeys, NoStoreIs503) {
  auto r = serve_admin_keys(request("GET", "/admin/keys"), nullptr, config_, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::gateway_unavailable);
}

struct BadBody {
  const char* body;
  const char* param;
};

TEST(ParseNewKey, BadInputNamesTheField) {
  const Config config = make_config();
  const BadBody cases[] = {
      {R"({"persona":"dev"})", "name"},
      {R"({"name":"","persona":"dev"})", "name"},
      {R"({"name":"x"})", "personas"},
      {R"({"name":"x","persona":"nobody"})", "persona"},
      {R"({"name":"x","personas":["dev","nobody"]})", "personas"},
      {R"({"name":"x","persona":"dev","personas":["dev"]})", "persona"},
      {R"({"name":"x","persona":"dev","scopes":"chat"})", "scopes"},
      {R"({"name":"x","persona":"dev","role":"root"})", "role"},
      {R"({"name":"x","persona":"dev","team":5})", "team"},
      {R"({"name":"x","persona":"dev","expires_in_days":0})", "expires_in_days"},
      {R"({"name":"x","persona":"dev","expires_in_days":1.5})", "expires_in_days"},
      {R"({"name":"x","persona":"dev","expires_at":"tomorrow"})", "expires_at"},
      {R"({"name":"x","persona":"dev","expires_at":"2000-01-01T00:00:00Z"})", "expires_at"},
      {R"({"name":"x","persona":"dev","expires_at":"2099-01-01T00:00:00Z","expires_in_days":1})",
       "expires_in_days"},
      {R"({"name":"x","persona":"dev","admin":true})", "admin"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_new_key(c.body, config, kNow);
    ASSERT_FALSE(parsed.ok()) << c.body;
    EXPECT_EQ(parsed.error().kind, ErrorKind::caller_invalid_request) << c.body;
    EXPECT_EQ(parsed.error().param, c.param) << c.body;
  }
  auto not_json = parse_new_key("[1]", config, kNow);
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().code, "invalid_json");
}

TEST(ParseNewKey, ReadsEveryField) {
  auto parsed = parse_new_key(
      R"({"name":"ci","personas":["dev","qa"],"team":"t","project":"p","scopes":["chat"],)"
      R"("role":"admin","expires_in_days":2})",
      make_config(), kNow);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->personas, (std::vector<std::string>{"dev", "qa"}));
  EXPECT_EQ(parsed->team, "t");
  EXPECT_EQ(parsed->project, "p");
  EXPECT_EQ(parsed->role, "admin");
  EXPECT_EQ(parsed->expires_ms, kNow + 2 * 86'400'000LL);
  auto at = parse_new_key(R"({"name":"ci","persona":"dev","expires_at":"2030-01-01T00:00:00Z"})",
                          make_config(), kNow);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->expires_ms, 1893456000000);
  EXPECT_EQ(at->role, "user");
}

}  // namespace
}  // namespace gw
