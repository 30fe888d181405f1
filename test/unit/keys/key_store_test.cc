// KeyStore over a real SQLite file: a created key is found by its hash, only the hash reaches the
// disk, revoked and expired keys are refused with their reason, and a second store on the same
// file (the CLI in another process) is seen after refresh() and by the background refresher.
#include "keys/key_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <boost/json/serialize.hpp>

#include "keys/key_json.h"

namespace gw::keys {
namespace {

namespace fs = std::filesystem;

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ep-keys-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "gw.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<KeyStore> open(KeyStoreOptions options = {std::chrono::milliseconds(0)}) {
    auto store = KeyStore::open(url_, options);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(store).value() : nullptr;
  }

  static NewKey sample(std::string name = "ci-bot") {
    NewKey k;
    k.name = std::move(name);
    k.personas = {"dev", "reviewer"};
    k.team = "platform";
    k.scopes = {"chat"};
    return k;
  }

  // Every byte SQLite wrote: the database and its write-ahead log.
  std::string disk_bytes() const {
    std::string all;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      std::ifstream in(entry.path(), std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }

  fs::path dir_;
  std::string url_;
};

TEST_F(KeyStoreTest, CreatedKeyIsFoundByItsHash) {
  auto store = open();
  ASSERT_TRUE(store);
  auto created = store->create(sample());
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_TRUE(created->key.starts_with("gwk_"));
  EXPECT_EQ(created->key.size(), 4u + 43u);
  EXPECT_TRUE(created->info.id.starts_with("key_"));
  EXPECT_EQ(created->info.id.size(), 4u + 12u);
  EXPECT_EQ(created->info.hint, created->key.substr(0, 8));

  auto lookup = store->find(hash_key(created->key), unix_now_ms());
  ASSERT_TRUE(lookup.key) << lookup.refused;
  EXPECT_EQ(lookup.key->id, created->info.id);
  EXPECT_EQ(lookup.key->name, "ci-bot");
  EXPECT_EQ(lookup.key->personas, (std::vector<std::string>{"dev", "reviewer"}));
  EXPECT_EQ(lookup.key->team, "platform");
  EXPECT_EQ(lookup.key->scopes, (std::vector<std::string>{"chat"}));
  EXPECT_FALSE(lookup.key->admin);

  auto other = store->find(hash_key(created->key + "x"), unix_now_ms());
  EXPECT_FALSE(other.key);
  EXPECT_TRUE(other.refused.empty());
}

TEST_F(KeyStoreTest, TwoKeysAreDifferentAndAdminRoleIsKept) {
  auto store = open();
  ASSERT_TRUE(store);
  NewKey admin = sample("ops");
  admin.role = "admin";
  auto a = store->create(sample());
  auto b = store->create(admin);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->key, b->key);
  EXPECT_NE(a->info.id, b->info.id);
  auto found = store->find(hash_key(b->key), unix_now_ms());
  ASSERT_TRUE(found.key);
  EXPECT_TRUE(found.key->admin);
}

TEST_F(KeyStoreTest, OnlyTheHashReachesTheDisk) {
  std::string key;
  {
    auto store = open();
    ASSERT_TRUE(store);
    auto created = store->create(sample());
    ASSERT_TRUE(created.ok());
    key = created->key;
  }
  const std::string bytes = disk_bytes();
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(key), std::string::npos) << "plaintext key on disk";
  // Nor any stretch of its random part beyond the 8-character hint.
  const std::string tail = key.substr(8);
  for (std::size_t i = 0; i + 12 <= tail.size(); i += 4) {
    EXPECT_EQ(bytes.find(tail.substr(i, 12)), std::string::npos) << "key fragment on disk";
  }
  const auto hash = hash_key(key);
  EXPECT_NE(bytes.find(std::string(reinterpret_cast<const char*>(hash.data()), hash.size())),
            std::string::npos)
      << "the hash is what is stored";
}

TEST_F(KeyStoreTest, RevokedKeyIsRefusedWithItsReason) {
  auto store = open();
  ASSERT_TRUE(store);
  auto created = store->create(sample());
  ASSERT_TRUE(created.ok());
  auto revoked = store->revoke(created->info.id);
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(*revoked);
  auto lookup = store->find(hash_key(created->key), unix_now_ms());
  EXPECT_FALSE(lookup.key);
  EXPECT_EQ(lookup.refused, "revoked");
  EXPECT_EQ(lookup.name, "ci-bot");

  auto again = store->revoke(created->info.id);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again) << "revoking twice still names an existing key";
  auto missing = store->revoke("key_000000000000");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
}

