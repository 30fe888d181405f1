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

// Migration 2: the cost ledger (RELIABILITY "Budget design"). Money is integer nano-dollars.
// budget: one row per (scope, period) — "persona:dev" × "day:2026-11-26" — with its limit, what
// is spent and what is reserved; the CHECK keeps I1 (spent + reserved ≤ limit) in the database
// itself for reservations (a provider overshoot at settlement is recorded, see cost_event.over).
// reservation / reservation_budget: what a request attempt holds, in which windows, until when.
// cost_event: one row per billed attempt, keyed (request_id, attempt) so a retried settlement
// inserts nothing twice.
constexpr std::string_view kLedgerV2 = R"sql(
CREATE TABLE budget (
  scope TEXT NOT NULL,
  period TEXT NOT NULL,
  limit_nanos INTEGER NOT NULL CHECK (limit_nanos >= 0),
  spent_nanos INTEGER NOT NULL DEFAULT 0 CHECK (spent_nanos >= 0),
  reserved_nanos INTEGER NOT NULL DEFAULT 0 CHECK (reserved_nanos >= 0),
  PRIMARY KEY (scope, period)
) WITHOUT ROWID;
CREATE TABLE reservation (
  request_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  amount_nanos INTEGER NOT NULL CHECK (amount_nanos >= 0),
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'settled')),
  PRIMARY KEY (request_id, attempt)
) WITHOUT ROWID;
CREATE INDEX reservation_open_expiry ON reservation (state, expires_ms);
CREATE TABLE reservation_budget (
  request_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  scope TEXT NOT NULL,
  period TEXT NOT NULL,
  PRIMARY KEY (request_id, attempt, scope, period)
) WITHOUT ROWID;
CREATE TABLE cost_event (
  request_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  ts_ms INTEGER NOT NULL,
  persona TEXT,
  team TEXT,
  project TEXT,
  key_name TEXT,
  provider TEXT,
  model TEXT,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  cost_nanos INTEGER NOT NULL CHECK (cost_nanos >= 0),
  reserved_nanos INTEGER NOT NULL DEFAULT 0,
  price_version TEXT,
  outcome TEXT,
  settlement_reason TEXT NOT NULL,
  PRIMARY KEY (request_id, attempt)
) WITHOUT ROWID;
CREATE INDEX cost_event_ts ON cost_event (ts_ms);
)sql";

// Migration 3: gateway keys created at run time (`keys create`, POST /admin/keys). Only the
// key's SHA-256 is kept, plus its first characters as a hint for listings; personas and scopes
// are JSON arrays; expires_ms and revoked_ms are Unix ms, 0 for never / still live.
constexpr std::string_view kKeysV3 = R"sql(
CREATE TABLE gateway_key (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  sha256 BLOB NOT NULL UNIQUE,
  hint TEXT NOT NULL DEFAULT '',
  personas TEXT NOT NULL,
  team TEXT,
  project TEXT,
  scopes TEXT,
  role TEXT,
  created_ms INTEGER NOT NULL DEFAULT 0,
  expires_ms INTEGER NOT NULL DEFAULT 0,
  revoked_ms INTEGER NOT NULL DEFAULT 0
);
)sql";

