// The cost ledger on SQLite (RELIABILITY "Budget design that holds under concurrency"): atomic,
// all-or-nothing reservations across every budget window that applies; settlement exactly once
// per (request id, attempt) in the same transaction that releases the reservation; a sweeper
// for reservations a crash left open; and the invariant checker tests run after every case.
// Money is integer nano-dollars. One object owns one connection (not thread-safe); concurrent
// writers use one object each, and SQLite's write lock (BEGIN IMMEDIATE, busy_timeout)
// serialises them. Not yet wired into the request path (issue 5).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/sqlite_db.h"

namespace gw::cost {

// One budget window: "persona:dev" × "day:2026-11-26" with its limit.
struct BudgetWindow {
  std::string scope;
  std::string window;
  std::int64_t limit_nanos = 0;
};

struct Reservation {
  std::string request_id;
  int attempt = 1;
  std::int64_t amount_nanos = 0;
  std::vector<BudgetWindow> windows;  // every window the attempt is charged to
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;  // start + deadline + grace: the sweeper settles it after this
};

struct ReserveResult {
  bool admitted = false;
  BudgetWindow refused;  // when not admitted: the first window it did not fit
};

struct CostEvent {
  std::string request_id;
  int attempt = 1;
  std::int64_t ts_ms = 0;
  std::string persona, team, project, key_name, provider, model;
  std::int64_t input_tokens = 0, output_tokens = 0, cache_read_tokens = 0, cache_write_tokens = 0,
               reasoning_tokens = 0;
  std::int64_t cost_nanos = 0;
  std::string price_version;      // "openai/gpt-4o@2024-10-01"
  std::string outcome;            // "ok", an error kind, "client_gone", …
  std::string settlement_reason;  // "usage", "metered", "crash_recovery", …
};

struct InvariantReport {
  std::vector<std::string> violations;  // empty when I1–I3 hold
  bool ok() const { return violations.empty(); }
};

class SqliteLedger {
 public:
  // Opens (and migrates) the database at a sqlite:// URL.
  static Result<SqliteLedger> open(std::string_view url);

  // Reserves amount_nanos in every window, or in none: admitted only if each window keeps
  // spent + reserved ≤ limit. Windows are created on first use with their limit; a changed limit
  // takes effect with the next reservation.
  Result<ReserveResult> reserve(const Reservation& reservation);

  // Records the event and releases its reservation (if any) in one transaction. Idempotent:
  // false when (request_id, attempt) was already settled, and nothing changes.
  Result<bool> settle(const CostEvent& event);

  // Settles every open reservation whose expires_ms ≤ now_ms at its reserved amount
  // (settlement_reason "crash_recovery"). Returns how many.
  Result<int> sweep_expired(std::int64_t now_ms);

  // I1 spent + reserved ≤ limit per window (an overshoot at settlement is reported), reserved =
  // Σ open reservations, I3 spent = Σ events charged to the window, I2 one event per settled
  // reservation.
  Result<InvariantReport> check_invariants();

  storage::SqliteDb& db() { return db_; }

 private:
  explicit SqliteLedger(storage::SqliteDb db) : db_(std::move(db)) {}
  storage::SqliteDb db_;
};

}  // namespace gw::cost
