// The ledger's sustained rate (issue 5: "the ledger's sustained events/s"): one billed attempt =
// reserve in two budget windows + settle, each its own durable transaction, from 1 to 4 writer
// threads with a connection each. SQLite: synchronous=FULL on a file database. PostgreSQL: the
// database at GW_BENCH_PG_URL (e.g. one scripts/pg.sh started; fsync on), skipped when unset.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "cost/ledger_service.h"
#include "cost/pg_ledger.h"
#include "cost/sqlite_ledger.h"

namespace {

namespace fs = std::filesystem;
using gw::cost::BudgetWindow;
using gw::cost::CostEvent;
using gw::cost::Ledger;
using gw::cost::PgLedger;
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

// The attempt every benchmark bills: a reservation of 2 cents in `windows`, then its settlement.
Reservation bench_reservation(const std::string& id, const std::vector<BudgetWindow>& windows,
                              std::int64_t expires_ms) {
  Reservation r;
  r.request_id = id;
  r.amount_nanos = 20'000'000;
  r.windows = windows;
  r.created_ms = 1;
  r.expires_ms = expires_ms;
  return r;
}

CostEvent bench_event(const std::string& id) {
  CostEvent e;
  e.request_id = id;
  e.cost_nanos = 1'234'567;
  e.input_tokens = 1000;
  e.output_tokens = 200;
  e.ts_ms = 2;
  e.settlement_reason = "usage";
  return e;
}

// Billed attempts on one ledger until the benchmark has enough. Request ids carry `run` so a
// database that outlives the process (PostgreSQL) never sees an id twice.
void billed_attempts(benchmark::State& state, Ledger& ledger, const std::string& run) {
  const std::vector<BudgetWindow> windows = {
      {"persona:bench", "day:2026-11-26", 1'000'000'000'000'000},
      {"team:bench", "month:2026-11", 1'000'000'000'000'000}};
  for (auto _ : state) {
    const std::string id = run + "-" + std::to_string(g_next.fetch_add(1));
    auto reserved = ledger.reserve(bench_reservation(id, windows, 1'000'000));
    if (!reserved.ok() || !reserved->admitted) {
      state.SkipWithError("reserve failed");
      return;
    }
    auto settled = ledger.settle(bench_event(id));
    if (!settled.ok() || !*settled) {
      state.SkipWithError("settle failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ReserveAndSettle(benchmark::State& state) {
  auto ledger = SqliteLedger::open(database_url());
  if (!ledger.ok()) {
    state.SkipWithError(ledger.error().message.c_str());
    return;
  }
  billed_attempts(state, **ledger, "req");
}
BENCHMARK(BM_ReserveAndSettle)->ThreadRange(1, 4)->UseRealTime()->MinTime(3.0);

void BM_PgReserveAndSettle(benchmark::State& state) {
  const char* url = std::getenv("GW_BENCH_PG_URL");
  if (url == nullptr || *url == '\0') {
    state.SkipWithError("GW_BENCH_PG_URL is not set (scripts/pg.sh start DIR PORT prints one)");
    return;
  }
  auto ledger = PgLedger::open(url);
  if (!ledger.ok()) {
    state.SkipWithError(ledger.error().message.c_str());
    return;
  }
  static const std::string run =
      "pg-" + std::to_string(::getpid()) + "-" +
      std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  billed_attempts(state, **ledger, run);
}
BENCHMARK(BM_PgReserveAndSettle)->ThreadRange(1, 4)->UseRealTime()->MinTime(3.0);

// The path the gateway uses: LedgerService's writer thread group-commits what `in_flight`
// concurrent requests submit (each a reservation, then — once admitted — its settlement), as
// 16 or 64 client connections would. Items = billed attempts (2 ledger operations each).
void service_attempts(benchmark::State& state, const std::string& url, const std::string& run) {
  auto service = gw::cost::LedgerService::start(url);
  if (!service.ok()) {
    state.SkipWithError(service.error().message.c_str());
    return;
  }
  const int in_flight = static_cast<int>(state.range(0));
  const std::vector<BudgetWindow> windows = {
      {"persona:bench", "day:2026-11-26", 1'000'000'000'000'000, 0},
      {"team:bench", "month:2026-11", 1'000'000'000'000'000, 0}};
  std::atomic<long> completed{0};
  std::atomic<bool> failed{false};
  std::function<void()> next;
  std::atomic<long> budget{0};  // attempts still to start
  next = [&] {
    if (budget.fetch_sub(1) <= 0) return;
    const std::string id = run + "-" + std::to_string(g_next.fetch_add(1));
    (*service)->reserve(bench_reservation(id, windows, INT64_MAX / 2),
                        [&, id](gw::Result<gw::cost::ReserveResult> held) {
                          if (!held.ok() || !held->admitted) failed = true;
                          (*service)->settle(bench_event(id),
                                             [&](gw::Result<gw::cost::Settlement> settled) {
                                               if (!settled.ok()) failed = true;
                                               ++completed;
                                               next();
                                             });
                        });
  };
  constexpr long kBatch = 2000;
  for (auto _ : state) {
    completed = 0;
    budget = kBatch;
    for (int i = 0; i < in_flight; ++i) next();
    while (completed.load() < kBatch && !failed.load()) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    if (failed) {
      state.SkipWithError("a ledger operation failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  (*service)->stop();
}

void BM_ServiceSqlite(benchmark::State& state) {
  static const std::string run = "svc-" + std::to_string(::getpid());
  service_attempts(state, database_url(), run);
}
BENCHMARK(BM_ServiceSqlite)->Arg(16)->Arg(64)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_ServicePg(benchmark::State& state) {
  const char* url = std::getenv("GW_BENCH_PG_URL");
  if (url == nullptr || *url == '\0') {
    state.SkipWithError("GW_BENCH_PG_URL is not set");
    return;
  }
  static const std::string run =
      "svcpg-" + std::to_string(::getpid()) + "-" +
      std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  service_attempts(state, url, run);
}
BENCHMARK(BM_ServicePg)->Arg(16)->Arg(64)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
