#include "cost/sqlite_ledger.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "cost/wal_sync.h"
#include "storage/migrations.h"

namespace gw::cost {
namespace {

constexpr std::string_view kExceeded = "budget_window_full";

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += "\\u00";
      out.push_back(kHex[(c >> 4) & 0xf]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

// The windows a reservation holds, as the JSON array of [scope, period] that reservation.windows
// and cost_event.windows store (SQLite's json_each reads it back).
std::string windows_json(const std::vector<BudgetWindow>& windows) {
  std::string out = "[";
  for (const BudgetWindow& w : windows) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('[');
    append_json_string(out, w.scope);
    out.push_back(',');
    append_json_string(out, w.window);
    out.push_back(']');
  }
  out.push_back(']');
  return out;
}

Error ledger_error(std::string message) {
  return Error::make(ErrorKind::gateway_internal, std::move(message),
                     std::string(storage::kStorageErrorCode));
}

// Reads windows_json's output back: [[scope, period], …].
Result<std::vector<std::pair<std::string, std::string>>> parse_windows_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  std::vector<std::pair<std::string, std::string>> out;
  const auto* list = ec ? nullptr : v.if_array();
  if (list == nullptr) return ledger_error("a reservation's windows are not a JSON array");
  for (const auto& item : *list) {
    const auto* pair = item.if_array();
    if (pair == nullptr || pair->size() != 2 || !(*pair)[0].is_string() ||
        !(*pair)[1].is_string()) {
      return ledger_error("a reservation's window is not [scope, period]");
    }
    out.emplace_back(std::string((*pair)[0].get_string()), std::string((*pair)[1].get_string()));
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<SqliteLedger>> SqliteLedger::open(std::string_view url) {
  auto db = storage::SqliteDb::open(url);
  if (!db) return std::move(db).error();
  if (Status migrated = storage::migrate(*db); !migrated) return migrated.error();
  return std::unique_ptr<SqliteLedger>(new SqliteLedger(std::move(db).value()));
}

Status SqliteLedger::begin() {
  return run_cached("BEGIN IMMEDIATE");
}

Status SqliteLedger::prepared(std::string_view sql, storage::Statement*& out) {
  auto it = statements_.find(sql.data());
  if (it == statements_.end()) {
    auto stmt = db_.prepare(sql);
    if (!stmt) return stmt.error();
    it = statements_.emplace(sql.data(), std::move(stmt).value()).first;
  }
  it->second.reset();
  out = &it->second;
  return Status{};
}

Status SqliteLedger::run_cached(std::string_view sql) {
  storage::Statement* stmt = nullptr;
  if (Status p = prepared(sql, stmt); !p) return p;
  Status done = stmt->run();
  stmt->reset();
  return done;
}

Status SqliteLedger::commit() {
  // No cached statement may keep a read open past the transaction.
  for (auto& [sql, stmt] : statements_) stmt.reset();
  Status done = run_cached("COMMIT");
  if (!done) rollback();
  return done;
}

Status SqliteLedger::set_synced_commits(bool synced) {
  if (synced == synced_) return Status{};
  Status s = db_.exec(synced ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
  if (s) synced_ = synced;
  return s;
}

std::unique_ptr<DurableSync> SqliteLedger::deferred_sync() {
  if (db_.path() == ":memory:") return nullptr;
  return std::make_unique<WalSync>(db_.path() + "-wal");
}

void SqliteLedger::rollback() {
  if (db_.in_transaction()) (void)db_.exec("ROLLBACK");
}

template <typename Body>
Status SqliteLedger::savepoint(Body&& body) {
  // Transaction control goes through the statement cache too: parsing "SAVEPOINT step" for
  // every operation was a visible share of the writer's CPU.
  if (Status s = run_cached("SAVEPOINT step"); !s) return s;
  Status result = std::forward<Body>(body)();
  if (result) return run_cached("RELEASE step");
  (void)run_cached("ROLLBACK TO step");
  (void)run_cached("RELEASE step");
  return result;
}

Result<ReserveResult> SqliteLedger::reserve_step(const Reservation& r) {
  if (r.amount_nanos < 0) return ledger_error("a reservation cannot be negative");
  // Free under SQLite's single write lock; kept so both backends report the same refusal.
  const std::vector<BudgetWindow> windows = in_lock_order(r.windows);
  ReserveResult result;
  Status done = savepoint([&]() -> Status {
    storage::Statement* upsert = nullptr;
    if (Status p =
            prepared("INSERT INTO budget (scope, period, limit_nanos) VALUES (?1, ?2, ?3) "
                     "ON CONFLICT (scope, period) DO UPDATE SET limit_nanos = excluded.limit_nanos "
                     "WHERE budget.limit_nanos != excluded.limit_nanos",
                     upsert);
        !p)
      return p;
    storage::Statement* take = nullptr;
    if (Status p = prepared("UPDATE budget SET reserved_nanos = reserved_nanos + ?3 WHERE scope = "
                            "?1 AND period = ?2 "
                            "AND spent_nanos + reserved_nanos + ?3 <= limit_nanos",
                            take);
        !p)
      return p;
    for (const BudgetWindow& w : windows) {
      upsert->reset();
      if (Status s = upsert->bind(1, w.scope); !s) return s;
      if (Status s = upsert->bind(2, w.window); !s) return s;
      if (Status s = upsert->bind(3, w.limit_nanos); !s) return s;
      if (Status s = upsert->run(); !s) return s;
    }
    std::int64_t amount = r.amount_nanos;
    if (r.min_amount_nanos > 0) {
      // Flexible: as much as the tightest window still has (read under the write lock).
      storage::Statement* room = nullptr;
      if (Status p = prepared("SELECT limit_nanos - spent_nanos - reserved_nanos FROM budget "
                              "WHERE scope = ?1 AND period = ?2",
                              room);
          !p)
        return p;
      for (const BudgetWindow& w : windows) {
        room->reset();
        if (Status s = room->bind(1, w.scope); !s) return s;
        if (Status s = room->bind(2, w.window); !s) return s;
        auto row = room->step();
        if (!row) return row.error();
        const std::int64_t left = *row ? room->column_int64(0) : 0;
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
      take->reset();
      if (Status s = take->bind(1, w.scope); !s) return s;
      if (Status s = take->bind(2, w.window); !s) return s;
      if (Status s = take->bind(3, amount); !s) return s;
      if (Status s = take->run(); !s) return s;
      if (db_.changes() != 1) {
        result.refused = w;
        // Rolls back what earlier windows took: all or nothing.
        return Error::make(ErrorKind::policy_budget_exceeded, "window full",
                           std::string(kExceeded));
      }
    }
    storage::Statement* hold = nullptr;
    if (Status p = prepared(
            "INSERT INTO reservation (ledger_key, attempt, amount_nanos, created_ms, expires_ms, "
            "windows, persona, team, project, key_name, provider, model, request_id) VALUES (?1, "
            "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            hold);
        !p)
      return p;
    if (Status s = hold->bind(1, ledger_key_of(r)); !s) return s;
    if (Status s = hold->bind(2, r.attempt); !s) return s;
    if (Status s = hold->bind(3, amount); !s) return s;
    if (Status s = hold->bind(4, r.created_ms); !s) return s;
    if (Status s = hold->bind(5, r.expires_ms); !s) return s;
    if (Status s = hold->bind(6, windows_json(windows)); !s) return s;
    const std::string* party[] = {&r.persona,  &r.team,     &r.project,
                                  &r.key_name, &r.provider, &r.model};
    for (int i = 0; i < 6; ++i) {
      if (Status s = hold->bind_text_or_null(7 + i, *party[i]); !s) return s;
    }
    if (Status s = hold->bind(13, r.request_id); !s) return s;
    return hold->run();
  });
  if (done) {
    result.admitted = true;
    return result;
  }
  if (done.error().code == kExceeded) return result;
  return done.error();
}

Result<bool> SqliteLedger::settle_step(const CostEvent& e, std::vector<BudgetState>* charged) {
  if (e.cost_nanos < 0) return ledger_error("a cost cannot be negative");
  bool recorded = false;
  Status done = savepoint([&]() -> Status {
    // reservation holds open reservations only (migration 4): a settled one is deleted below.
    storage::Statement* held = nullptr;
    if (Status p = prepared("SELECT amount_nanos, windows FROM reservation WHERE ledger_key = ?1 "
                            "AND attempt = ?2",
                            held);
        !p)
      return p;
    if (Status s = held->bind(1, ledger_key_of(e)); !s) return s;
    if (Status s = held->bind(2, e.attempt); !s) return s;
    auto row = held->step();
    if (!row) return row.error();
    const bool open = *row;
    const std::int64_t reserved = open ? held->column_int64(0) : 0;
    const std::string windows = open ? held->column_text(1) : std::string();
    held->reset();
    if (!open && e.held_reservation) return Status{};  // settled before (a retry, the sweeper)
    if (e.settlement_reason == "tracked") {
      storage::Statement* seen = nullptr;
      if (Status p = prepared("SELECT 1 FROM cost_event WHERE settlement_reason = 'tracked' AND "
                              "ledger_key = ?1 AND attempt = ?2",
                              seen);
          !p)
        return p;
      if (Status s = seen->bind(1, ledger_key_of(e)); !s) return s;
      if (Status s = seen->bind(2, e.attempt); !s) return s;
      auto dup = seen->step();
      if (!dup) return dup.error();
      if (*dup) return Status{};  // a client's retried POST /v1/cost/track
    }

    // The windows it was charged to go with the event (I3); NULL when nothing was reserved.
    storage::Statement* insert = nullptr;
    if (Status p = prepared(
            "INSERT INTO cost_event (request_id, attempt, ts_ms, persona, team, project, key_name, "
            "provider, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
            "reasoning_tokens, cost_nanos, reserved_nanos, price_version, outcome, "
            "settlement_reason, windows, ledger_key) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
            "?18, ?19, ?20, ?21) ON CONFLICT DO NOTHING",
            insert);
        !p)
      return p;
    storage::Statement& s = *insert;
    const Status binds[] = {
        s.bind(1, e.request_id),
        s.bind(2, e.attempt),
        s.bind(3, e.ts_ms),
        s.bind_text_or_null(4, e.persona),
        s.bind_text_or_null(5, e.team),
        s.bind_text_or_null(6, e.project),
        s.bind_text_or_null(7, e.key_name),
        s.bind_text_or_null(8, e.provider),
        s.bind_text_or_null(9, e.model),
        s.bind(10, e.input_tokens),
        s.bind(11, e.output_tokens),
        s.bind(12, e.cache_read_tokens),
        s.bind(13, e.cache_write_tokens),
        s.bind(14, e.reasoning_tokens),
        s.bind(15, e.cost_nanos),
        s.bind(16, reserved),
        s.bind_text_or_null(17, e.price_version),
        s.bind_text_or_null(18, e.outcome),
        s.bind(19, e.settlement_reason),
        s.bind_text_or_null(20, windows),
        s.bind(21, ledger_key_of(e)),
    };
    for (const Status& b : binds) {
      if (!b) return b;
    }
    if (Status run = s.run(); !run) return run;
    if (db_.changes() == 0) return Status{};  // the same event settled before
    recorded = true;
    if (!open) return Status{};
    // The windows are charged what it cost and released of what it held (one primary-key update
    // each: an IN (json_each …) subquery made SQLite build a temporary table per settlement);
    // the reservation goes.
    auto held_windows = parse_windows_json(windows);
    if (!held_windows) return held_windows.error();
    storage::Statement* charge = nullptr;
    if (Status p = prepared("UPDATE budget SET spent_nanos = spent_nanos + ?3, reserved_nanos = "
                            "reserved_nanos - ?4 WHERE scope = ?1 AND period = ?2 "
                            "RETURNING limit_nanos, spent_nanos, reserved_nanos",
                            charge);
        !p)
      return p;
    for (const auto& [scope, period] : *held_windows) {
      charge->reset();
      if (Status b = charge->bind(1, scope); !b) return b;
      if (Status b = charge->bind(2, period); !b) return b;
      if (Status b = charge->bind(3, e.cost_nanos); !b) return b;
      if (Status b = charge->bind(4, reserved); !b) return b;
      // The UPDATE is done by the first step; its row is the window after the charge.
      auto after = charge->step();
      if (!after) return after.error();
      if (*after && charged != nullptr) {
        charged->push_back(BudgetState{scope, period, charge->column_int64(0),
                                       charge->column_int64(1), charge->column_int64(2)});
      }
    }
    charge->reset();
    storage::Statement* release = nullptr;
    if (Status p =
            prepared("DELETE FROM reservation WHERE ledger_key = ?1 AND attempt = ?2", release);
        !p)
      return p;
    if (Status b = release->bind(1, ledger_key_of(e)); !b) return b;
    if (Status b = release->bind(2, e.attempt); !b) return b;
    if (Status run = release->run(); !run) return run;
    return Status{};
  });
  if (!done) return done.error();
  return recorded;
}

template <typename... Params>
Status SqliteLedger::run_step(std::string_view sql, const Params&... params) {
  return savepoint([&]() -> Status {
    storage::Statement* stmt = nullptr;
    if (Status p = prepared(sql, stmt); !p) return p;
    int index = 0;
    Status bound;
    ((bound = bound ? stmt->bind(++index, params) : bound), ...);
    if (!bound) return bound;
    return stmt->run();
  });
}

Status SqliteLedger::set_limit_step(const BudgetWindow& w) {
  return run_step(
      "INSERT INTO budget (scope, period, limit_nanos) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (scope, period) DO UPDATE SET limit_nanos = excluded.limit_nanos",
      std::string_view(w.scope), std::string_view(w.window), w.limit_nanos);
}

Status SqliteLedger::checkpoint_step(const Checkpoint& c) {
  return run_step(
      "UPDATE reservation SET metered_nanos = ?3 WHERE ledger_key = ?1 AND attempt = ?2 AND "
      "metered_nanos < ?3",
      std::string_view(c.ledger_key), c.attempt, c.metered_nanos);
}

Result<int> SqliteLedger::sweep_expired(std::int64_t now_ms) {
  // At its last checkpoint when a stream left one (at least the input cost: a checkpoint prices
  // the input estimate too), else at the reserved amount.
  auto expired = db_.prepare(
      "SELECT request_id, attempt, CASE WHEN metered_nanos > 0 THEN metered_nanos ELSE "
      "amount_nanos END, coalesce(persona, ''), coalesce(team, ''), "
      "coalesce(project, ''), coalesce(key_name, ''), coalesce(provider, ''), "
      "coalesce(model, ''), ledger_key FROM reservation WHERE expires_ms <= ?1");
  if (!expired) return expired.error();
  if (Status s = expired->bind(1, now_ms); !s) return s.error();
  std::vector<CostEvent> due;
  for (;;) {
    auto row = expired->step();
    if (!row) return row.error();
    if (!*row) break;
    CostEvent e;
    e.request_id = expired->column_text(0);
    e.attempt = static_cast<int>(expired->column_int64(1));
    e.cost_nanos = expired->column_int64(2);
    e.persona = expired->column_text(3);
    e.team = expired->column_text(4);
    e.project = expired->column_text(5);
    e.key_name = expired->column_text(6);
    e.provider = expired->column_text(7);
    e.model = expired->column_text(8);
    e.ledger_key = expired->column_text(9);
    // now_ms is a cutoff (INT64_MAX at a SQLite start: every open reservation); the event is
    // stamped with the time it is settled.
    e.ts_ms = std::min(now_ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
    e.outcome = "unknown";
    e.settlement_reason = "crash_recovery";
    e.held_reservation = true;
    due.push_back(std::move(e));
  }
  int settled = 0;
  for (const CostEvent& e : due) {
    auto r = settle(e);
    if (!r) return r.error();
    if (*r) ++settled;
  }
  return settled;
}

Result<InvariantReport> SqliteLedger::check_invariants() {
  InvariantReport report;
  struct Check {
    const char* what;
    const char* sql;  // rows = violations: scope, window, detail
  };
  // reservation holds open reservations only; an event names the windows it was charged to.
  static constexpr Check kChecks[] = {
      {"I1 spent + reserved <= limit",
       "SELECT scope, period, spent_nanos + reserved_nanos - limit_nanos FROM budget "
       "WHERE spent_nanos + reserved_nanos > limit_nanos"},
      {"reserved = sum of open reservations",
       "WITH held AS (SELECT json_extract(w.value, '$[0]') AS scope, json_extract(w.value, "
       "'$[1]') AS period, sum(r.amount_nanos) AS total FROM reservation r, json_each(r.windows) "
       "w GROUP BY 1, 2) "
       "SELECT b.scope, b.period, b.reserved_nanos - coalesce(h.total, 0) FROM budget b "
       "LEFT JOIN held h USING (scope, period) WHERE b.reserved_nanos != coalesce(h.total, 0)"},
      {"I3 spent = sum of events",
       "WITH charged AS (SELECT json_extract(w.value, '$[0]') AS scope, json_extract(w.value, "
       "'$[1]') AS period, sum(e.cost_nanos) AS total FROM cost_event e, json_each(e.windows) w "
       "WHERE e.windows IS NOT NULL GROUP BY 1, 2) "
       "SELECT b.scope, b.period, b.spent_nanos - coalesce(c.total, 0) FROM budget b "
       "LEFT JOIN charged c USING (scope, period) WHERE b.spent_nanos != coalesce(c.total, 0)"},
      {"I2 one event per billed attempt",
       "SELECT ledger_key, attempt, count(*) || ' events' FROM cost_event "
       "GROUP BY ledger_key, attempt HAVING count(*) > 1"},
      {"I2 a settled attempt holds no reservation",
       "SELECT r.ledger_key, r.attempt, 'still reserved' FROM reservation r WHERE EXISTS "
       "(SELECT 1 FROM cost_event e WHERE e.ledger_key = r.ledger_key AND e.attempt = r.attempt "
       "AND e.windows IS NOT NULL)"},
  };
  for (const Check& c : kChecks) {
    auto stmt = db_.prepare(c.sql);
    if (!stmt) return stmt.error();
    for (;;) {
      auto row = stmt->step();
      if (!row) return row.error();
      if (!*row) break;
      report.violations.push_back(std::string(c.what) + ": " + stmt->column_text(0) + " " +
                                  stmt->column_text(1) + " (" + stmt->column_text(2) + ")");
    }
  }
  return report;
}

}  // namespace gw::cost

namespace gw::cost {

Result<std::vector<CostEvent>> SqliteLedger::events(const EventFilter& f) {
  auto stmt = db_.prepare(
      "SELECT request_id, attempt, ts_ms, coalesce(persona, ''), coalesce(team, ''), "
      "coalesce(project, ''), coalesce(key_name, ''), coalesce(provider, ''), "
      "coalesce(model, ''), input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
      "reasoning_tokens, cost_nanos, coalesce(price_version, ''), coalesce(outcome, ''), "
      "settlement_reason, ledger_key FROM cost_event WHERE ts_ms >= ?1 AND ts_ms < ?2 "
      "AND (?3 = '' OR persona = ?3) AND (?4 = '' OR team = ?4) AND (?5 = '' OR key_name = ?5) "
      "AND (?6 = '' OR provider = ?6) AND (?7 = '' OR model = ?7) ORDER BY ts_ms");
  if (!stmt) return stmt.error();
  const Status binds[] = {stmt->bind(1, f.from_ms),  stmt->bind(2, f.to_ms),
                          stmt->bind(3, f.persona),  stmt->bind(4, f.team),
                          stmt->bind(5, f.key_name), stmt->bind(6, f.provider),
                          stmt->bind(7, f.model)};
  for (const Status& b : binds) {
    if (!b) return b.error();
  }
  std::vector<CostEvent> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    CostEvent e;
    e.request_id = stmt->column_text(0);
    e.attempt = static_cast<int>(stmt->column_int64(1));
    e.ts_ms = stmt->column_int64(2);
    e.persona = stmt->column_text(3);
    e.team = stmt->column_text(4);
    e.project = stmt->column_text(5);
    e.key_name = stmt->column_text(6);
    e.provider = stmt->column_text(7);
    e.model = stmt->column_text(8);
    e.input_tokens = stmt->column_int64(9);
    e.output_tokens = stmt->column_int64(10);
    e.cache_read_tokens = stmt->column_int64(11);
    e.cache_write_tokens = stmt->column_int64(12);
    e.reasoning_tokens = stmt->column_int64(13);
    e.cost_nanos = stmt->column_int64(14);
    e.price_version = stmt->column_text(15);
    e.outcome = stmt->column_text(16);
    e.settlement_reason = stmt->column_text(17);
    e.ledger_key = stmt->column_text(18);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<BudgetState>> SqliteLedger::budgets(std::string_view scope_prefix) {
  auto stmt = db_.prepare(
      "SELECT scope, period, limit_nanos, spent_nanos, reserved_nanos FROM budget "
      "WHERE substr(scope, 1, length(?1)) = ?1 ORDER BY scope, period");
  if (!stmt) return stmt.error();
  if (Status b = stmt->bind(1, scope_prefix); !b) return b.error();
  std::vector<BudgetState> out;
  for (;;) {
    auto row = stmt->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(BudgetState{stmt->column_text(0), stmt->column_text(1), stmt->column_int64(2),
                              stmt->column_int64(3), stmt->column_int64(4)});
  }
  return out;
}

Result<std::pair<std::int64_t, std::int64_t>> SqliteLedger::open_reservations() {
  auto stmt = db_.prepare("SELECT count(*), coalesce(sum(amount_nanos), 0) FROM reservation");
  if (!stmt) return stmt.error();
  auto row = stmt->step();
  if (!row) return row.error();
  return std::pair<std::int64_t, std::int64_t>{stmt->column_int64(0), stmt->column_int64(1)};
}

}  // namespace gw::cost
