#include "cost/ledger_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>
#include <vector>

namespace gw::cost {
namespace {

namespace fs = std::filesystem;

class LedgerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gw_ledger_service_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "ledger.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string url_;
};

CostEvent event(const std::string& id, std::int64_t cost) {
  CostEvent e;
  e.request_id = id;
  e.cost_nanos = cost;
  e.ts_ms = 1;
  e.outcome = "ok";
  e.settlement_reason = "usage";
  return e;
}

// Concurrent writers share transactions (group commit), every operation hears back after its
// batch committed, and a repeated settlement records nothing twice.
TEST_F(LedgerServiceTest, GroupCommitsConcurrentOperations) {
  auto service = LedgerService::start(url_);
  ASSERT_TRUE(service.ok()) << service.error().message;
  constexpr int kThreads = 4, kEach = 150;
  std::atomic<int> recorded{0}, duplicates{0}, failed{0}, done{0};
  std::promise<void> all_done;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        (*service)->settle(event("r" + std::to_string(t) + "-" + std::to_string(i % 100), 7),
                           [&](Result<Settlement> r) {
                             if (!r) {
                               ++failed;
                             } else if (r->recorded) {
                               ++recorded;
                             } else {
                               ++duplicates;
                             }
                             if (++done == kThreads * kEach) all_done.set_value();
                           });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(all_done.get_future().wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(recorded.load(), kThreads * 100);
  EXPECT_EQ(duplicates.load(), kThreads * 50);
  const auto& c = (*service)->counters();
  EXPECT_EQ(c.operations.load(), static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_LT(c.batches.load(), c.operations.load()) << "operations share transactions";
}

// A reservation refused in one savepoint does not undo its batch neighbours; stop() commits what
// is queued before it returns.
TEST_F(LedgerServiceTest, RefusalIsolatedAndStopFlushes) {
  auto service = LedgerService::start(url_);
  ASSERT_TRUE(service.ok());
  const BudgetWindow day{"persona:dev", "day:2026-11-26", 100, 0};
  std::vector<std::promise<bool>> admitted(5);
  for (int i = 0; i < 5; ++i) {
    Reservation r;
    r.request_id = "q" + std::to_string(i);
    r.amount_nanos = 30;
    r.windows = {day};
    r.expires_ms = INT64_MAX / 2;
    (*service)->reserve(r, [&, i](Result<ReserveResult> res) {
      admitted[static_cast<std::size_t>(i)].set_value(res.ok() && res->admitted);
    });
  }
  for (int i = 0; i < 20; ++i)
    (*service)->settle(event("late" + std::to_string(i), 1), [](auto) {});
  (*service)->stop();
  int yes = 0;
  for (auto& p : admitted) yes += p.get_future().get() ? 1 : 0;
  EXPECT_EQ(yes, 3) << "3 × 30 fit in 100, the others are refused";
  auto ledger = open_ledger(url_);
  ASSERT_TRUE(ledger.ok());
  auto events = (*ledger)->events({});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 20u) << "stop() flushed the queue";
  auto open = (*ledger)->open_reservations();
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(open->first, 3);
  // A restart (SQLite: sole owner) settles them at their reserved amount.
  auto restarted = LedgerService::start(url_);
  ASSERT_TRUE(restarted.ok());
  EXPECT_EQ((*restarted)->counters().swept.load(), 3u);
}

}  // namespace
}  // namespace gw::cost
