// KeyStore on both backends — a SQLite file and a schema of its own in PostgreSQL — with the
// same cases: a created key is found by its hash, only the hash is stored, revoked and expired
// keys are refused with their reason, listings and budgets round-trip, a second store on the
// same database (the CLI, another gateway instance) is seen after refresh() and by the background
// refresher, and a refresh that fails keeps the snapshot. On PostgreSQL the store also reconnects
// after the server drops its connection.
#include "keys/key_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "cost/pg_conn.h"
#include "keys/key_json.h"
#include "storage/sqlite_db.h"
#include "support/test_servers.h"

namespace gw::keys {
namespace {

namespace fs = std::filesystem;

enum class Backend { sqlite, postgres };

const char* to_string(Backend b) {
  return b == Backend::sqlite ? "sqlite" : "postgres";
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return to_string(info.param);
}

// For gtest's "GetParam() = …" lines.
[[maybe_unused]] void PrintTo(Backend b, std::ostream* os) {
  *os << to_string(b);
}

std::string hex(const std::array<std::uint8_t, 32>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

// Polls for a condition with a generous deadline; the deadline is not the assertion.
template <typename Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

class KeyStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::sqlite) {
      // The case's name without its "/sqlite" suffix: one directory, removed whole.
      const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
      dir_ = fs::temp_directory_path() /
             ("ep-keys-" + std::to_string(::getpid()) + "-" + name.substr(0, name.find('/')));
      fs::remove_all(dir_);
      fs::create_directories(dir_);
      url_ = "sqlite://" + (dir_ / "gw.db").string();
      return;
    }
    std::string error;
    base_url_ = gw::test::pg_server_url(&error);
    ASSERT_FALSE(base_url_.empty()) << error;
    // A schema per process, recreated for every case (parallel ctest runs share the server).
    admin_exec("DROP SCHEMA IF EXISTS " + schema() + " CASCADE; CREATE SCHEMA " + schema());
    url_ = base_url_ + (base_url_.find('?') == std::string::npos ? "?" : "&") +
           "options=-csearch_path%3D" + schema() + "&application_name=" + schema();
  }

  void TearDown() override {
    if (GetParam() == Backend::sqlite) {
      fs::remove_all(dir_);
    } else if (!base_url_.empty()) {
      admin_exec("DROP SCHEMA IF EXISTS " + schema() + " CASCADE");
    }
  }

  static std::string schema() { return "gw_keys_test_" + std::to_string(::getpid()); }

  // SQL on the server outside the schema's search path (schemas, backends).
  cost::pg::Rows admin_exec(const std::string& sql) {
    auto admin = cost::pg::Connection::open(base_url_);
    if (!admin) throw std::runtime_error(admin.error().message);
    auto done = admin->exec(sql);
    if (!done) throw std::runtime_error(done.error().message);
    return std::move(done).value();
  }

  // A statement on the store's own database, behind the store's back.
  void exec_on_store_db(const std::string& sql) {
    if (GetParam() == Backend::sqlite) {
      auto db = storage::SqliteDb::open(url_);
      ASSERT_TRUE(db.ok()) << db.error().message;
      auto done = db->exec(sql);
      ASSERT_TRUE(done.ok()) << done.error().message;
      return;
    }
    auto conn = cost::pg::Connection::open(url_);
    ASSERT_TRUE(conn.ok()) << conn.error().message;
    auto done = conn->exec(sql);
    ASSERT_TRUE(done.ok()) << done.error().message;
  }

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

