// SqliteDb: URL parsing, directory creation, the durability pragmas, statements, transactions.
#include "storage/sqlite_db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "temp_dir.h"

namespace gw::storage {
namespace {

using testing::TempDir;

TEST(SqliteUrl, RelativeAbsoluteAndMemory) {
  auto relative = sqlite_path_from_url("sqlite://data/gateway.db");
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(*relative, "data/gateway.db");

  auto absolute = sqlite_path_from_url("sqlite:///var/lib/gw/gateway.db");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(*absolute, "/var/lib/gw/gateway.db");

  auto memory = sqlite_path_from_url("sqlite::memory:");
  ASSERT_TRUE(memory.ok());
  EXPECT_EQ(*memory, ":memory:");
}

TEST(SqliteUrl, RejectsOtherSchemesAndEmptyPath) {
  for (const char* url : {"postgresql://db/gw", "sqlite:/x.db", "sqlite://", "", "data.db"}) {
    auto path = sqlite_path_from_url(url);
    ASSERT_FALSE(path.ok()) << url;
    EXPECT_EQ(path.error().code, kStorageErrorCode) << url;
  }
}

TEST(SqliteDb, OpenCreatesParentDirectoriesAndAppliesPragmas) {
  TempDir dir;
  auto db = SqliteDb::open(dir.url("a/b/c/gateway.db"));
  ASSERT_TRUE(db.ok()) << db.error().message;
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "a/b/c"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "a/b/c/gateway.db"));
  EXPECT_EQ(db->path(), (dir.path() / "a/b/c/gateway.db").string());

  auto mode = db->query_text("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, "wal");
  auto sync = db->query_int("PRAGMA synchronous");
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ(*sync, 2);  // FULL
  auto busy = db->query_int("PRAGMA busy_timeout");
  ASSERT_TRUE(busy.ok());
  EXPECT_EQ(*busy, 5000);
  auto fk = db->query_int("PRAGMA foreign_keys");
  ASSERT_TRUE(fk.ok());
  EXPECT_EQ(*fk, 1);
}

TEST(SqliteDb, BusyTimeoutIsConfigurable) {
  TempDir dir;
  auto db = SqliteDb::open(dir.url("gw.db"), SqliteOptions{.busy_timeout_ms = 25});
  ASSERT_TRUE(db.ok());
  auto busy = db->query_int("PRAGMA busy_timeout");
  ASSERT_TRUE(busy.ok());
  EXPECT_EQ(*busy, 25);
}

TEST(SqliteDb, MemoryDatabaseOpens) {
  auto db = SqliteDb::open("sqlite::memory:");
  ASSERT_TRUE(db.ok()) << db.error().message;
  auto mode = db->query_text("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(*mode, "memory");
  ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER)").ok());
}

TEST(SqliteDb, OpenFailsWhenParentIsAFile) {
  TempDir dir;
  {
    auto blocker = SqliteDb::open(dir.url("file.db"));
    ASSERT_TRUE(blocker.ok());
  }
  auto db = SqliteDb::open(dir.url("file.db/inner.db"));
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().kind, ErrorKind::gateway_unavailable);
  EXPECT_EQ(db.error().code, kStorageErrorCode);
}

TEST(SqliteDb, StatementBindStepAndColumns) {
  auto db = SqliteDb::open("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->exec("CREATE TABLE t (i INTEGER, big INTEGER, d REAL, s TEXT, n TEXT)").ok());
  auto insert = db->prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5)");
  ASSERT_TRUE(insert.ok()) << insert.error().message;
  ASSERT_TRUE(insert->bind(1, 7).ok());
  ASSERT_TRUE(insert->bind(2, std::int64_t{1} << 40).ok());
  ASSERT_TRUE(insert->bind(3, 2.5).ok());
  ASSERT_TRUE(insert->bind(4, std::string_view("caf\xc3\xa9\0x", 7)).ok());
  ASSERT_TRUE(insert->bind_text_or_null(5, "").ok());
  ASSERT_TRUE(insert->run().ok());
  EXPECT_EQ(db->changes(), 1);

  // Reset clears the bindings: a reused statement never inherits the previous row's values.
  insert->reset();
  ASSERT_TRUE(insert->bind(1, 8).ok());
  ASSERT_TRUE(insert->run().ok());

  auto select = db->prepare("SELECT i, big, d, s, n FROM t ORDER BY i");
  ASSERT_TRUE(select.ok());
  EXPECT_EQ(select->column_count(), 5);
  auto row = select->step();
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(*row);
  EXPECT_EQ(select->column_int64(0), 7);
  EXPECT_EQ(select->column_int64(1), std::int64_t{1} << 40);
  EXPECT_DOUBLE_EQ(select->column_double(2), 2.5);
  EXPECT_EQ(select->column_text(3), std::string("caf\xc3\xa9\0x", 7));
  EXPECT_TRUE(select->column_is_null(4));
  EXPECT_EQ(select->column_text(4), "");

  row = select->step();
  ASSERT_TRUE(row.ok());
  ASSERT_TRUE(*row);
  EXPECT_EQ(select->column_int64(0), 8);
  EXPECT_TRUE(select->column_is_null(1));
  EXPECT_TRUE(select->column_is_null(3));

  row = select->step();
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(*row);
}

