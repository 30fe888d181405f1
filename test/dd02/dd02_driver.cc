// DD-02 power-loss driver (docs/adr/0009-ledger-durability-dd02.md): opens the SQLite cost ledger
// at argv[1] and settles cost events "e1", "e2", … one transaction each, printing "acked <n>" and
// flushing stdout after each settle returns, until it is killed. The test runs it under the
// unsynced-writes shim, SIGKILLs it, and checks that every acknowledged event is on disk.
//   dd02_driver PATH [full|normal|service]
//     full     SqliteLedger::settle, one synchronous=FULL transaction per event
//     normal   the same after PRAGMA synchronous=NORMAL (loses acknowledged events: the control)
//     service  the gateway's path: LedgerService, 32 settlements in flight, unsynced group
//              commits made durable by the sync thread's WAL fdatasync (ADR 0012); "acked" is
//              printed from the completion, as the gateway would answer its client
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "cost/ledger_service.h"
#include "cost/sqlite_ledger.h"

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

gw::cost::CostEvent event_number(std::int64_t n) {
  gw::cost::CostEvent e;
  e.request_id = "e" + std::to_string(n);
  e.attempt = 1;
  e.ts_ms = now_ms();
  e.persona = "dd02";
  e.provider = "mock";
  e.model = "mock-gpt";
  e.input_tokens = 100;
  e.output_tokens = 50;
  e.cost_nanos = 1'000 * n;
  e.price_version = "mock/mock-gpt@dd02";
  e.outcome = "ok";
  e.settlement_reason = "usage";
  return e;
}

int fail(std::string_view what, const gw::Error& error) {
  std::fprintf(stderr, "dd02_driver: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               error.message.c_str());
  return 1;
}

// The shim sees reads only through pread: a memory-mapped database would bypass it.
gw::Status expect_no_mmap(gw::storage::SqliteDb& db) {
  auto mmap = db.query_int("PRAGMA mmap_size");
  if (!mmap) return std::move(mmap).error();
  if (*mmap != 0) {
    return gw::Error::make(gw::ErrorKind::gateway_internal, "mmap_size is not 0");
  }
  return {};
}

// Settles through LedgerService with up to 32 operations in flight; prints each acknowledgement
// as it arrives. Runs until killed (or a settlement fails).
int run_service(const std::string& url) {
  auto service = gw::cost::LedgerService::start(url);
  if (!service) return fail("start", service.error());
  std::mutex mu;
  std::condition_variable freed;
  int in_flight = 0;
  bool failed = false;
  for (std::int64_t n = 1;; ++n) {
    {
      std::unique_lock lock(mu);
      freed.wait(lock, [&] { return in_flight < 32 || failed; });
      if (failed) return 1;
      ++in_flight;
    }
    (*service)->settle(event_number(n), [&, n](gw::Result<gw::cost::Settlement> settled) {
      std::lock_guard lock(mu);
      --in_flight;
      if (!settled || !settled->recorded) {
        std::fprintf(stderr, "dd02_driver: settle %lld failed\n", static_cast<long long>(n));
        failed = true;
      } else {
        std::printf("acked %lld\n", static_cast<long long>(n));
        std::fflush(stdout);
      }
      freed.notify_one();
    });
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: dd02_driver PATH [full|normal|service]\n");
    return 2;
  }
  const std::string_view mode = argc > 2 ? argv[2] : "full";
  if (mode == "service") return run_service(std::string("sqlite://") + argv[1]);
  auto ledger = gw::cost::SqliteLedger::open(std::string("sqlite://") + argv[1]);
  if (!ledger) return fail("open", ledger.error());
  gw::storage::SqliteDb& db = (*ledger)->db();
  if (mode == "normal") {
    if (gw::Status s = db.exec("PRAGMA synchronous=NORMAL"); !s) return fail("pragma", s.error());
  }
  if (gw::Status s = expect_no_mmap(db); !s) return fail("mmap", s.error());
  auto sync = db.query_int("PRAGMA synchronous");
  if (!sync) return fail("pragma", sync.error());
  std::fprintf(stderr, "dd02_driver: synchronous=%lld\n", static_cast<long long>(*sync));

  for (std::int64_t n = 1;; ++n) {
    auto settled = (*ledger)->settle(event_number(n));
    if (!settled) return fail("settle", settled.error());
    std::printf("acked %lld\n", static_cast<long long>(n));
    std::fflush(stdout);
  }
}
