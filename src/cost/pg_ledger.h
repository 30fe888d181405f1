// The cost ledger on PostgreSQL (RELIABILITY "Budget design that holds under concurrency"), with
// the SQLite backend's semantics exactly: all-or-nothing reservations across every budget window,
// settlement exactly once per (ledger key, attempt) in the transaction that releases the
// reservation, the crash sweeper and the invariant checker. Several gateway instances share one
// database: READ COMMITTED transactions, the conditional UPDATE's row lock makes each window's
// check-and-take atomic, and windows are always locked in (scope, window) order (BR-04).
// One object owns one connection (not thread-safe); concurrent writers use one object each.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "cost/ledger.h"
#include "cost/pg_conn.h"

namespace gw::cost {

class PgLedger final : public Ledger {
 public:
  // Connects to a postgres:// or postgresql:// URL (passed to libpq as is) and migrates.
  static Result<std::unique_ptr<PgLedger>> open(std::string_view url);

  Status begin() override;
  Status set_synced_commits(bool synced) override;
  Status commit() override;
  void rollback() override;
  Result<ReserveResult> reserve_step(const Reservation& reservation) override;
  Result<bool> settle_step(const CostEvent& event, std::vector<BudgetState>* charged) override;
  Status set_limit_step(const BudgetWindow& window) override;
  Status checkpoint_step(const Checkpoint& checkpoint) override;
  Result<int> sweep_expired(std::int64_t now_ms) override;
  Result<InvariantReport> check_invariants() override;
  Result<std::vector<CostEvent>> events(const EventFilter& filter) override;
  Result<std::vector<BudgetState>> budgets(std::string_view scope_prefix) override;
  Result<std::pair<std::int64_t, std::int64_t>> open_reservations() override;

  // The first column of the first row of a query, for tests and tools.
  Result<std::int64_t> query_int(std::string_view sql);
  Result<std::string> query_text(std::string_view sql);

 private:
  explicit PgLedger(pg::Connection conn) : conn_(std::move(conn)) {}
  // Runs body inside SAVEPOINT … RELEASE; a failure rolls back to the savepoint.
  template <typename Body>
  Status savepoint(Body&& body);
  pg::Connection conn_;
  bool synced_ = true;
};

}  // namespace gw::cost
