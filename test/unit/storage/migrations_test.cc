// Schema migrations: applied once, in order, all-or-nothing, and never downgraded.
#include "storage/migrations.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "temp_dir.h"

namespace gw::storage {
namespace {

using testing::TempDir;

std::int64_t count(SqliteDb& db, const std::string& sql) {
  auto n = db.query_int(sql);
  EXPECT_TRUE(n.ok()) << (n.ok() ? "" : n.error().message);
  return n.ok() ? *n : -1;
}

bool has_table(SqliteDb& db, const std::string& name) {
  return count(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + name +
                       "'") == 1;
}

TEST(Migrations, GatewayListIsStrictlyIncreasingFromOne) {
  auto list = gateway_migrations();
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list.front().version, 1);
  for (std::size_t i = 1; i < list.size(); ++i) {
    EXPECT_EQ(list[i].version, list[i - 1].version + 1);
  }
}

TEST(Migrations, FreshDatabaseGetsRequestLogWithKeyAndIndexes) {
  auto db = SqliteDb::open("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  auto before = schema_version(*db);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*before, 0);

  ASSERT_TRUE(migrate(*db).ok());
  auto after = schema_version(*db);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, gateway_migrations().back().version);
  EXPECT_TRUE(has_table(*db, "request_log"));
  EXPECT_EQ(count(*db,
                  "SELECT count(*) FROM schema_migrations WHERE version = 1 AND "
                  "applied_at > 1600000000000"),
            1);

  EXPECT_EQ(count(*db, "SELECT count(*) FROM pragma_index_list('request_log') WHERE origin = 'pk'"),
            1);
  // The time-ordered primary key (ts_ms, ledger_key, attempt) replaces a separate ts_ms index.
  EXPECT_EQ(count(*db,
                  "SELECT group_concat(name, ',') = 'ts_ms,ledger_key,attempt' FROM (SELECT name "
                  "FROM pragma_index_info((SELECT name FROM pragma_index_list('request_log') WHERE "
                  "origin = 'pk')) ORDER BY seqno)"),
            1);
  EXPECT_EQ(count(*db,
                  "SELECT group_concat(name, ',') = 'persona,ts_ms' FROM (SELECT name FROM "
                  "pragma_index_info('request_log_persona_ts') ORDER BY seqno)"),
            1);

  // The primary key rejects the same record twice (what a retried batch re-inserts) and
  // attempt defaults to 1.
  ASSERT_TRUE(
      db->exec("INSERT INTO request_log (request_id, ledger_key, ts_ms) VALUES ('r1', 'k1', 1)")
          .ok());
  EXPECT_EQ(count(*db, "SELECT attempt FROM request_log WHERE request_id = 'r1'"), 1);
  EXPECT_FALSE(db->exec("INSERT INTO request_log (request_id, ledger_key, attempt, ts_ms) VALUES "
                        "('r1', 'k1', 1, 1)")
                   .ok());
  EXPECT_TRUE(db->exec("INSERT INTO request_log (request_id, ledger_key, attempt, ts_ms) VALUES "
                       "('r1', 'k1', 2, 2)")
                  .ok());
  // Two requests a client sent with one X-Request-ID, in the same millisecond: two rows.
  EXPECT_TRUE(db->exec("INSERT INTO request_log (request_id, ledger_key, attempt, ts_ms) VALUES "
                       "('r1', 'k2', 1, 1)")
                  .ok());
  EXPECT_FALSE(
      db->exec("INSERT INTO request_log (request_id, ledger_key) VALUES ('r2', 'k3')").ok());
  EXPECT_FALSE(db->exec("INSERT INTO request_log (request_id, ts_ms) VALUES ('r2', 3)").ok());
}

TEST(Migrations, IdempotentOnReopen) {
  TempDir dir;
  std::int64_t first_applied_at = 0;
  {
    auto db = SqliteDb::open(dir.url("gw.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(migrate(*db).ok());
    ASSERT_TRUE(
        db->exec("INSERT INTO request_log (request_id, ledger_key, ts_ms) VALUES ('keep', 'k', 1)")
            .ok());
    first_applied_at = count(*db, "SELECT applied_at FROM schema_migrations WHERE version = 1");
  }
  for (int i = 0; i < 2; ++i) {
    auto db = SqliteDb::open(dir.url("gw.db"));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(migrate(*db).ok()) << "reopen " << i;
    EXPECT_EQ(count(*db, "SELECT count(*) FROM schema_migrations"),
              static_cast<std::int64_t>(gateway_migrations().size()));
    EXPECT_EQ(count(*db, "SELECT applied_at FROM schema_migrations WHERE version = 1"),
              first_applied_at);
    EXPECT_EQ(count(*db, "SELECT count(*) FROM request_log WHERE request_id = 'keep'"), 1);
  }
}

TEST(Migrations, AppliesOnlyPendingVersionsInOrder) {
  auto db = SqliteDb::open("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  const std::vector<Migration> v1 = {{1, "a", "CREATE TABLE a (x INTEGER)"}};
  ASSERT_TRUE(apply_migrations(*db, v1).ok());
  ASSERT_TRUE(db->exec("INSERT INTO a VALUES (1)").ok());

  // Version 1 is not run again (it would fail: table a exists); 2 and 3 run in order.
  const std::vector<Migration> v3 = {
      {1, "a", "CREATE TABLE a (x INTEGER)"},
      {2, "b", "CREATE TABLE b (y INTEGER); INSERT INTO b SELECT x FROM a"},
      {3, "c", "ALTER TABLE b ADD COLUMN z INTEGER DEFAULT 9"},
  };
  ASSERT_TRUE(apply_migrations(*db, v3).ok());
  auto version = schema_version(*db);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 3);
  EXPECT_EQ(count(*db, "SELECT y * 10 + z FROM b"), 19);
}

TEST(Migrations, FailingMigrationLeavesDatabaseUntouched) {
  auto db = SqliteDb::open("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  const std::vector<Migration> broken = {
      {1, "a", "CREATE TABLE a (x INTEGER)"},
      {2, "b", "CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1)"},
  };
  Status s = apply_migrations(*db, broken);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, kStorageErrorCode);
  EXPECT_NE(s.error().message.find("migration 2 (b)"), std::string::npos);
  EXPECT_FALSE(db->in_transaction());
  EXPECT_FALSE(has_table(*db, "a"));
  EXPECT_FALSE(has_table(*db, "b"));
  EXPECT_FALSE(has_table(*db, "schema_migrations"));
}

TEST(Migrations, RejectsOutOfOrderList) {
  auto db = SqliteDb::open("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  const std::vector<Migration> unordered = {
      {2, "b", "CREATE TABLE b (y INTEGER)"},
      {1, "a", "CREATE TABLE a (x INTEGER)"},
  };
  EXPECT_FALSE(apply_migrations(*db, unordered).ok());
  const std::vector<Migration> duplicate = {
      {1, "a", "CREATE TABLE a (x INTEGER)"},
      {1, "b", "CREATE TABLE b (y INTEGER)"},
  };
  EXPECT_FALSE(apply_migrations(*db, duplicate).ok());
  EXPECT_FALSE(has_table(*db, "a"));
}

TEST(Migrations, RefusesDatabaseFromNewerBinary) {
  auto db = SqliteDb::open("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(migrate(*db).ok());
  ASSERT_TRUE(db->exec("INSERT INTO schema_migrations VALUES (999, 0)").ok());
  Status s = migrate(*db);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::gateway_unavailable);
  EXPECT_NE(s.error().message.find("999"), std::string::npos);
}

}  // namespace
}  // namespace gw::storage
