// The cost ledger on SQLite (RELIABILITY "Budget design that holds under concurrency"): atomic,
// all-or-nothing reservations across every budget window that applies; settlement exactly once
// per (ledger key, attempt) in the same transaction that releases the reservation; a sweeper
// for reservations a crash left open; and the invariant checker tests run after every case.
// Money is integer nano-dollars. One object owns one connection (not thread-safe); concurrent
// writers use one object each, and SQLite's write lock (BEGIN IMMEDIATE, busy_timeout)
// serialises them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "cost/ledger.h"
#include "storage/sqlite_db.h"

namespace gw::cost {

class SqliteLedger final : public Ledger {
 public:
  // Opens (and migrates) the database at a sqlite:// URL.
  static Result<std::unique_ptr<SqliteLedger>> open(std::string_view url);

  Status begin() override;
  Status commit() override;
  void rollback() override;
  Status set_synced_commits(bool synced) override;
  std::unique_ptr<DurableSync> deferred_sync() override;
  Result<ReserveResult> reserve_step(const Reservation& reservation) override;
  Result<bool> settle_step(const CostEvent& event, std::vector<BudgetState>* charged) override;
  Status set_limit_step(const BudgetWindow& window) override;
  Status checkpoint_step(const Checkpoint& checkpoint) override;
  Result<int> sweep_expired(std::int64_t now_ms) override;
  Result<InvariantReport> check_invariants() override;
  Result<std::vector<CostEvent>> events(const EventFilter& filter) override;
  Result<std::vector<BudgetState>> budgets(std::string_view scope_prefix) override;
  Result<std::pair<std::int64_t, std::int64_t>> open_reservations() override;

  storage::SqliteDb& db() { return db_; }

 private:
  explicit SqliteLedger(storage::SqliteDb db) : db_(std::move(db)) {}
  // Runs body inside SAVEPOINT … RELEASE; a failure rolls back to the savepoint.
  template <typename Body>
  Status savepoint(Body&& body);
  // The hot statements, prepared once per connection (keyed by their literal's address) and
  // reset before each use.
  Status prepared(std::string_view sql, storage::Statement*& out);
  // Runs a cached statement without parameters (BEGIN, COMMIT, SAVEPOINT …) and resets it.
  Status run_cached(std::string_view sql);
  // Runs a cached statement with its parameters bound as ?1, ?2, … in order, in a savepoint.
  template <typename... Params>
  Status run_step(std::string_view sql, const Params&... params);
  storage::SqliteDb db_;
  std::map<const char*, storage::Statement> statements_;
  bool synced_ = true;
};

}  // namespace gw::cost
