// The cost ledger's one interface (RELIABILITY "Budget design that holds under concurrency"), with
// a SQLite backend (sqlite_ledger, the default) and a PostgreSQL one (pg_ledger). A ledger holds
// USD budget windows (persona/team/key × hour/day/month), the reservations request attempts hold
// in them, and one cost event per billed attempt. Money is integer nano-dollars.
//
// One object owns one connection and is not thread-safe: the request path reaches it only
// through the LedgerWriter's thread, which groups operations into small transactions (one
// savepoint per operation, so one operation's failure undoes only itself).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace gw::cost {

// One budget window: scope "persona:dev" × period "day:2026-11-26" with its limit.
struct BudgetWindow {
  std::string scope;
  std::string window;
  std::int64_t limit_nanos = 0;
  std::int64_t resets_at_ms = 0;  // end of the window (Retry-After when it is full); not stored
};

// An attempt's key in the ledger is (ledger_key, attempt). The ledger key is an id the gateway
// made for the request, so a client that sends the same X-Request-ID twice gets two requests,
// each reserved, settled and counted once (ADR 0014); request_id stays the id the client sees.
// An empty ledger_key means the request id is the key (events spooled before ledger keys).
struct Reservation {
  std::string request_id;
  std::string ledger_key;
  int attempt = 1;
  std::int64_t amount_nanos = 0;
  // When > 0 the reservation is flexible: it takes as much of amount_nanos as every window can
  // still give, and is refused only below this (a request without max_tokens gets the output its
  // budget affords). 0: exactly amount_nanos or nothing.
  std::int64_t min_amount_nanos = 0;
  std::vector<BudgetWindow> windows;  // every window the attempt is charged to
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;  // start + deadline + grace: the sweeper settles it after this
  // Who and what it is for: the event the sweeper writes after a crash carries them, so
  // crash-recovered spend still shows under its persona, team, key, provider and model.
  std::string persona, team, project, key_name, provider, model;
};

template <typename Attempt>
const std::string& ledger_key_of(const Attempt& a) {
  return a.ledger_key.empty() ? a.request_id : a.ledger_key;
}

// A tracked event's key: POST /v1/cost/track is idempotent on the client's request id per gateway
// key, so two callers' ids never collide (a request id has no '/', so the last one splits it).
inline std::string tracked_ledger_key(std::string_view key_name, std::string_view request_id) {
  std::string key = "track/";
  key.append(key_name).append("/").append(request_id);
  return key;
}

// The lock order every writer takes windows in — (scope, window) — so concurrent reservations on
// a shared PostgreSQL never wait on each other in a cycle (RELIABILITY step 3, BR-04).
std::vector<BudgetWindow> in_lock_order(std::vector<BudgetWindow> windows);

// A streaming attempt's metered cost so far (RELIABILITY step 8): kept on its open reservation,
// so a crash settles the attempt at what it had used by its last checkpoint instead of at the
// whole reserved amount. Only ever raised; ignored once the attempt is settled.
struct Checkpoint {
  std::string ledger_key;
  int attempt = 1;
  std::int64_t metered_nanos = 0;
};

struct ReserveResult {
  bool admitted = false;
  std::int64_t amount_nanos = 0;  // what was reserved (≤ the ask when flexible)
  BudgetWindow refused;  // when not admitted: the first window (in lock order) it did not fit
};

struct CostEvent {
  std::string request_id;
  std::string ledger_key;  // see Reservation; tracked_ledger_key for POST /v1/cost/track
  int attempt = 1;
  std::int64_t ts_ms = 0;
  std::string persona, team, project, key_name, provider, model;
  std::int64_t input_tokens = 0, output_tokens = 0, cache_read_tokens = 0, cache_write_tokens = 0,
               reasoning_tokens = 0;
  std::int64_t cost_nanos = 0;
  std::string price_version;      // "openai/gpt-4o@2024-10-01"
  std::string outcome;            // "ok", an error kind, "client_gone", "budget_cut", …
  std::string settlement_reason;  // "usage", "metered", "crash_recovery", "tracked", …
  // The attempt held a reservation: if it is no longer open, the attempt was settled before
  // (a retry, or the sweeper got there first) and nothing is recorded again.
  bool held_reservation = false;
};

struct InvariantReport {
  std::vector<std::string> violations;  // empty when I1–I3 hold
  bool ok() const { return violations.empty(); }
};

// Which events a query reads: [from_ms, to_ms), and optionally one persona/team/key/provider.
struct EventFilter {
  std::int64_t from_ms = 0;
  std::int64_t to_ms = INT64_MAX;
  std::string persona, team, key_name, provider, model;
};

