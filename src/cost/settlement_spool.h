// Settlements the PostgreSQL ledger could not take because it was unreachable (RELIABILITY DD-04:
// "settlements are spooled durably, not held only in memory, and retried with the same
// idempotency key"). The ledger writer thread adds them to a local SQLite table — committed with
// synchronous=FULL before the settlement is answered — and replays them, oldest first, once the
// ledger answers again; PostgreSQL's unique (ledger_key, attempt) makes a replay of an event that
// did commit (an ambiguous COMMIT) a no-op. Used by the writer thread only; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "cost/ledger.h"
#include "storage/sqlite_db.h"

namespace gw::cost {

class SettlementSpool {
 public:
  // Opens (and migrates) the local database at a sqlite:// URL.
  static Result<std::unique_ptr<SettlementSpool>> open(std::string_view url);

  Status add(const CostEvent& event, std::int64_t now_ms);  // durable when it returns
  // Up to `limit` spooled events, oldest first, with their spool ids.
  Result<std::vector<std::pair<std::int64_t, CostEvent>>> oldest(std::size_t limit);
  Status remove(const std::vector<std::int64_t>& ids);
  Result<std::int64_t> size();

 private:
  explicit SettlementSpool(storage::SqliteDb db) : db_(std::move(db)) {}
  storage::SqliteDb db_;
};

}  // namespace gw::cost
