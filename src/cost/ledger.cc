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

Result<ReserveResult> Ledger::reserve(const Reservation& reservation) {
  if (Status s = begin(); !s) return s.error();
  auto result = reserve_step(reservation);
  if (!result) {
    rollback();
    return result;
  }
  if (Status s = commit(); !s) return s.error();
  return result;
}

Result<bool> Ledger::settle(const CostEvent& event) {
  if (Status s = begin(); !s) return s.error();
  auto result = settle_step(event, nullptr);
  if (!result) {
    rollback();
    return result;
  }
  if (Status s = commit(); !s) return s.error();
  return result;
}

Status Ledger::set_limit(const BudgetWindow& window) {
  if (Status s = begin(); !s) return s;
  Status result = set_limit_step(window);
  if (!result) {
    rollback();
    return result;
  }
  return commit();
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