TEST(SqliteDb, EmptyStringBindsAsTextNotNull) {
  auto db = SqliteDb::open("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->exec("CREATE TABLE t (s TEXT)").ok());
  auto insert = db->prepare("INSERT INTO t VALUES (?1)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->bind(1, std::string_view()).ok());
  ASSERT_TRUE(insert->run().ok());
  auto nulls = db->query_int("SELECT count(*) FROM t WHERE s IS NULL");
  ASSERT_TRUE(nulls.ok());
  EXPECT_EQ(*nulls, 0);
}

TEST(SqliteDb, ErrorsAreValues) {
  auto db = SqliteDb::open("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  auto bad = db->prepare("SELEKT 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::gateway_internal);
  EXPECT_EQ(bad.error().code, kStorageErrorCode);
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos);

  ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER NOT NULL)").ok());
  auto insert = db->prepare("INSERT INTO t VALUES (?1)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->bind_null(1).ok());
  Status s = insert->run();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("NOT NULL"), std::string::npos);

  insert->reset();
  EXPECT_FALSE(insert->bind(9, 1).ok());  // no such parameter
  EXPECT_FALSE(db->exec("INSERT INTO missing VALUES (1)").ok());
  EXPECT_FALSE(db->query_int("SELECT x FROM t").ok());  // no row
}

TEST(SqliteDb, TransactionCommitsOnSuccessAndRollsBackOnFailure) {
  auto db = SqliteDb::open("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER)").ok());

  Status committed = db->transaction([&]() -> Status {
    EXPECT_TRUE(db->in_transaction());
    return db->exec("INSERT INTO t VALUES (1)");
  });
  ASSERT_TRUE(committed.ok());
  EXPECT_FALSE(db->in_transaction());

  Status failed = db->transaction([&]() -> Status {
    if (Status s = db->exec("INSERT INTO t VALUES (2)"); !s) return s;
    return Error::make(ErrorKind::gateway_internal, "abandon", "test");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "abandon");
  EXPECT_FALSE(db->in_transaction());

  auto rows = db->query_int("SELECT group_concat(x) = '1' FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, 1);
}

TEST(SqliteDb, ImmediateTransactionWaitsThenReportsBusyAsUnavailable) {
  TempDir dir;
  auto holder = SqliteDb::open(dir.url("gw.db"));
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE(holder->exec("CREATE TABLE t (x INTEGER)").ok());
  auto other = SqliteDb::open(dir.url("gw.db"), SqliteOptions{.busy_timeout_ms = 20});
  ASSERT_TRUE(other.ok());

  ASSERT_TRUE(holder->exec("BEGIN IMMEDIATE").ok());
  bool body_ran = false;
  Status s = other->transaction([&]() -> Status {
    body_ran = true;
    return {};
  });
  ASSERT_FALSE(s.ok());
  EXPECT_FALSE(body_ran);  // the write lock is taken before the body runs
  EXPECT_EQ(s.error().kind, ErrorKind::gateway_unavailable);
  EXPECT_NE(s.error().message.find("locked"), std::string::npos);
  ASSERT_TRUE(holder->exec("COMMIT").ok());

  EXPECT_TRUE(other->transaction([&] { return other->exec("INSERT INTO t VALUES (1)"); }).ok());
}

TEST(SqliteDb, MoveTransfersOwnership) {
  auto db = SqliteDb::open("sqlite::memory:");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db->exec("CREATE TABLE t (x INTEGER)").ok());
  SqliteDb moved = std::move(*db);
  EXPECT_TRUE(moved.exec("INSERT INTO t VALUES (1)").ok());
  auto count = moved.query_int("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1);
}

}  // namespace
}  // namespace gw::storage
