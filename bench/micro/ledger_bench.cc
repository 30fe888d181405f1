// The SQLite ledger's sustained rate (issue 5: "the ledger's sustained events/s"): one billed
// attempt = reserve in two budget windows + settle, each its own synchronous=FULL transaction on
// a file database, from 1 to 4 writer threads with a connection each.
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "cost/sqlite_ledger.h"

namespace {

namespace fs = std::filesystem;
using gw::cost::BudgetWindow;
using gw::cost::CostEvent;
using gw::cost::Reservation;
using gw::cost::SqliteLedger;

std::string database_url() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("ep-ledger-bench-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }();
  return "sqlite://" + (dir / "ledger.db").string();
}

std::atomic<long> g_next{0};

void BM_ReserveAndSettle(benchmark::State& state) {
  auto ledger = SqliteLedger::open(database_url());
  if (!ledger.ok()) {
    state.SkipWithError(ledger.error().message.c_str());
    return;
  }
  const std::vector<BudgetWindow> windows = {
      {"persona:bench", "day:2026-11-26", 1'000'000'000'000'000},
      {"team:bench", "month:2026-11", 1'000'000'000'000'000}};
  for (auto _ : state) {
    const std::string id = "req-" + std::to_string(g_next.fetch_add(1));
    Reservation r;
    r.request_id = id;
    r.amount_nanos = 20'000'000;
    r.windows = windows;
    r.created_ms = 1;
    r.expires_ms = 1'000'000;
    auto reserved = (*ledger)->reserve(r);
    if (!reserved.ok() || !reserved->admitted) {
      state.SkipWithError("reserve failed");
      return;
    }
    CostEvent e;
    e.request_id = id;
    e.cost_nanos = 1'234'567;
    e.input_tokens = 1000;
    e.output_tokens = 200;
    e.ts_ms = 2;
    e.settlement_reason = "usage";
    auto settled = (*ledger)->settle(e);
    if (!settled.ok() || !*settled) {
      state.SkipWithError("settle failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReserveAndSettle)->ThreadRange(1, 4)->UseRealTime()->MinTime(3.0);

}  // namespace

BENCHMARK_MAIN();
