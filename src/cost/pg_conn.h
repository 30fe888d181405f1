// One libpq connection for the PostgreSQL ledger: statements with text parameters (prepared on
// first use, per connection), results read as text or int64, and every failure turned into a
// typed gw::Error — "ledger_unavailable" (503) when the connection is gone, "ledger_conflict"
// (503) for a deadlock or serialization failure, "storage_error" (500) otherwise. Not
// thread-safe; one object per thread.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/result.h"

namespace gw::cost::pg {

inline constexpr std::string_view kUnavailable = "ledger_unavailable";
inline constexpr std::string_view kConflict = "ledger_conflict";

// A statement: its SQL and, when it runs often, a name for its server-side prepared form
// (empty: sent with PQexecParams each time).
struct Sql {
  std::string_view name;
  std::string_view text;
};

// A text-format parameter; nullopt is SQL NULL.
using Param = std::optional<std::string>;
inline Param text(std::string_view v) {
  return std::string(v);
}
inline Param text_or_null(std::string_view v) {
  return v.empty() ? Param{} : Param{std::string(v)};
}
inline Param num(std::int64_t v) {
  return std::to_string(v);
}

// A statement's result (owns the PGresult).
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}
  int size() const { return PQntuples(result_.get()); }
  // NULL reads as "" and 0.
  std::string_view text(int row, int col) const;
  std::int64_t int64(int row, int col) const;
  // Rows an INSERT/UPDATE/DELETE touched (PQcmdTuples).
  std::int64_t affected() const;
  // The command tag: "COMMIT", or "ROLLBACK" when a COMMIT found the transaction failed.
  std::string_view command() const { return PQcmdStatus(result_.get()); }

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

class Connection {
 public:
  // PQconnectdb with the URL as given (postgres:// or postgresql://).
  static Result<Connection> open(std::string_view url);

  // One statement with parameters.
  Result<Rows> run(const Sql& sql, std::initializer_list<Param> params = {});
  // A parameterless command string (may hold several statements; the last one's result).
  Result<Rows> exec(std::string_view sql);

  bool bad() const { return PQstatus(conn_.get()) != CONNECTION_OK; }
  // Reconnects once (PQreset); server-side prepared statements are forgotten. True when the
  // connection is good again.
  bool reset();
  PGTransactionStatusType transaction_status() const { return PQtransactionStatus(conn_.get()); }

  // The typed error for a failed result (or for the connection when result is null).
  Error error_from(const PGresult* result) const;

 private:
  explicit Connection(PGconn* conn) : conn_(conn, &PQfinish) {}
  Result<Rows> checked(PGresult* result);
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
  std::unordered_set<std::string> prepared_;  // names prepared on this connection
};

}  // namespace gw::cost::pg
