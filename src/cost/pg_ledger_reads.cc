// The PostgreSQL ledger's reads: the invariant checker, events and budgets for the cost APIs,
// open reservations for the drain — the SQLite backend's queries in PostgreSQL SQL.
#include "cost/pg_ledger.h"

namespace gw::cost {
namespace {

using pg::num;
using pg::Sql;
using pg::text;

constexpr Sql kEvents{
    "read_events",
    "SELECT request_id, attempt, ts_ms, coalesce(persona, ''), coalesce(team, ''), "
    "coalesce(project, ''), coalesce(key_name, ''), coalesce(provider, ''), "
    "coalesce(model, ''), input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, "
    "reasoning_tokens, cost_nanos, coalesce(price_version, ''), coalesce(outcome, ''), "
    "settlement_reason, ledger_key FROM cost_event "
    "WHERE ts_ms >= $1::bigint AND ts_ms < $2::bigint "
    "AND ($3::text = '' OR persona = $3) AND ($4::text = '' OR team = $4) "
    "AND ($5::text = '' OR key_name = $5) AND ($6::text = '' OR provider = $6) "
    "AND ($7::text = '' OR model = $7) ORDER BY ts_ms, ledger_key, attempt"};
constexpr Sql kBudgets{"read_budgets",
                       "SELECT scope, period, limit_nanos, spent_nanos, reserved_nanos FROM budget "
                       "WHERE starts_with(scope, $1::text) ORDER BY scope, period"};
constexpr Sql kOpen{"read_open",
                    "SELECT count(*), coalesce(sum(amount_nanos), 0)::bigint FROM reservation "
                    "WHERE state = 'open'"};

struct Check {
  const char* what;
  const char* sql;  // rows = violations: scope, window, detail
};

constexpr Check kChecks[] = {
    {"I1 spent + reserved <= limit",
     "SELECT scope, period, spent_nanos + reserved_nanos - limit_nanos FROM budget "
     "WHERE spent_nanos + reserved_nanos > limit_nanos ORDER BY scope, period"},
    {"reserved = sum of open reservations",
     "SELECT b.scope, b.period, b.reserved_nanos - coalesce(o.held, 0) FROM budget b "
     "LEFT JOIN (SELECT rb.scope, rb.period, sum(r.amount_nanos) AS held FROM reservation r "
     "JOIN reservation_budget rb USING (ledger_key, attempt) WHERE r.state = 'open' "
     "GROUP BY rb.scope, rb.period) o ON o.scope = b.scope AND o.period = b.period "
     "WHERE b.reserved_nanos <> coalesce(o.held, 0) ORDER BY b.scope, b.period"},
    {"I3 spent = sum of events",
     "SELECT b.scope, b.period, b.spent_nanos - coalesce(c.cost, 0) FROM budget b "
     "LEFT JOIN (SELECT rb.scope, rb.period, sum(e.cost_nanos) AS cost FROM cost_event e "
     "JOIN reservation_budget rb USING (ledger_key, attempt) GROUP BY rb.scope, rb.period) c "
     "ON c.scope = b.scope AND c.period = b.period "
     "WHERE b.spent_nanos <> coalesce(c.cost, 0) ORDER BY b.scope, b.period"},
    {"I2 one event per settled reservation",
     "SELECT r.ledger_key, r.attempt, 'no event' FROM reservation r WHERE r.state = 'settled' "
     "AND NOT EXISTS (SELECT 1 FROM cost_event e WHERE e.ledger_key = r.ledger_key AND "
     "e.attempt = r.attempt) ORDER BY r.ledger_key, r.attempt"},
};

}  // namespace

Result<InvariantReport> PgLedger::check_invariants() {
  InvariantReport report;
  for (const Check& c : kChecks) {
    auto rows = conn_.exec(c.sql);
    if (!rows) return rows.error();
    for (int i = 0; i < rows->size(); ++i) {
      report.violations.push_back(std::string(c.what) + ": " + std::string(rows->text(i, 0)) + " " +
                                  std::string(rows->text(i, 1)) + " (" +
                                  std::string(rows->text(i, 2)) + ")");
    }
  }
  return report;
}

Result<std::vector<CostEvent>> PgLedger::events(const EventFilter& f) {
  auto rows = conn_.run(kEvents, {num(f.from_ms), num(f.to_ms), text(f.persona), text(f.team),
                                  text(f.key_name), text(f.provider), text(f.model)});
  if (!rows) return rows.error();
  std::vector<CostEvent> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    CostEvent e;
    e.request_id = std::string(rows->text(i, 0));
    e.attempt = static_cast<int>(rows->int64(i, 1));
    e.ts_ms = rows->int64(i, 2);
    e.persona = std::string(rows->text(i, 3));
    e.team = std::string(rows->text(i, 4));
    e.project = std::string(rows->text(i, 5));
    e.key_name = std::string(rows->text(i, 6));
    e.provider = std::string(rows->text(i, 7));
    e.model = std::string(rows->text(i, 8));
    e.input_tokens = rows->int64(i, 9);
    e.output_tokens = rows->int64(i, 10);
    e.cache_read_tokens = rows->int64(i, 11);
    e.cache_write_tokens = rows->int64(i, 12);
    e.reasoning_tokens = rows->int64(i, 13);
    e.cost_nanos = rows->int64(i, 14);
    e.price_version = std::string(rows->text(i, 15));
    e.outcome = std::string(rows->text(i, 16));
    e.settlement_reason = std::string(rows->text(i, 17));
    e.ledger_key = std::string(rows->text(i, 18));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<BudgetState>> PgLedger::budgets(std::string_view scope_prefix) {
  auto rows = conn_.run(kBudgets, {text(scope_prefix)});
  if (!rows) return rows.error();
  std::vector<BudgetState> out;
  out.reserve(static_cast<std::size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back(BudgetState{std::string(rows->text(i, 0)), std::string(rows->text(i, 1)),
                              rows->int64(i, 2), rows->int64(i, 3), rows->int64(i, 4)});
  }
  return out;
}

Result<std::pair<std::int64_t, std::int64_t>> PgLedger::open_reservations() {
  auto rows = conn_.run(kOpen);
  if (!rows) return rows.error();
  return std::pair<std::int64_t, std::int64_t>{rows->int64(0, 0), rows->int64(0, 1)};
}

Result<std::int64_t> PgLedger::query_int(std::string_view sql) {
  auto rows = conn_.exec(sql);
  if (!rows) return rows.error();
  if (rows->size() == 0) return Error::make(ErrorKind::gateway_internal, "no row");
  return rows->int64(0, 0);
}

Result<std::string> PgLedger::query_text(std::string_view sql) {
  auto rows = conn_.exec(sql);
  if (!rows) return rows.error();
  if (rows->size() == 0) return Error::make(ErrorKind::gateway_internal, "no row");
  return std::string(rows->text(0, 0));
}

}  // namespace gw::cost