// A window's state, for reports and the alert thresholds.
struct BudgetState {
  std::string scope;
  std::string window;
  std::int64_t limit_nanos = 0;
  std::int64_t spent_nanos = 0;
  std::int64_t reserved_nanos = 0;
};

// A settlement's answer from the LedgerService: whether it recorded an event (false: settled
// before), and the budget windows it charged, after the charge.
struct Settlement {
  bool recorded = false;
  std::vector<BudgetState> charged;
};

// Makes commits durable apart from the connection that wrote them (LedgerService, ADR 0012):
// when sync() returns OK, every commit made before the call survives a power loss. Called from
// one thread at a time, concurrently with the writer's next transaction.
class DurableSync {
 public:
  virtual ~DurableSync() = default;
  virtual Status sync() = 0;
};

class Ledger {
 public:
  virtual ~Ledger() = default;

  // Transaction control for the writer's batches. The *_step operations run inside it.
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual void rollback() = 0;
  // Whether the next commits wait for the disk. The writer commits batches of reservations only
  // with false: such a commit survives a crash of the gateway process (the OS has it) and is made
  // durable by the next synced commit (WAL order); only a power loss in between can drop it, and
  // with it only requests that had not completed. Settlements always commit with true.
  virtual Status set_synced_commits(bool synced) = 0;
  // A backend whose unsynced commits a separate sync makes durable returns that sync (SQLite:
  // an fdatasync of its WAL); nullptr when a commit is durable by itself (PostgreSQL).
  virtual std::unique_ptr<DurableSync> deferred_sync() { return nullptr; }

  // Reserves amount_nanos in every window, or in none: admitted only if each window keeps
  // spent + reserved ≤ limit. Windows are taken in a fixed (scope, window) order (the lock order
  // that keeps concurrent PostgreSQL writers deadlock-free), created on first use with their
  // limit; a changed limit takes effect with the next reservation. A refusal is a result, not
  // an error; an error undoes the step and only the step.
  virtual Result<ReserveResult> reserve_step(const Reservation& reservation) = 0;

  // Records the event and releases its reservation (if any): the windows are charged
  // cost_nanos, their reserved amount drops by what was held. Idempotent: false when the
  // attempt was already settled (the same event again, or held_reservation and its reservation
  // is gone), and nothing changes. When `charged` is given it receives the state of each budget
  // window the settlement charged, after the charge (what budget alerts are evaluated on, so no
  // request reads the windows back).
  virtual Result<bool> settle_step(const CostEvent& event, std::vector<BudgetState>* charged) = 0;

  // Sets a window's limit at once (an admin edit); spent/reserved are kept.
  virtual Status set_limit_step(const BudgetWindow& window) = 0;

  // Raises an open reservation's checkpointed cost to metered_nanos (never lowers it); nothing
  // when the attempt has no open reservation (settled already, or never budgeted).
  virtual Status checkpoint_step(const Checkpoint& checkpoint) = 0;

  // One-transaction forms of the steps.
  Result<ReserveResult> reserve(const Reservation& reservation);
  Result<bool> settle(const CostEvent& event);
  Status set_limit(const BudgetWindow& window);
  Status checkpoint(const Checkpoint& checkpoint);

  // Settles every open reservation whose expires_ms ≤ now_ms at its last checkpoint, or at its
  // reserved amount when it has none (settlement_reason "crash_recovery", outcome "unknown").
  // Returns how many.
  virtual Result<int> sweep_expired(std::int64_t now_ms) = 0;

  // I1 spent + reserved ≤ limit per window (an overshoot at settlement is reported), reserved =
  // Σ open reservations, I3 spent = Σ events charged to the window, I2 one event per settled
  // reservation.
  virtual Result<InvariantReport> check_invariants() = 0;

  // Reads, for the cost APIs.
  virtual Result<std::vector<CostEvent>> events(const EventFilter& filter) = 0;
  virtual Result<std::vector<BudgetState>> budgets(std::string_view scope_prefix) = 0;
  // Open reservations (count, Σ amount): the drain and the tests read it.
  virtual Result<std::pair<std::int64_t, std::int64_t>> open_reservations() = 0;
};

// Whether a storage URL names PostgreSQL ("postgres://…" or "postgresql://…"); anything else is
// SQLite. The one test every place that picks a backend by URL uses.
bool is_postgres_url(std::string_view url);

// "sqlite://PATH" (or a bare path) or "postgres://…"/"postgresql://…". Migrates the schema.
Result<std::unique_ptr<Ledger>> open_ledger(std::string_view url);

}  // namespace gw::cost