TEST_F(KeyStoreTest, ExpiredKeyIsRefusedWithItsReason) {
  auto store = open();
  ASSERT_TRUE(store);
  NewKey k = sample();
  const std::int64_t now = unix_now_ms();
  k.expires_ms = now + 60'000;
  auto created = store->create(k);
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(store->find(hash_key(created->key), now + 59'999).key);
  auto later = store->find(hash_key(created->key), now + 60'000);
  EXPECT_FALSE(later.key);
  EXPECT_EQ(later.refused, "expired");
}

TEST_F(KeyStoreTest, ListShowsEverythingButTheKey) {
  auto store = open();
  ASSERT_TRUE(store);
  auto a = store->create(sample("first"));
  auto b = store->create(sample("second"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(store->revoke(b->info.id).ok());
  auto listed = store->list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  const std::int64_t now = unix_now_ms();
  for (const KeyInfo& info : *listed) {
    const std::string json = boost::json::serialize(key_info_json(info, now));
    EXPECT_EQ(json.find(a->key.substr(8)), std::string::npos);
    EXPECT_EQ(json.find(b->key.substr(8)), std::string::npos);
    EXPECT_NE(json.find("\"hint\":\"gwk_"), std::string::npos) << json;
  }
  const KeyInfo& second = (*listed)[0].id == b->info.id ? (*listed)[0] : (*listed)[1];
  EXPECT_NE(second.revoked_ms, 0);
  EXPECT_STREQ(key_status(second, now), "revoked");
}

TEST_F(KeyStoreTest, BadRequestsNameTheField) {
  auto store = open();
  ASSERT_TRUE(store);
  NewKey no_name = sample("");
  auto e1 = store->create(no_name);
  ASSERT_FALSE(e1.ok());
  EXPECT_EQ(e1.error().kind, ErrorKind::caller_invalid_request);
  EXPECT_EQ(e1.error().param, "name");
  NewKey no_persona = sample();
  no_persona.personas.clear();
  auto e2 = store->create(no_persona);
  ASSERT_FALSE(e2.ok());
  EXPECT_EQ(e2.error().param, "personas");
  NewKey bad_role = sample();
  bad_role.role = "root";
  auto e3 = store->create(bad_role);
  ASSERT_FALSE(e3.ok());
  EXPECT_EQ(e3.error().param, "role");
}

TEST_F(KeyStoreTest, RefreshSeesChangesFromAnotherStore) {
  auto server = open();
  auto cli = open();
  ASSERT_TRUE(server && cli);
  auto created = cli->create(sample());
  ASSERT_TRUE(created.ok());
  const auto hash = hash_key(created->key);
  EXPECT_FALSE(server->find(hash, unix_now_ms()).key) << "not yet refreshed";
  ASSERT_TRUE(server->refresh().ok());
  EXPECT_TRUE(server->find(hash, unix_now_ms()).key);

  ASSERT_TRUE(cli->revoke(created->info.id).ok());
  EXPECT_TRUE(server->find(hash, unix_now_ms()).key) << "still the old snapshot";
  ASSERT_TRUE(server->refresh().ok());
  EXPECT_EQ(server->find(hash, unix_now_ms()).refused, "revoked");
}

TEST_F(KeyStoreTest, BackgroundRefresherPicksUpAnotherStoresRevocation) {
  auto server = open(KeyStoreOptions{std::chrono::milliseconds(50)});
  auto cli = open();
  ASSERT_TRUE(server && cli);
  auto created = cli->create(sample());
  ASSERT_TRUE(created.ok());
  const auto hash = hash_key(created->key);
  auto until = [&](auto pred) {
    // Polls for a condition with a generous deadline; the deadline is not the assertion.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!pred() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
  };
  EXPECT_TRUE(until([&] { return server->find(hash, unix_now_ms()).key != nullptr; }));
  ASSERT_TRUE(cli->revoke(created->info.id).ok());
  EXPECT_TRUE(until([&] { return server->find(hash, unix_now_ms()).refused == "revoked"; }));
}

TEST_F(KeyStoreTest, HeldKeySurvivesARefresh) {
  auto store = open();
  ASSERT_TRUE(store);
  auto created = store->create(sample());
  ASSERT_TRUE(created.ok());
  auto held = store->find(hash_key(created->key), unix_now_ms()).key;
  ASSERT_TRUE(held);
  ASSERT_TRUE(store->revoke(created->info.id).ok());  // swaps the snapshot
  EXPECT_EQ(held->name, "ci-bot");                    // still valid memory (ASan would tell)
}

TEST(KeyStoreOpen, PostgresIsRefusedClearly) {
  auto store = KeyStore::open("postgres://localhost/gw");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("SQLite"), std::string::npos) << store.error().message;
}

}  // namespace
}  // namespace gw::keys