// Migration 4: the ledger's hot tables stay small or append-only, so a group commit writes a
// handful of pages instead of one random B-tree leaf per row (bench/README.md "Ledger overhead").
// reservation keeps only open reservations, one row each with the windows it holds (a JSON array
// of [scope, period]) and who it is for (persona … model, which a crash-recovered event keeps);
// settling deletes it in the transaction that inserts the event, so I2
// holds by construction and the random request-id keys live in a few always-cached pages.
// cost_event is keyed (ts_ms, request_id, attempt): rows append at the right edge, the key serves
// the reports' time ranges, and a retried settlement (same event, same ts) inserts nothing twice;
// its `windows` names the budget windows it was charged to, for I3. Tracked events keep an index
// on (request_id, attempt): POST /v1/cost/track is idempotent on the client's id.
constexpr std::string_view kLedgerAppendV4 = R"sql(
CREATE TABLE cost_event_v4 (
  ts_ms INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  persona TEXT,
  team TEXT,
  project TEXT,
  key_name TEXT,
  provider TEXT,
  model TEXT,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  cost_nanos INTEGER NOT NULL CHECK (cost_nanos >= 0),
  reserved_nanos INTEGER NOT NULL DEFAULT 0,
  price_version TEXT,
  outcome TEXT,
  settlement_reason TEXT NOT NULL,
  windows TEXT,
  PRIMARY KEY (ts_ms, request_id, attempt)
) WITHOUT ROWID;
INSERT INTO cost_event_v4 (ts_ms, request_id, attempt, persona, team, project, key_name,
  provider, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
  reasoning_tokens, cost_nanos, reserved_nanos, price_version, outcome, settlement_reason, windows)
SELECT e.ts_ms, e.request_id, e.attempt, e.persona, e.team, e.project, e.key_name, e.provider,
  e.model, e.input_tokens, e.output_tokens, e.cache_read_tokens, e.cache_write_tokens,
  e.reasoning_tokens, e.cost_nanos, e.reserved_nanos, e.price_version, e.outcome,
  e.settlement_reason,
  (SELECT CASE WHEN count(*) > 0 THEN json_group_array(json_array(rb.scope, rb.period)) END
     FROM reservation_budget rb WHERE rb.request_id = e.request_id AND rb.attempt = e.attempt)
FROM cost_event e;
DROP TABLE cost_event;
ALTER TABLE cost_event_v4 RENAME TO cost_event;
CREATE INDEX cost_event_tracked ON cost_event (request_id, attempt)
  WHERE settlement_reason = 'tracked';
CREATE TABLE reservation_v4 (
  request_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  amount_nanos INTEGER NOT NULL CHECK (amount_nanos >= 0),
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  windows TEXT NOT NULL,
  persona TEXT,
  team TEXT,
  project TEXT,
  key_name TEXT,
  provider TEXT,
  model TEXT,
  PRIMARY KEY (request_id, attempt)
) WITHOUT ROWID;
INSERT INTO reservation_v4 (request_id, attempt, amount_nanos, created_ms, expires_ms, windows)
SELECT r.request_id, r.attempt, r.amount_nanos, r.created_ms, r.expires_ms,
  (SELECT json_group_array(json_array(rb.scope, rb.period)) FROM reservation_budget rb
     WHERE rb.request_id = r.request_id AND rb.attempt = r.attempt)
FROM reservation r WHERE r.state = 'open';
DROP TABLE reservation_budget;
DROP TABLE reservation;
ALTER TABLE reservation_v4 RENAME TO reservation;
)sql";

// Migration 5: settlements a PostgreSQL ledger could not take while it was unreachable wait in
// the local database until the ledger writer replays them with their idempotency key (DD-04).
// `event` is the cost event as JSON (cost/settlement_spool.cc).
constexpr std::string_view kSpoolV5 = R"sql(
CREATE TABLE settlement_spool (
  id INTEGER PRIMARY KEY,
  spooled_ms INTEGER NOT NULL,
  event TEXT NOT NULL
);
)sql";

// Migration 6: a key created at run time may carry its own budget and rate limits (a JSON
// budget object, as in the config; NULL: none).
constexpr std::string_view kKeyBudgetV6 = R"sql(
ALTER TABLE gateway_key ADD COLUMN budget TEXT;
)sql";

