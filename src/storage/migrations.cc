// The gateway's schema history and the code that brings a database up to date.
#include "storage/migrations.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace gw::storage {
namespace {

// Migration 1: the per-request usage log. The key (ts_ms, request_id, attempt) makes a batch
// retried after an ambiguous commit insert nothing twice (a record keeps its ts_ms), and, being
// time-ordered, appends to the B-tree instead of inserting at random pages: random request-id
// keys made the writer thread cost ~27 % of the gateway's CPU under load (bench/README.md).
constexpr std::string_view kRequestLogV1 = R"sql(
CREATE TABLE request_log (
  request_id TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1,
  ts_ms INTEGER NOT NULL,
  persona TEXT,
  key_name TEXT,
  team TEXT,
  project TEXT,
  provider TEXT,
  model TEXT,
  route TEXT,
  status INTEGER,
  error_kind TEXT,
  stream INTEGER,
  input_tokens INTEGER,
  output_tokens INTEGER,
  cache_read_tokens INTEGER,
  cache_write_tokens INTEGER,
  reasoning_tokens INTEGER,
  duration_ms REAL,
  ttfb_ms REAL,
  PRIMARY KEY (ts_ms, request_id, attempt)
) WITHOUT ROWID;
CREATE INDEX request_log_persona_ts ON request_log (persona, ts_ms);
)sql";

constexpr Migration kGatewayMigrations[] = {
    {1, "request_log", kRequestLogV1},
};

Error migration_error(std::string message) {
  return Error::make(ErrorKind::gateway_internal, std::move(message),
                     std::string(kStorageErrorCode));
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::span<const Migration> gateway_migrations() {
  return kGatewayMigrations;
}

Result<int> schema_version(SqliteDb& db) {
  Result<std::int64_t> exists = db.query_int(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (!exists) return std::move(exists).error();
  if (*exists == 0) return 0;
  Result<std::int64_t> version =
      db.query_int("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!version) return std::move(version).error();
  return static_cast<int>(*version);
}

Status apply_migrations(SqliteDb& db, std::span<const Migration> migrations) {
  int previous = 0;
  for (const Migration& m : migrations) {
    if (m.version <= previous) {
      return migration_error("schema migrations out of order at version " +
                             std::to_string(m.version));
    }
    previous = m.version;
  }
  const int latest = previous;

  return db.transaction([&]() -> Status {
    // Inside the write transaction: a second process opening the same file waits here and
    // then sees the versions this one recorded.
    if (Status s = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                           "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
        !s) {
      return s;
    }
    Result<int> current = schema_version(db);
    if (!current) return std::move(current).error();
    if (*current > latest) {
      return Error::make(ErrorKind::gateway_unavailable,
                         "database schema version " + std::to_string(*current) +
                             " is newer than this gateway knows (" + std::to_string(latest) +
                             "); refusing to use it",
                         std::string(kStorageErrorCode));
    }
    Result<Statement> record =
        db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)");
    if (!record) return std::move(record).error();
    for (const Migration& m : migrations) {
      if (m.version <= *current) continue;
      if (Status s = db.exec(m.sql); !s) {
        Error e = std::move(s).error();
        e.message = "migration " + std::to_string(m.version) + " (" + std::string(m.name) +
                    ") failed: " + e.message;
        return e;
      }
      record->reset();
      if (Status s = record->bind(1, m.version); !s) return s;
      if (Status s = record->bind(2, now_ms()); !s) return s;
      if (Status s = record->run(); !s) return s;
    }
    return {};
  });
}

Status migrate(SqliteDb& db) {
  return apply_migrations(db, gateway_migrations());
}

}  // namespace gw::storage
