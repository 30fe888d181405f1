#include "cost/ledger.h"

#include <algorithm>

#include "cost/pg_ledger.h"
#include "cost/sqlite_ledger.h"

namespace gw::cost {

std::vector<BudgetWindow> in_lock_order(std::vector<BudgetWindow> windows) {
  std::sort(windows.begin(), windows.end(), [](const BudgetWindow& a, const BudgetWindow& b) {
    return a.scope != b.scope ? a.scope < b.scope : a.window < b.window;
  });
  return windows;
}

namespace {

// A step in a transaction of its own: committed when it succeeds, rolled back when it fails.
template <typename R, typename Step>
R one_transaction(Ledger& ledger, Step step) {
  if (Status s = ledger.begin(); !s) return s.error();
  R result = step();
  if (!result) {
    ledger.rollback();
    return result;
  }
  if (Status s = ledger.commit(); !s) return s.error();
  return result;
}

}  // namespace

Result<ReserveResult> Ledger::reserve(const Reservation& reservation) {
  return one_transaction<Result<ReserveResult>>(*this, [&] { return reserve_step(reservation); });
}

Result<bool> Ledger::settle(const CostEvent& event) {
  return one_transaction<Result<bool>>(*this, [&] { return settle_step(event, nullptr); });
}

Status Ledger::set_limit(const BudgetWindow& window) {
  return one_transaction<Status>(*this, [&] { return set_limit_step(window); });
}

Status Ledger::checkpoint(const Checkpoint& checkpoint) {
  return one_transaction<Status>(*this, [&] { return checkpoint_step(checkpoint); });
}

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgres://") || url.starts_with("postgresql://");
}

Result<std::unique_ptr<Ledger>> open_ledger(std::string_view url) {
  if (is_postgres_url(url)) {
    auto pg = PgLedger::open(url);
    if (!pg) return std::move(pg).error();
    return std::unique_ptr<Ledger>(std::move(pg).value());
  }
  auto sqlite = SqliteLedger::open(url);
  if (!sqlite) return std::move(sqlite).error();
  return std::unique_ptr<Ledger>(std::move(sqlite).value());
}

}  // namespace gw::cost
