// The PostgreSQL ledger's transactions and steps (see pg_ledger.h); its reads are in
// pg_ledger_reads.cc.
#include "cost/pg_ledger.h"

#include <algorithm>
#include <chrono>

#include "cost/pg_schema.h"
#include "storage/sqlite_db.h"

namespace gw::cost {
namespace {

using pg::num;
using pg::Sql;
using pg::text;
using pg::text_or_null;

constexpr std::string_view kExceeded = "budget_window_full";

Error ledger_error(std::string message) {
  return Error::make(ErrorKind::gateway_internal, std::move(message),
                     std::string(storage::kStorageErrorCode));
}

// Creates the window on first use and sets its limit. ON CONFLICT DO UPDATE locks the row even
// when the WHERE skips the write, so this is where the window's row lock is taken (in lock
// order); the WHERE only spares a new row version when the limit is unchanged.
constexpr Sql kUpsertBudget{
    "upsert_budget",
    "INSERT INTO budget (scope, period, limit_nanos) VALUES ($1, $2, $3) "
    "ON CONFLICT (scope, period) DO UPDATE SET limit_nanos = excluded.limit_nanos "
    "WHERE budget.limit_nanos <> excluded.limit_nanos"};
// The atomic check-and-take: under READ COMMITTED a concurrent writer waits for the row lock
// and re-checks the condition against the committed row, so the window never goes over.
constexpr Sql kTake{"take_budget",
                    "UPDATE budget SET reserved_nanos = reserved_nanos + $3::bigint "
                    "WHERE scope = $1 AND period = $2 "
                    "AND spent_nanos + reserved_nanos + $3::bigint <= limit_nanos"};
// Flexible reservations read what a window has left under its row lock (lock order kept: the
// windows are visited sorted).
constexpr Sql kRoom{"budget_room",
                    "SELECT limit_nanos - spent_nanos - reserved_nanos FROM budget "
                    "WHERE scope = $1 AND period = $2 FOR UPDATE"};
constexpr Sql kLink{"link_reservation",
                    "INSERT INTO reservation_budget (ledger_key, attempt, scope, period) "
                    "VALUES ($1, $2, $3, $4)"};
constexpr Sql kHold{"hold_reservation",
                    "INSERT INTO reservation (ledger_key, attempt, amount_nanos, created_ms, "
                    "expires_ms, state, persona, team, project, key_name, provider, model, "
                    "request_id) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $11, "
                    "$12)"};
constexpr Sql kHeld{"held_reservation",
                    "SELECT amount_nanos, state FROM reservation "
                    "WHERE ledger_key = $1 AND attempt = $2"};
constexpr Sql kRecord{
    "record_event",
    "INSERT INTO cost_event (request_id, attempt, ts_ms, persona, team, project, key_name, "
    "provider, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
    "reasoning_tokens, cost_nanos, reserved_nanos, price_version, outcome, settlement_reason, "
    "ledger_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
    "$17, $18, $19, $20) ON CONFLICT (ledger_key, attempt) DO NOTHING"};
// Settlement takes the windows' row locks in the same (scope, window) order as reserve_step
// before charging them, so a settlement and a reservation never wait on each other in a cycle.
constexpr Sql kLockWindows{
    "lock_windows",
    "SELECT 1 FROM budget WHERE (scope, period) IN (SELECT scope, period FROM "
    "reservation_budget WHERE ledger_key = $1 AND attempt = $2) "
    "ORDER BY scope, period FOR UPDATE"};
constexpr Sql kCharge{"charge_windows",
                      "UPDATE budget SET spent_nanos = spent_nanos + $3::bigint, "
                      "reserved_nanos = reserved_nanos - $4::bigint "
                      "WHERE (scope, period) IN (SELECT scope, period FROM reservation_budget "
                      "WHERE ledger_key = $1 AND attempt = $2) "
                      "RETURNING scope, period, limit_nanos, spent_nanos, reserved_nanos"};
constexpr Sql kClose{"close_reservation",
                     "UPDATE reservation SET state = 'settled' "
                     "WHERE ledger_key = $1 AND attempt = $2"};
// At its last checkpoint when a stream left one, else at the reserved amount.
constexpr Sql kExpired{"expired_reservations",
                       "SELECT request_id, attempt, CASE WHEN metered_nanos > 0 THEN "
                       "metered_nanos ELSE amount_nanos END, coalesce(persona, ''), "
                       "coalesce(team, ''), coalesce(project, ''), coalesce(key_name, ''), "
                       "coalesce(provider, ''), coalesce(model, ''), ledger_key FROM reservation "
                       "WHERE state = 'open' AND expires_ms <= $1 ORDER BY expires_ms"};

constexpr Sql kCheckpoint{"checkpoint_reservation",
                          "UPDATE reservation SET metered_nanos = $3 WHERE ledger_key = $1 AND "
                          "attempt = $2 AND state = 'open' AND metered_nanos < $3"};

Status ok_or(const Result<pg::Rows>& r) {
  if (!r) return r.error();
  return {};
}

}  // namespace

Result<std::unique_ptr<PgLedger>> PgLedger::open(std::string_view url) {
  auto conn = pg::Connection::open(url);
  if (!conn) return std::move(conn).error();
  if (Status migrated = pg::migrate(*conn); !migrated) return migrated.error();
  return std::unique_ptr<PgLedger>(new PgLedger(std::move(conn).value()));
}

// PostgreSQL's asynchronous commit: the server acknowledges before its WAL flush; lost only if the
// database server itself crashes within ~3 × wal_writer_delay.
Status PgLedger::set_synced_commits(bool synced) {
  if (synced == synced_) return Status{};
  auto done = conn_.exec(synced ? "SET synchronous_commit TO on" : "SET synchronous_commit TO off");
  if (!done) return done.error();
  synced_ = synced;
  return Status{};
}

Status PgLedger::begin() {
  bool reset = false;
  if (conn_.bad()) {
    // The last operation lost the connection: reconnect once before giving up.
    reset = true;
    if (!conn_.reset()) return conn_.error_from(nullptr);
  }
  if (conn_.transaction_status() != PQTRANS_IDLE) {
    // PostgreSQL only warns about a nested BEGIN; refuse it as SQLite does.
    return ledger_error("a ledger transaction is already open");
  }
  constexpr std::string_view kBegin = "BEGIN ISOLATION LEVEL READ COMMITTED";
  auto begun = conn_.exec(kBegin);
  if (begun || reset || !conn_.bad()) return ok_or(begun);
  // The server went away since the last transaction (a restart, an idle cut): nothing was
  // sent inside a transaction yet, so one reconnect and a second BEGIN are safe.
  if (!conn_.reset()) return conn_.error_from(nullptr);
  return ok_or(conn_.exec(kBegin));
}

// An ambiguous COMMIT — the connection drops after COMMIT was sent, so the transaction may or
// may not have committed — comes back as "ledger_unavailable", and the caller retries the whole
// batch on the next begin() (which reconnects). That retry is safe: settle_step inserts the
// cost event with ON CONFLICT (ledger_key, attempt) DO NOTHING and charges the windows only when
// the insert happened, so a settlement that did commit changes nothing the second time; a
// retried reserve_step fails on the reservation's primary key instead of holding twice (its
// savepoint undoes the take), and a reservation that did commit is settled by the sweeper.
Status PgLedger::commit() {
  if (conn_.transaction_status() == PQTRANS_INERROR) {
    rollback();
    return ledger_error("the ledger transaction had failed; rolled back");
  }
  auto done = conn_.exec("COMMIT");
  if (!done) {
    rollback();
    return done.error();
  }
  if (done->command() != "COMMIT") return ledger_error("the ledger transaction was rolled back");
  return {};
}

void PgLedger::rollback() {
  const PGTransactionStatusType status = conn_.transaction_status();
  if (status == PQTRANS_INTRANS || status == PQTRANS_INERROR) (void)conn_.exec("ROLLBACK");
}

template <typename Body>
Status PgLedger::savepoint(Body&& body) {
  if (auto s = conn_.exec("SAVEPOINT step"); !s) return s.error();
  Status result = std::forward<Body>(body)();
  if (result) return ok_or(conn_.exec("RELEASE step"));
  (void)conn_.exec("ROLLBACK TO step");
  (void)conn_.exec("RELEASE step");
  return result;
}

Result<ReserveResult> PgLedger::reserve_step(const Reservation& r) {
  if (r.amount_nanos < 0) return ledger_error("a reservation cannot be negative");
  const std::vector<BudgetWindow> windows = in_lock_order(r.windows);
  ReserveResult result;
  Status done = savepoint([&]() -> Status {
    std::int64_t amount = r.amount_nanos;
    if (r.min_amount_nanos > 0) {
      for (const BudgetWindow& w : windows) {
        auto upserted =
            conn_.run(kUpsertBudget, {text(w.scope), text(w.window), num(w.limit_nanos)});
        if (!upserted) return upserted.error();
        auto room = conn_.run(kRoom, {text(w.scope), text(w.window)});
        if (!room) return room.error();
        const std::int64_t left = room->size() > 0 ? room->int64(0, 0) : 0;
        if (left < r.min_amount_nanos) {
          result.refused = w;
          return Error::make(ErrorKind::policy_budget_exceeded, "window full",
                             std::string(kExceeded));
        }
        amount = std::min(amount, left);
      }
    }
    result.amount_nanos = amount;
    for (const BudgetWindow& w : windows) {
      auto upserted = conn_.run(kUpsertBudget, {text(w.scope), text(w.window), num(w.limit_nanos)});
      if (!upserted) return upserted.error();
      auto taken = conn_.run(kTake, {text(w.scope), text(w.window), num(amount)});
      if (!taken) return taken.error();
      if (taken->affected() != 1) {
        result.refused = w;
        // Rolls back what earlier windows took: all or nothing.
        return Error::make(ErrorKind::policy_budget_exceeded, "window full",
                           std::string(kExceeded));
      }
      auto linked =
          conn_.run(kLink, {text(ledger_key_of(r)), num(r.attempt), text(w.scope), text(w.window)});
      if (!linked) return linked.error();
    }
    return ok_or(
        conn_.run(kHold, {text(ledger_key_of(r)), num(r.attempt), num(amount), num(r.created_ms),
                          num(r.expires_ms), text_or_null(r.persona), text_or_null(r.team),
                          text_or_null(r.project), text_or_null(r.key_name),
                          text_or_null(r.provider), text_or_null(r.model), text(r.request_id)}));
  });
  if (done) {
    result.admitted = true;
    return result;
  }
  if (done.error().code == kExceeded) return result;
  return done.error();
}

Result<bool> PgLedger::settle_step(const CostEvent& e, std::vector<BudgetState>* charged) {
  if (e.cost_nanos < 0) return ledger_error("a cost cannot be negative");
  bool recorded = false;
  Status done = savepoint([&]() -> Status {
    const std::string& key = ledger_key_of(e);
    auto held = conn_.run(kHeld, {text(key), num(e.attempt)});
    if (!held) return held.error();
    const bool found = held->size() > 0;
    const bool open = found && held->text(0, 1) == "open";
    const std::int64_t reserved = found ? held->int64(0, 0) : 0;

    auto inserted = conn_.run(kRecord, {text(e.request_id),
                                        num(e.attempt),
                                        num(e.ts_ms),
                                        text_or_null(e.persona),
                                        text_or_null(e.team),
                                        text_or_null(e.project),
                                        text_or_null(e.key_name),
                                        text_or_null(e.provider),
                                        text_or_null(e.model),
                                        num(e.input_tokens),
                                        num(e.output_tokens),
                                        num(e.cache_read_tokens),
                                        num(e.cache_write_tokens),
                                        num(e.reasoning_tokens),
                                        num(e.cost_nanos),
                                        num(reserved),
                                        text_or_null(e.price_version),
                                        text_or_null(e.outcome),
                                        text(e.settlement_reason),
                                        text(key)});
    if (!inserted) return inserted.error();
    if (inserted->affected() == 0) return Status{};  // settled before: nothing more to do
    recorded = true;
    if (!open) return Status{};
    if (auto locked = conn_.run(kLockWindows, {text(key), num(e.attempt)}); !locked) {
      return locked.error();
    }
    auto updated =
        conn_.run(kCharge, {text(key), num(e.attempt), num(e.cost_nanos), num(reserved)});
    if (!updated) return updated.error();
    if (charged != nullptr) {
      for (int i = 0; i < updated->size(); ++i) {
        charged->push_back(BudgetState{std::string(updated->text(i, 0)),
                                       std::string(updated->text(i, 1)), updated->int64(i, 2),
                                       updated->int64(i, 3), updated->int64(i, 4)});
      }
    }
    return ok_or(conn_.run(kClose, {text(key), num(e.attempt)}));
  });
  if (!done) return done.error();
  return recorded;
}

Status PgLedger::set_limit_step(const BudgetWindow& w) {
  return savepoint([&]() -> Status {
    return ok_or(conn_.run(kUpsertBudget, {text(w.scope), text(w.window), num(w.limit_nanos)}));
  });
}

Status PgLedger::checkpoint_step(const Checkpoint& c) {
  return savepoint([&]() -> Status {
    return ok_or(
        conn_.run(kCheckpoint, {text(c.ledger_key), num(c.attempt), num(c.metered_nanos)}));
  });
}

Result<int> PgLedger::sweep_expired(std::int64_t now_ms) {
  auto expired = conn_.run(kExpired, {num(now_ms)});
  if (!expired) return expired.error();
  int settled = 0;
  for (int i = 0; i < expired->size(); ++i) {
    CostEvent e;
    e.request_id = std::string(expired->text(i, 0));
    e.attempt = static_cast<int>(expired->int64(i, 1));
    e.cost_nanos = expired->int64(i, 2);
    e.persona = std::string(expired->text(i, 3));
    e.team = std::string(expired->text(i, 4));
    e.project = std::string(expired->text(i, 5));
    e.key_name = std::string(expired->text(i, 6));
    e.provider = std::string(expired->text(i, 7));
    e.model = std::string(expired->text(i, 8));
    e.ledger_key = std::string(expired->text(i, 9));
    e.held_reservation = true;
    // now_ms is a cutoff (INT64_MAX at a SQLite start: every open reservation); the event is
    // stamped with the time it is settled.
    e.ts_ms = std::min(now_ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
    e.outcome = "unknown";
    e.settlement_reason = "crash_recovery";
    auto r = settle(e);
    if (!r) return r.error();
    if (*r) ++settled;
  }
  return settled;
}

}  // namespace gw::cost
