// libpq plumbing for the PostgreSQL ledger (see pg_conn.h).
#include "cost/pg_conn.h"

#include <charconv>
#include <vector>

#include "storage/sqlite_db.h"

namespace gw::cost::pg {
namespace {

// Server notices ("relation already exists, skipping") are not errors; keep them off stderr.
void ignore_notice(void* /*arg*/, const char* /*message*/) {}

std::string trimmed(const char* message) {
  std::string out = message != nullptr ? message : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

bool starts_with(const char* s, std::string_view prefix) {
  return s != nullptr && std::string_view(s).substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string_view Rows::text(int row, int col) const {
  if (PQgetisnull(result_.get(), row, col)) return {};
  return {PQgetvalue(result_.get(), row, col),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, col))};
}

std::int64_t Rows::int64(int row, int col) const {
  std::string_view v = text(row, col);
  std::int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

std::int64_t Rows::affected() const {
  const char* tuples = PQcmdTuples(result_.get());
  std::int64_t out = 0;
  std::from_chars(tuples, tuples + std::string_view(tuples).size(), out);
  return out;
}

Result<Connection> Connection::open(std::string_view url) {
  Connection c(PQconnectdb(std::string(url).c_str()));
  if (!c.conn_) {
    return Error::make(ErrorKind::gateway_unavailable, "ledger database: out of memory",
                       std::string(kUnavailable));
  }
  if (c.bad()) return c.error_from(nullptr);
  PQsetNoticeProcessor(c.conn_.get(), &ignore_notice, nullptr);
  return c;
}

bool Connection::reset() {
  prepared_.clear();
  PQreset(conn_.get());
  return !bad();
}

Error Connection::error_from(const PGresult* result) const {
  const std::string message =
      trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_.get()));
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  // Class 08 is a connection exception; 57P01–57P03 are the server shutting down or starting.
  if (bad() || starts_with(state, "08") || starts_with(state, "57P")) {
    return Error::make(ErrorKind::gateway_unavailable, "ledger database unavailable: " + message,
                       std::string(kUnavailable));
  }
  // 40P01 deadlock, 40001 serialization failure, 55P03 lock not available: retryable.
  if (starts_with(state, "40P01") || starts_with(state, "40001") || starts_with(state, "55P03")) {
    return Error::make(ErrorKind::gateway_unavailable, "ledger conflict: " + message,
                       std::string(kConflict));
  }
  return Error::make(ErrorKind::gateway_internal, "ledger database: " + message,
                     std::string(storage::kStorageErrorCode));
}

Result<Rows> Connection::checked(PGresult* result) {
  Rows rows(result);
  const ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return rows;
  return error_from(result);
}

Result<Rows> Connection::run(const Sql& sql, std::initializer_list<Param> params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  const int n = static_cast<int>(values.size());
  if (sql.name.empty()) {
    return checked(PQexecParams(conn_.get(), std::string(sql.text).c_str(), n, nullptr,
                                values.data(), nullptr, nullptr, 0));
  }
  std::string name(sql.name);
  if (!prepared_.contains(name)) {
    auto prepared =
        checked(PQprepare(conn_.get(), name.c_str(), std::string(sql.text).c_str(), 0, nullptr));
    if (!prepared) return prepared;
    prepared_.insert(name);
  }
  return checked(PQexecPrepared(conn_.get(), name.c_str(), n, values.data(), nullptr, nullptr, 0));
}

Result<Rows> Connection::exec(std::string_view sql) {
  return checked(PQexec(conn_.get(), std::string(sql).c_str()));
}

}  // namespace gw::cost::pg
