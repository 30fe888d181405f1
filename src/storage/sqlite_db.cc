// SQLite connection and statement wrappers. The pragmas chosen here are the durability contract
// of everything stored (docs/adr/0003-sqlite-storage.md).
#include "storage/sqlite_db.h"

#include <sqlite3.h>

#include <filesystem>
#include <system_error>

namespace gw::storage {
namespace {

constexpr std::string_view kScheme = "sqlite://";
constexpr std::string_view kMemoryUrl = "sqlite::memory:";

std::string message_of(sqlite3* db, int rc) {
  return db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
}

}  // namespace

Result<std::string> sqlite_path_from_url(std::string_view url) {
  if (url == kMemoryUrl) return std::string(":memory:");
  if (!url.starts_with(kScheme)) {
    return Error::make(
        ErrorKind::gateway_internal,
        "storage url is not sqlite://PATH or sqlite::memory:", std::string(kStorageErrorCode));
  }
  std::string_view path = url.substr(kScheme.size());
  if (path.empty()) {
    return Error::make(ErrorKind::gateway_internal, "storage url names no database file",
                       std::string(kStorageErrorCode));
  }
  return std::string(path);
}

Error sqlite_error(int rc, std::string_view context, std::string_view detail) {
  ErrorKind kind = ErrorKind::gateway_internal;
  switch (rc & 0xff) {  // the primary code of an extended result code
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      kind = ErrorKind::gateway_unavailable;
      break;
    default:
      break;
  }
  std::string message(context);
  message.append(": ");
  message.append(detail);
  message.append(" (sqlite ");
  message.append(std::to_string(rc));
  message.append(")");
  return Error::make(kind, std::move(message), std::string(kStorageErrorCode));
}

// --- Statement --------------------------------------------------------------------------------

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Status Statement::check_bind(int rc, int index) const {
  if (rc == SQLITE_OK) return {};
  return sqlite_error(rc, "bind parameter " + std::to_string(index),
                      message_of(sqlite3_db_handle(stmt_), rc));
}

Status Statement::bind(int index, int value) {
  return check_bind(sqlite3_bind_int(stmt_, index, value), index);
}

Status Statement::bind(int index, std::int64_t value) {
  return check_bind(sqlite3_bind_int64(stmt_, index, value), index);
}

Status Statement::bind(int index, double value) {
  return check_bind(sqlite3_bind_double(stmt_, index, value), index);
}

Status Statement::bind(int index, std::string_view value) {
  // A zero-length text needs a non-null pointer, or SQLite binds NULL.
  const char* data = value.data() != nullptr ? value.data() : "";
  return check_bind(
      sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
}

Status Statement::bind_null(int index) {
  return check_bind(sqlite3_bind_null(stmt_, index), index);
}

Status Statement::bind_blob(int index, const void* data, std::size_t size) {
  // A zero-length blob needs a non-null pointer, or SQLite binds NULL.
  const void* bytes = data != nullptr ? data : "";
  return check_bind(sqlite3_bind_blob64(stmt_, index, bytes, size, SQLITE_TRANSIENT), index);
}

Status Statement::bind_text_or_null(int index, std::string_view value) {
  return value.empty() ? bind_null(index) : bind(index, value);
}

Result<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(rc, "step", message_of(sqlite3_db_handle(stmt_), rc));
}

Status Statement::run() {
  while (true) {
    Result<bool> row = step();
    if (!row) return std::move(row).error();
    if (!*row) return {};
  }
}

void Statement::reset() {
  // sqlite3_reset repeats the last step's error code; step() has already reported it.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const {
  return sqlite3_column_count(stmt_);
}

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::column_double(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string Statement::column_text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  int size = sqlite3_column_bytes(stmt_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

// --- SqliteDb ---------------------------------------------------------------------------------

Result<SqliteDb> SqliteDb::open(std::string_view url, const SqliteOptions& options) {
  Result<std::string> path = sqlite_path_from_url(url);
  if (!path) return std::move(path).error();

  if (*path != ":memory:") {
    std::filesystem::path parent = std::filesystem::path(*path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        return Error::make(
            ErrorKind::gateway_unavailable,
            "cannot create storage directory " + parent.string() + ": " + ec.message(),
            std::string(kStorageErrorCode));
      }
    }
  }

  sqlite3* raw = nullptr;
  // NOMUTEX: the owner serialises use of the connection; SQLite's own mutex would be redundant.
  int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  int rc = sqlite3_open_v2(path->c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(rc, "open " + *path, message_of(raw, rc));
    sqlite3_close_v2(raw);  // a failed open may still allocate a handle
    return error;
  }
  SqliteDb db(raw, *path);

  rc = sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  if (rc != SQLITE_OK) return sqlite_error(rc, "busy_timeout", message_of(raw, rc));

  // WAL: readers never block the writer and a commit is one sequential append. An in-memory
  // database reports "memory" and cannot use WAL, which is fine for it.
  Result<std::string> mode = db.query_text("PRAGMA journal_mode=WAL");
  if (!mode) return std::move(mode).error();
  if (*mode != "wal" && *mode != "memory") {
    return Error::make(ErrorKind::gateway_unavailable,
                       "storage " + *path + " refused WAL journal mode (got " + *mode + ")",
                       std::string(kStorageErrorCode));
  }
  // FULL: with NORMAL in WAL mode a committed transaction may roll back after power loss or an
  // OS crash; an acknowledged write must survive both (RELIABILITY.md, budget design step 9).
  if (Status s = db.exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON"); !s) {
    return std::move(s).error();
  }
  return db;
}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

SqliteDb::~SqliteDb() {
  // close_v2 defers the close until every statement is finalized, so order does not matter.
  sqlite3_close_v2(db_);
}

Status SqliteDb::exec(std::string_view sql) {
  std::string text(sql);  // sqlite3_exec needs a NUL-terminated string
  char* message = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return sqlite_error(sqlite3_extended_errcode(db_), "exec", detail);
}

Result<Statement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(rc, "prepare", message_of(db_, rc));
  if (stmt == nullptr) {
    return Error::make(ErrorKind::gateway_internal, "prepare: empty statement",
                       std::string(kStorageErrorCode));
  }
  return Statement(stmt);
}

Result<std::int64_t> SqliteDb::query_int(std::string_view sql) {
  Result<Statement> stmt = prepare(sql);
  if (!stmt) return std::move(stmt).error();
  Result<bool> row = stmt->step();
  if (!row) return std::move(row).error();
  if (!*row) {
    return Error::make(ErrorKind::gateway_internal, "query returned no row",
                       std::string(kStorageErrorCode));
  }
  return stmt->column_int64(0);
}

Result<std::string> SqliteDb::query_text(std::string_view sql) {
  Result<Statement> stmt = prepare(sql);
  if (!stmt) return std::move(stmt).error();
  Result<bool> row = stmt->step();
  if (!row) return std::move(row).error();
  if (!*row) {
    return Error::make(ErrorKind::gateway_internal, "query returned no row",
                       std::string(kStorageErrorCode));
  }
  return stmt->column_text(0);
}

int SqliteDb::changes() const {
  return sqlite3_changes(db_);
}

bool SqliteDb::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

void SqliteDb::rollback() {
  // Some errors (SQLITE_FULL, SQLITE_IOERR…) already rolled the transaction back.
  if (in_transaction()) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace gw::storage
