// The PostgreSQL ledger's migrations (see pg_schema.h).
#include "cost/pg_schema.h"

#include <chrono>
#include <cstdint>
#include <string>

#include "storage/sqlite_db.h"

namespace gw::cost::pg {
namespace {

struct PgMigration {
  int version = 0;
  std::string_view name;
  std::string_view sql;
};

// Migration 1: the cost ledger — the same tables and columns as SQLite migration 2 (see
// src/storage/migrations.cc for what each holds). BIGINT for every nano-dollar, token and ms
// column. budget is updated on every reservation and settlement: fillfactor leaves room on the
// page for HOT updates. The open-reservation index is partial: the sweeper reads only open rows.
constexpr std::string_view kLedgerV1 = R"sql(
CREATE TABLE budget (
  scope TEXT NOT NULL,
  period TEXT NOT NULL,
  limit_nanos BIGINT NOT NULL CHECK (limit_nanos >= 0),
  spent_nanos BIGINT NOT NULL DEFAULT 0 CHECK (spent_nanos >= 0),
  reserved_nanos BIGINT NOT NULL DEFAULT 0 CHECK (reserved_nanos >= 0),
  PRIMARY KEY (scope, period)
) WITH (fillfactor = 50);
CREATE TABLE reservation (
  request_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  amount_nanos BIGINT NOT NULL CHECK (amount_nanos >= 0),
  created_ms BIGINT NOT NULL,
  expires_ms BIGINT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'settled')),
  PRIMARY KEY (request_id, attempt)
);
CREATE INDEX reservation_open_expiry ON reservation (expires_ms) WHERE state = 'open';
CREATE TABLE reservation_budget (
  request_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  scope TEXT NOT NULL,
  period TEXT NOT NULL,
  PRIMARY KEY (request_id, attempt, scope, period)
);
CREATE TABLE cost_event (
  request_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  ts_ms BIGINT NOT NULL,
  persona TEXT,
  team TEXT,
  project TEXT,
  key_name TEXT,
  provider TEXT,
  model TEXT,
  input_tokens BIGINT NOT NULL DEFAULT 0,
  output_tokens BIGINT NOT NULL DEFAULT 0,
  cache_read_tokens BIGINT NOT NULL DEFAULT 0,
  cache_write_tokens BIGINT NOT NULL DEFAULT 0,
  reasoning_tokens BIGINT NOT NULL DEFAULT 0,
  cost_nanos BIGINT NOT NULL CHECK (cost_nanos >= 0),
  reserved_nanos BIGINT NOT NULL DEFAULT 0,
  price_version TEXT,
  outcome TEXT,
  settlement_reason TEXT NOT NULL,
  PRIMARY KEY (request_id, attempt)
);
CREATE INDEX cost_event_ts ON cost_event (ts_ms);
)sql";

// Migration 2: gateway keys shared by every instance (the key store reads it): the SHA-256 of
// the secret, never the secret; personas and scopes as the key store encodes them.
constexpr std::string_view kGatewayKeyV2 = R"sql(
CREATE TABLE gateway_key (
  id TEXT PRIMARY KEY,
  name TEXT,
  sha256 BYTEA UNIQUE,
  personas TEXT,
  team TEXT,
  project TEXT,
  scopes TEXT,
  created_ms BIGINT,
  expires_ms BIGINT,
  revoked_ms BIGINT
);
)sql";

// Migration 3: who a reservation is for, so the event the sweeper writes after a crash keeps
// its persona, team, project, key, provider and model.
constexpr std::string_view kReservationPartyV3 = R"sql(
ALTER TABLE reservation ADD COLUMN persona TEXT, ADD COLUMN team TEXT, ADD COLUMN project TEXT,
  ADD COLUMN key_name TEXT, ADD COLUMN provider TEXT, ADD COLUMN model TEXT;
)sql";

// Migration 4: what SQLite's gateway_key has and migration 2 lacked (SQLite migrations 3 and 6),
// now that the key store keeps keys here when the ledger is on PostgreSQL: the key's first
// characters for listings, its role ("user" or "admin") and its own budget (a JSON budget
// object; NULL: none). Times default to 0 (never / still live), as on SQLite.
constexpr std::string_view kGatewayKeyColumnsV4 = R"sql(
ALTER TABLE gateway_key ADD COLUMN hint TEXT NOT NULL DEFAULT '', ADD COLUMN role TEXT,
  ADD COLUMN budget TEXT, ALTER COLUMN created_ms SET DEFAULT 0,
  ALTER COLUMN expires_ms SET DEFAULT 0, ALTER COLUMN revoked_ms SET DEFAULT 0;
)sql";