// Migration 7: an attempt's key is (ledger_key, attempt), an id the gateway made for the request,
// no longer the client's X-Request-ID, which a client may send on two requests (ADR 0014).
// request_id stays on every row: it is what the client and the logs know the request by. Rows
// written before keep their request id as their key, tracked events
// "track/<key name>/<request id>" (cost::tracked_ledger_key). The request log is keyed the same
// way.
constexpr std::string_view kLedgerKeyV7 = R"sql(
CREATE TABLE cost_event_v7 (
  ts_ms INTEGER NOT NULL,
  ledger_key TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  persona TEXT,
  team TEXT,
  project TEXT,
  key_name TEXT,
  provider TEXT,
  model TEXT,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cache_read_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens INTEGER NOT NULL DEFAULT 0,
  cost_nanos INTEGER NOT NULL CHECK (cost_nanos >= 0),
  reserved_nanos INTEGER NOT NULL DEFAULT 0,
  price_version TEXT,
  outcome TEXT,
  settlement_reason TEXT NOT NULL,
  windows TEXT,
  PRIMARY KEY (ts_ms, ledger_key, attempt)
) WITHOUT ROWID;
INSERT INTO cost_event_v7 (ts_ms, ledger_key, attempt, request_id, persona, team, project,
  key_name, provider, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
  reasoning_tokens, cost_nanos, reserved_nanos, price_version, outcome, settlement_reason, windows)
SELECT ts_ms, CASE WHEN settlement_reason = 'tracked'
  THEN 'track/' || coalesce(key_name, '') || '/' || request_id ELSE request_id END, attempt,
  request_id, persona, team, project, key_name, provider, model,
  input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
  cost_nanos, reserved_nanos, price_version, outcome, settlement_reason, windows
FROM cost_event;
DROP TABLE cost_event;
ALTER TABLE cost_event_v7 RENAME TO cost_event;
CREATE INDEX cost_event_tracked ON cost_event (ledger_key, attempt)
  WHERE settlement_reason = 'tracked';
CREATE TABLE reservation_v7 (
  ledger_key TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  amount_nanos INTEGER NOT NULL CHECK (amount_nanos >= 0),
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  windows TEXT NOT NULL,
  persona TEXT,
  team TEXT,
  project TEXT,
  key_name TEXT,
  provider TEXT,
  model TEXT,
  PRIMARY KEY (ledger_key, attempt)
) WITHOUT ROWID;
INSERT INTO reservation_v7 (ledger_key, attempt, request_id, amount_nanos, created_ms, expires_ms,
  windows, persona, team, project, key_name, provider, model)
SELECT request_id, attempt, request_id, amount_nanos, created_ms, expires_ms, windows, persona,
  team, project, key_name, provider, model
FROM reservation;
DROP TABLE reservation;
ALTER TABLE reservation_v7 RENAME TO reservation;
CREATE TABLE request_log_v7 (
  request_id TEXT NOT NULL,
  ledger_key TEXT NOT NULL,
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
  PRIMARY KEY (ts_ms, ledger_key, attempt)
) WITHOUT ROWID;
INSERT INTO request_log_v7 SELECT request_id, request_id, attempt, ts_ms, persona, key_name, team,
  project, provider, model, route, status, error_kind, stream, input_tokens, output_tokens,
  cache_read_tokens, cache_write_tokens, reasoning_tokens, duration_ms, ttfb_ms
FROM request_log;
DROP TABLE request_log;
ALTER TABLE request_log_v7 RENAME TO request_log;
CREATE INDEX request_log_persona_ts ON request_log (persona, ts_ms);
)sql";

// Migration 8: a streaming attempt's metered cost, checkpointed on its open reservation, so the
// sweeper settles a crashed stream at what it had used instead of its whole reservation
// (RELIABILITY step 8; PostgreSQL migration 6).
constexpr std::string_view kReservationCheckpointV8 = R"sql(
ALTER TABLE reservation ADD COLUMN metered_nanos INTEGER NOT NULL DEFAULT 0;
)sql";

// clang-format off
constexpr Migration kGatewayMigrations[] = {
    {1, "request_log", kRequestLogV1},
    {2, "ledger", kLedgerV2},
    {3, "keys", kKeysV3},
    {4, "ledger_append", kLedgerAppendV4},
    {5, "settlement_spool", kSpoolV5},
    {6, "key_budget", kKeyBudgetV6},
    {7, "ledger_key", kLedgerKeyV7},
    {8, "reservation_checkpoint", kReservationCheckpointV8},
};
// clang-format on

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
