// DD-02 power-loss driver (docs/adr/0009-ledger-durability-dd02.md): opens the SQLite cost ledger
// at argv[1] and settles cost events "e1", "e2", … one transaction each, printing "acked <n>" and
// flushing stdout after each settle returns, until it is killed. The test runs it under the
// unsynced-writes shim, SIGKILLs it, and checks that every acknowledged event is on disk.
//   dd02_driver PATH [full|normal]   (normal: PRAGMA synchronous=NORMAL after open)
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: dd02_driver PATH [full|normal]\n");
    return 2;
  }
  const std::string_view mode = argc > 2 ? argv[2] : "full";
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