  // Everything the database keeps: SQLite's files (database and write-ahead log) byte for
  // byte, or every PostgreSQL row as text.
  std::string stored_bytes() {
    std::string all;
    if (GetParam() == Backend::sqlite) {
      for (const auto& entry : fs::directory_iterator(dir_)) {
        std::ifstream in(entry.path(), std::ios::binary);
        all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      return all;
    }
    auto rows = admin_exec("SELECT k::text FROM " + schema() + ".gateway_key k");
    for (int r = 0; r < rows.size(); ++r) all.append(rows.text(r, 0)).append("\n");
    return all;
  }

  // How the stored hash looks in stored_bytes(): its bytes, or bytea's hex text.
  std::string stored_hash(const std::array<std::uint8_t, 32>& hash) const {
    if (GetParam() == Backend::sqlite) {
      return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
    }
    return hex(hash);
  }

  fs::path dir_;
  std::string base_url_;
  std::string url_;
};

INSTANTIATE_TEST_SUITE_P(Backends, KeyStoreTest,
                         ::testing::Values(Backend::sqlite, Backend::postgres), backend_name);

TEST_P(KeyStoreTest, CreatedKeyIsFoundByItsHash) {
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
  EXPECT_TRUE(lookup.key->budget.empty());

  auto other = store->find(hash_key(created->key + "x"), unix_now_ms());
  EXPECT_FALSE(other.key);
  EXPECT_TRUE(other.refused.empty());
}

TEST_P(KeyStoreTest, TwoKeysAreDifferentAndAdminRoleIsKept) {
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

TEST_P(KeyStoreTest, OnlyTheHashIsStored) {
  std::string key;
  {
    auto store = open();
    ASSERT_TRUE(store);
    auto created = store->create(sample());
    ASSERT_TRUE(created.ok());
    key = created->key;
  }
  const std::string bytes = stored_bytes();
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(key), std::string::npos) << "plaintext key stored";
  // Nor any stretch of its random part beyond the 8-character hint.
  const std::string tail = key.substr(8);
  for (std::size_t i = 0; i + 12 <= tail.size(); i += 4) {
    EXPECT_EQ(bytes.find(tail.substr(i, 12)), std::string::npos) << "key fragment stored";
  }
  EXPECT_NE(bytes.find(stored_hash(hash_key(key))), std::string::npos)
      << "the hash is what is stored";
}

TEST_P(KeyStoreTest, RevokedKeyIsRefusedWithItsReason) {
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

  auto first = store->list();
  ASSERT_TRUE(first.ok() && first->size() == 1u);
  auto again = store->revoke(created->info.id);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again) << "revoking twice still names an existing key";
  auto second = store->list();
  ASSERT_TRUE(second.ok() && second->size() == 1u);
  EXPECT_EQ((*second)[0].revoked_ms, (*first)[0].revoked_ms) << "the first revocation time stays";
  auto missing = store->revoke("key_000000000000");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(*missing);
}

TEST_P(KeyStoreTest, ExpiredKeyIsRefusedWithItsReason) {
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
  EXPECT_EQ(later.name, "ci-bot");
}

TEST_P(KeyStoreTest, ListShowsEverythingButTheKey) {
  auto store = open();
  ASSERT_TRUE(store);
  NewKey first = sample("first");
  first.project = "checkout";
  first.role = "admin";
  first.expires_ms = unix_now_ms() + 86'400'000;
  auto a = store->create(first);
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
  const KeyInfo& one = (*listed)[0].id == a->info.id ? (*listed)[0] : (*listed)[1];
  const KeyInfo& two = (*listed)[0].id == b->info.id ? (*listed)[0] : (*listed)[1];
  // Every field as create() answered it.
  EXPECT_EQ(one.name, "first");
  EXPECT_EQ(one.hint, a->info.hint);
  EXPECT_EQ(one.personas, (std::vector<std::string>{"dev", "reviewer"}));
  EXPECT_EQ(one.team, "platform");
  EXPECT_EQ(one.project, "checkout");
  EXPECT_EQ(one.scopes, (std::vector<std::string>{"chat"}));
  EXPECT_EQ(one.role, "admin");
  EXPECT_EQ(one.created_ms, a->info.created_ms);
  EXPECT_EQ(one.expires_ms, first.expires_ms);
  EXPECT_EQ(one.revoked_ms, 0);
  EXPECT_STREQ(key_status(one, now), "active");
  EXPECT_EQ(two.project, "");
  EXPECT_EQ(two.role, "user");
  EXPECT_EQ(two.expires_ms, 0);
  EXPECT_NE(two.revoked_ms, 0);
  EXPECT_STREQ(key_status(two, now), "revoked");
}

TEST_P(KeyStoreTest, BudgetObjectRoundTrips) {
  auto store = open();
  ASSERT_TRUE(store);
  NewKey k = sample("budgeted");
  k.budget =
      boost::json::parse(R"({"daily_usd": 5, "requests_per_min": 60, "alert_threshold": 0.8})")
          .as_object();
  auto created = store->create(k);
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->info.budget, k.budget);

  auto found = store->find(hash_key(created->key), unix_now_ms());
  ASSERT_TRUE(found.key);
  EXPECT_EQ(found.key->budget, k.budget);
  auto listed = store->list();
  ASSERT_TRUE(listed.ok() && listed->size() == 1u);
  EXPECT_EQ((*listed)[0].budget, k.budget);

  auto other = open();  // reads it from the database, not from create()'s copy
  ASSERT_TRUE(other);
  auto read_back = other->find(hash_key(created->key), unix_now_ms());
  ASSERT_TRUE(read_back.key);
  EXPECT_EQ(boost::json::serialize(read_back.key->budget), boost::json::serialize(k.budget));
}

