// RAII wrapper over one SQLite connection and its prepared statements. Every failure is a
// Result/Error value (kind gateway_unavailable or gateway_internal, code "storage_error"); nothing
// here throws. A connection is not thread-safe: its owner serialises access (see RequestLog).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace gw::storage {

inline constexpr std::string_view kStorageErrorCode = "storage_error";

// "sqlite://data/gateway.db" → "data/gateway.db" (relative to the working directory),
// "sqlite:///var/lib/gw.db" → "/var/lib/gw.db", "sqlite::memory:" → ":memory:".
Result<std::string> sqlite_path_from_url(std::string_view url);

// Builds the storage Error for an SQLite result code: busy, locked, I/O, full-disk and
// cannot-open are gateway_unavailable (the environment may recover); the rest gateway_internal.
Error sqlite_error(int rc, std::string_view context, std::string_view detail);

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameter indexes start at 1, as in SQLite. Text is copied (SQLITE_TRANSIENT).
  Status bind(int index, int value);
  Status bind(int index, std::int64_t value);
  Status bind(int index, double value);
  Status bind(int index, std::string_view value);
  Status bind_null(int index);
  // Binds bytes as a BLOB (hashes and other binary values). Read back with column_text.
  Status bind_blob(int index, const void* data, std::size_t size);
  // Binds NULL for an empty string: optional text columns stay NULL rather than "".
  Status bind_text_or_null(int index, std::string_view value);

  // true: a row is ready to read; false: the statement is done.
  Result<bool> step();
  // Steps to completion, for statements that return no rows.
  Status run();
  // Makes the statement ready to run again and clears its bindings.
  void reset();

  int column_count() const;
  bool column_is_null(int column) const;  // columns start at 0
  std::int64_t column_int64(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;  // NULL reads as ""

  bool valid() const { return stmt_ != nullptr; }

 private:
  friend class SqliteDb;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Status check_bind(int rc, int index) const;

  sqlite3_stmt* stmt_ = nullptr;
};

struct SqliteOptions {
  int busy_timeout_ms = 5000;  // how long a writer waits for the write lock before SQLITE_BUSY
};

class SqliteDb {
 public:
  // Opens (creating the file and its parent directories) and applies the connection pragmas:
  // journal_mode=WAL, synchronous=FULL, busy_timeout, foreign_keys=ON.
  static Result<SqliteDb> open(std::string_view url, const SqliteOptions& options = {});

  SqliteDb(SqliteDb&& other) noexcept
      : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Runs one or more ';'-separated statements that return no rows of interest.
  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  // The first column of the first row of a one-value query ("PRAGMA synchronous").
  Result<std::int64_t> query_int(std::string_view sql);
  Result<std::string> query_text(std::string_view sql);

  // Runs body inside BEGIN IMMEDIATE … COMMIT. IMMEDIATE takes the write lock up front, so a
  // concurrent writer waits in busy_timeout instead of failing at its first write (a deferred
  // transaction that upgrades from read to write gets SQLITE_BUSY without waiting). Any failure
  // — of body, of BEGIN or of COMMIT — rolls back and is returned.
  template <typename Body>
  Status transaction(Body&& body) {
    if (Status begun = exec("BEGIN IMMEDIATE"); !begun) return begun;
    Status result = std::forward<Body>(body)();
    if (result) result = exec("COMMIT");
    if (!result) rollback();
    return result;
  }

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int changes() const;
  bool in_transaction() const;
  const std::string& path() const { return path_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void rollback();

  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace gw::storage