// Migration 5: an attempt's key is (ledger_key, attempt), an id the gateway made for the request,
// no longer the client's X-Request-ID, which a client may send on two requests (ADR 0014; SQLite
// migration 7). request_id stays on events and reservations: it is what the client and the logs
// know the request by. Rows written before keep their request id as their key, tracked events
// "track/<key name>/<request id>" (cost::tracked_ledger_key).
constexpr std::string_view kLedgerKeyV5 = R"sql(
ALTER TABLE reservation ADD COLUMN ledger_key TEXT;
UPDATE reservation SET ledger_key = request_id;
ALTER TABLE reservation ALTER COLUMN ledger_key SET NOT NULL, DROP CONSTRAINT reservation_pkey,
  ADD PRIMARY KEY (ledger_key, attempt);
ALTER TABLE reservation_budget ADD COLUMN ledger_key TEXT;
UPDATE reservation_budget SET ledger_key = request_id;
ALTER TABLE reservation_budget ALTER COLUMN ledger_key SET NOT NULL,
  DROP CONSTRAINT reservation_budget_pkey, ADD PRIMARY KEY (ledger_key, attempt, scope, period),
  DROP COLUMN request_id;
ALTER TABLE cost_event ADD COLUMN ledger_key TEXT;
UPDATE cost_event SET ledger_key = CASE WHEN settlement_reason = 'tracked'
  THEN 'track/' || coalesce(key_name, '') || '/' || request_id ELSE request_id END;
ALTER TABLE cost_event ALTER COLUMN ledger_key SET NOT NULL, DROP CONSTRAINT cost_event_pkey,
  ADD PRIMARY KEY (ledger_key, attempt);
)sql";

// Migration 6: a streaming attempt's metered cost, checkpointed on its open reservation, so the
// sweeper settles a crashed stream at what it had used instead of its whole reservation
// (RELIABILITY step 8; SQLite migration 8).
constexpr std::string_view kReservationCheckpointV6 = R"sql(
ALTER TABLE reservation ADD COLUMN metered_nanos BIGINT NOT NULL DEFAULT 0;
)sql";

constexpr PgMigration kMigrations[] = {
    {1, "ledger", kLedgerV1},
    {2, "gateway_key", kGatewayKeyV2},
    {3, "reservation_party", kReservationPartyV3},
    {4, "gateway_key_columns", kGatewayKeyColumnsV4},
    {5, "ledger_key", kLedgerKeyV5},
    {6, "reservation_checkpoint", kReservationCheckpointV6},
};

// pg_advisory_xact_lock key for migrations: ASCII "gwledger"; held until the transaction ends.
constexpr std::string_view kLockKey = "7455546890867139954";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status apply(Connection& conn, int up_to) {
  if (auto r = conn.run({{}, "SELECT pg_advisory_xact_lock($1::bigint)"}, {text(kLockKey)}); !r) {
    return r.error();
  }
  // After the lock: a second instance waits above, then sees the versions this one recorded.
  if (auto r = conn.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                         "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
      !r) {
    return r.error();
  }
  auto current = conn.exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!current) return current.error();
  const std::int64_t version = current->int64(0, 0);
  if (version > latest_schema_version()) {
    return Error::make(ErrorKind::gateway_unavailable,
                       "ledger database schema version " + std::to_string(version) +
                           " is newer than this gateway knows (" +
                           std::to_string(latest_schema_version()) + "); refusing to use it",
                       std::string(storage::kStorageErrorCode));
  }
  for (const PgMigration& m : kMigrations) {
    if (m.version <= version || m.version > up_to) continue;
    if (auto r = conn.exec(m.sql); !r) {
      Error e = std::move(r).error();
      e.message = "ledger migration " + std::to_string(m.version) + " (" + std::string(m.name) +
                  ") failed: " + e.message;
      return e;
    }
    auto recorded =
        conn.run({{}, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)"},
                 {num(m.version), num(now_ms())});
    if (!recorded) return recorded.error();
  }
  return {};
}

}  // namespace

int latest_schema_version() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

Status migrate(Connection& conn, int up_to) {
  if (auto r = conn.exec("BEGIN"); !r) return r.error();
  Status done = apply(conn, up_to);
  if (!done) {
    (void)conn.exec("ROLLBACK");
    return done;
  }
  auto committed = conn.exec("COMMIT");
  if (!committed) return committed.error();
  return {};
}

}  // namespace gw::cost::pg