TEST_P(KeyStoreTest, BadRequestsNameTheField) {
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

TEST_P(KeyStoreTest, RefreshSeesChangesFromAnotherStore) {
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

TEST_P(KeyStoreTest, BackgroundRefresherPicksUpAnotherStoresRevocation) {
  auto server = open(KeyStoreOptions{std::chrono::milliseconds(50)});
  auto cli = open();
  ASSERT_TRUE(server && cli);
  auto created = cli->create(sample());
  ASSERT_TRUE(created.ok());
  const auto hash = hash_key(created->key);
  EXPECT_TRUE(eventually([&] { return server->find(hash, unix_now_ms()).key != nullptr; }));
  ASSERT_TRUE(cli->revoke(created->info.id).ok());
  EXPECT_TRUE(eventually([&] { return server->find(hash, unix_now_ms()).refused == "revoked"; }));
}

TEST_P(KeyStoreTest, HeldKeySurvivesARefresh) {
  auto store = open();
  ASSERT_TRUE(store);
  auto created = store->create(sample());
  ASSERT_TRUE(created.ok());
  auto held = store->find(hash_key(created->key), unix_now_ms()).key;
  ASSERT_TRUE(held);
  ASSERT_TRUE(store->revoke(created->info.id).ok());  // swaps the snapshot
  EXPECT_EQ(held->name, "ci-bot");                    // still valid memory (ASan would tell)
}

TEST_P(KeyStoreTest, AFailedRefreshKeepsTheSnapshot) {
  auto store = open(KeyStoreOptions{std::chrono::milliseconds(20)});
  ASSERT_TRUE(store);
  auto created = store->create(sample());
  ASSERT_TRUE(created.ok());
  const auto hash = hash_key(created->key);
  exec_on_store_db("ALTER TABLE gateway_key RENAME TO gateway_key_away");
  EXPECT_FALSE(store->refresh().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // failing background rounds
  EXPECT_TRUE(store->find(hash, unix_now_ms()).key) << "the snapshot is kept, not emptied";
  exec_on_store_db("ALTER TABLE gateway_key_away RENAME TO gateway_key");
  EXPECT_TRUE(store->refresh().ok());
  EXPECT_TRUE(store->find(hash, unix_now_ms()).key);
}

// PostgreSQL only: the server drops the store's connection (a restart, an idle cut, a failover).
// `keys import`: keys kept in a SQLite file move to this store (either backend) as they are —
// the same ids, hashes, bindings and times, revoked ones still revoked — and importing again
// changes nothing; a secret already stored under another id is reported, not copied.
TEST_P(KeyStoreTest, ImportCopiesAnotherStoresKeysAsTheyAre) {
  const fs::path source_dir =
      fs::temp_directory_path() / ("ep-keys-import-" + std::to_string(::getpid()));
  fs::remove_all(source_dir);
  fs::create_directories(source_dir);
  const std::string source_url = "sqlite://" + (source_dir / "old.db").string();
  std::string live_key, revoked_key;
  std::vector<KeyInfo> before;
  {
    auto source = KeyStore::open(source_url, {std::chrono::milliseconds(0)});
    ASSERT_TRUE(source.ok()) << source.error().message;
    NewKey budgeted = sample("budgeted");
    budgeted.budget["daily_usd"] = 5;
    budgeted.expires_ms = unix_now_ms() + 3'600'000;
    auto live = (*source)->create(budgeted);
    auto gone = (*source)->create(sample("gone"));
    ASSERT_TRUE(live.ok() && gone.ok());
    ASSERT_TRUE(*(*source)->revoke(gone->info.id));
    live_key = live->key;
    revoked_key = gone->key;
    before = *(*source)->list();
  }
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->create(sample("already-here")).ok());

  auto imported = store->import_from(source_url);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->imported, 2);
  EXPECT_EQ(imported->present, 0);
  EXPECT_TRUE(imported->conflicts.empty());

  auto live = store->find(hash_key(live_key), unix_now_ms());
  ASSERT_TRUE(live.key) << live.refused;
  EXPECT_EQ(live.key->name, "budgeted");
  EXPECT_EQ(live.key->budget.at("daily_usd").to_number<double>(), 5.0);
  EXPECT_EQ(store->find(hash_key(revoked_key), unix_now_ms()).refused, "revoked");
  auto listed = store->list();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 3u);
  for (const KeyInfo& was : before) {
    auto it = std::find_if(listed->begin(), listed->end(),
                           [&](const KeyInfo& k) { return k.id == was.id; });
    ASSERT_NE(it, listed->end()) << was.id;
    EXPECT_EQ(it->hint, was.hint);
    EXPECT_EQ(it->personas, was.personas);
    EXPECT_EQ(it->created_ms, was.created_ms);
    EXPECT_EQ(it->expires_ms, was.expires_ms);
    EXPECT_EQ(it->revoked_ms, was.revoked_ms);
  }

  auto again = store->import_from(source_url);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->imported, 0);
  EXPECT_EQ(again->present, 2);

  // The live key's row renamed behind the store's back: its secret is here under another id.
  exec_on_store_db("UPDATE gateway_key SET id = 'key_renamed00000' WHERE id = '" + before[0].id +
                   "'");
  auto conflict = store->import_from(source_url);
  ASSERT_TRUE(conflict.ok());
  EXPECT_EQ(conflict->imported, 0);
  EXPECT_EQ(conflict->present, 1);
  EXPECT_EQ(conflict->conflicts, std::vector<std::string>{before[0].id});

  EXPECT_FALSE(store->import_from("sqlite://" + (source_dir / "no" / "such.db").string()).ok());
  fs::remove_all(source_dir);
}

class PgKeyStoreTest : public KeyStoreTest {
 protected:
  // Ends the store's server processes (named by application_name) and waits until they are gone.
  void drop_store_connections() {
    const std::string mine = "application_name = '" + schema() + "'";
    admin_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE " + mine);
    ASSERT_TRUE(eventually([&] {
      return admin_exec("SELECT count(*) FROM pg_stat_activity WHERE " + mine).int64(0, 0) == 0;
    }));
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, PgKeyStoreTest, ::testing::Values(Backend::postgres),
                         backend_name);

TEST_P(PgKeyStoreTest, ReconnectsAfterTheServerDropsTheConnection) {
  auto store = open();
  ASSERT_TRUE(store);
  auto a = store->create(sample("before"));
  ASSERT_TRUE(a.ok());

  drop_store_connections();
  ASSERT_TRUE(store->refresh().ok()) << "a refresh reconnects";
  EXPECT_TRUE(store->find(hash_key(a->key), unix_now_ms()).key);

  drop_store_connections();
  auto b = store->create(sample("after"));
  ASSERT_TRUE(b.ok()) << b.error().message;
  drop_store_connections();
  auto revoked = store->revoke(a->info.id);
  ASSERT_TRUE(revoked.ok()) << revoked.error().message;
  EXPECT_TRUE(*revoked);
  drop_store_connections();
  auto listed = store->list();
  ASSERT_TRUE(listed.ok()) << listed.error().message;
  EXPECT_EQ(listed->size(), 2u) << "each key stored once";
  EXPECT_EQ(store->find(hash_key(a->key), unix_now_ms()).refused, "revoked");
  EXPECT_TRUE(store->find(hash_key(b->key), unix_now_ms()).key);
}

TEST_P(PgKeyStoreTest, TheTableHasEverySqliteColumn) {
  auto store = open();
  ASSERT_TRUE(store);
  auto columns = admin_exec(
      "SELECT string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns "
      "WHERE table_schema = '" +
      schema() + "' AND table_name = 'gateway_key'");
  EXPECT_EQ(columns.text(0, 0),
            "budget,created_ms,expires_ms,hint,id,name,personas,project,revoked_ms,role,scopes,"
            "sha256,team");
}

TEST(KeyStoreOpen, AnUnknownUrlIsRefused) {
  auto store = KeyStore::open("mysql://localhost/gw");
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.error().message.find("sqlite://"), std::string::npos) << store.error().message;
}

}  // namespace
}  // namespace gw::keys
