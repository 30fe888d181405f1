// The SQLite ledger against RELIABILITY's budget invariants: all-or-nothing reservations,
// settlement exactly once, the crash sweeper, and BR-01 (a nearly spent budget under concurrent
// writers on separate connections admits exactly what fits). Every test ends with the
// invariant checker.
#include "cost/sqlite_ledger.h"

#include <gtest/gtest.h>
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include "storage/migrations.h"

namespace gw::cost {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kCent = 10'000'000;  // nano-dollars

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ep-ledger-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "ledger.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A reference to a ledger the fixture owns, so the cases read `l.reserve(…)`.
  SqliteLedger& open() {
    auto l = SqliteLedger::open(url_);
    EXPECT_TRUE(l.ok()) << l.error().message;
    ledgers_.push_back(std::move(l).value());
    return *ledgers_.back();
  }

  // A ledger as a gateway at schema `version` left it: migrated that far, then `rows` written.
  void seed_at_schema(int version, const char* rows) {
    auto db = storage::SqliteDb::open(url_);
    ASSERT_TRUE(db.ok()) << db.error().message;
    ASSERT_TRUE(storage::apply_migrations(*db, storage::gateway_migrations().first(version)).ok());
    ASSERT_TRUE(db->exec(rows).ok());
  }

  static void expect_invariants(SqliteLedger& l) {
    auto report = l.check_invariants();
    ASSERT_TRUE(report.ok()) << report.error().message;
    for (const auto& v : report->violations) ADD_FAILURE() << v;
  }

  fs::path dir_;
  std::string url_;
  std::vector<std::unique_ptr<SqliteLedger>> ledgers_;
};

Reservation res(std::string id, std::int64_t amount, std::vector<BudgetWindow> windows) {
  Reservation r;
  r.request_id = std::move(id);
  r.amount_nanos = amount;
  r.windows = std::move(windows);
  r.created_ms = 1000;
  r.expires_ms = 61000;
  return r;
}

CostEvent event(std::string id, std::int64_t cost) {
  CostEvent e;
  e.request_id = std::move(id);
  e.cost_nanos = cost;
  e.ts_ms = 2000;
  e.settlement_reason = "usage";
  e.outcome = "ok";
  return e;
}

const BudgetWindow kDay{"persona:dev", "day:2026-11-26", 100 * kCent};
const BudgetWindow kTeam{"team:core", "day:2026-11-26", 30 * kCent};

TEST_F(LedgerTest, ReservesWhileItFitsAndRefusesTheRest) {
  auto& l = open();
  auto a = l.reserve(res("a", 60 * kCent, {kDay}));
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(a->admitted);
  auto b = l.reserve(res("b", 50 * kCent, {kDay}));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->admitted);
  EXPECT_EQ(b->refused.scope, "persona:dev");
  EXPECT_TRUE(l.reserve(res("c", 40 * kCent, {kDay}))->admitted) << "exactly the limit fits";
  expect_invariants(l);
}

TEST_F(LedgerTest, AllOrNothingAcrossWindows) {
  auto& l = open();
  ASSERT_TRUE(l.reserve(res("a", 25 * kCent, {kDay, kTeam}))->admitted);
  // The persona window has room, the team window does not: neither is charged.
  auto b = l.reserve(res("b", 10 * kCent, {kDay, kTeam}));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->admitted);
  EXPECT_EQ(b->refused.scope, "team:core");
  EXPECT_EQ(*l.db().query_int("SELECT reserved_nanos FROM budget WHERE scope = 'persona:dev'"),
            25 * kCent);
  EXPECT_EQ(*l.db().query_int("SELECT count(*) FROM reservation"), 1);
  expect_invariants(l);
}

TEST_F(LedgerTest, SettlesExactlyOnceAndReleasesTheReservation) {
  auto& l = open();
  ASSERT_TRUE(l.reserve(res("a", 20 * kCent, {kDay, kTeam}))->admitted);
  auto first = l.settle(event("a", 7 * kCent));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  // A retried settlement (an ambiguous commit) records nothing twice.
  EXPECT_FALSE(*l.settle(event("a", 7 * kCent)));
  EXPECT_FALSE(*l.settle(event("a", 9 * kCent)));
  EXPECT_EQ(*l.db().query_int("SELECT spent_nanos FROM budget WHERE scope = 'team:core'"),
            7 * kCent);
  EXPECT_EQ(*l.db().query_int("SELECT reserved_nanos FROM budget WHERE scope = 'team:core'"), 0);
  EXPECT_EQ(*l.db().query_int("SELECT count(*) FROM cost_event"), 1);
  EXPECT_EQ(*l.db().query_int("SELECT reserved_nanos FROM cost_event"), 20 * kCent);
  // The released 13 cents are available again.
  EXPECT_TRUE(l.reserve(res("b", 23 * kCent, {kTeam}))->admitted);
  expect_invariants(l);
}

TEST_F(LedgerTest, SettlementReportsTheWindowsItCharged) {
  auto& l = open();
  ASSERT_TRUE(l.reserve(res("a", 20 * kCent, {kDay, kTeam}))->admitted);
  ASSERT_TRUE(l.reserve(res("b", 5 * kCent, {kTeam}))->admitted);
  auto settle = [&](const CostEvent& e, std::vector<BudgetState>& charged) {
    EXPECT_TRUE(l.begin().ok());
    auto settled = l.settle_step(e, &charged);
    EXPECT_TRUE(settled.ok()) << settled.error().message;
    EXPECT_TRUE(l.commit().ok());
    std::sort(charged.begin(), charged.end(),
              [](const BudgetState& x, const BudgetState& y) { return x.scope < y.scope; });
    return settled.ok() && *settled;
  };
  std::vector<BudgetState> charged;
  EXPECT_TRUE(settle(event("a", 7 * kCent), charged));
  // Each window as the settlement left it: "b" still holds 5 cents of the team's day.
  ASSERT_EQ(charged.size(), 2u);
  EXPECT_EQ(charged[0].scope, "persona:dev");
  EXPECT_EQ(charged[0].window, "day:2026-11-26");
  EXPECT_EQ(charged[0].limit_nanos, 100 * kCent);
  EXPECT_EQ(charged[0].spent_nanos, 7 * kCent);
  EXPECT_EQ(charged[0].reserved_nanos, 0);
  EXPECT_EQ(charged[1].scope, "team:core");
  EXPECT_EQ(charged[1].limit_nanos, 30 * kCent);
  EXPECT_EQ(charged[1].spent_nanos, 7 * kCent);
  EXPECT_EQ(charged[1].reserved_nanos, 5 * kCent);
  // Settled before, or held nothing: no window charged, none reported.
  std::vector<BudgetState> again;
  EXPECT_FALSE(settle(event("a", 7 * kCent), again));
  EXPECT_TRUE(again.empty());
  std::vector<BudgetState> unbudgeted;
  EXPECT_TRUE(settle(event("free", 3 * kCent), unbudgeted));
  EXPECT_TRUE(unbudgeted.empty());
  expect_invariants(l);
}

TEST_F(LedgerTest, OvershootIsChargedAndReported) {
  auto& l = open();
  ASSERT_TRUE(l.reserve(res("a", 30 * kCent, {kTeam}))->admitted);
  EXPECT_TRUE(*l.settle(event("a", 31 * kCent)));  // the provider ignored max_tokens
  auto report = l.check_invariants();
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->violations.size(), 1u);
  EXPECT_NE(report->violations[0].find("I1"), std::string::npos) << report->violations[0];
}

TEST_F(LedgerTest, SweeperSettlesExpiredReservationsAtTheReservedAmount) {
  {
    auto& l = open();
    auto crashed = res("crashed", 12 * kCent, {kDay});
    crashed.persona = "dev";
    crashed.team = "core";
    crashed.provider = "mock";
    crashed.model = "mock-gpt";
    ASSERT_TRUE(l.reserve(crashed)->admitted);
    auto later = res("fresh", 5 * kCent, {kDay});
    later.expires_ms = 10'000'000;
    ASSERT_TRUE(l.reserve(later)->admitted);
  }  // "crash": the process goes away with both open
  auto& l = open();
  EXPECT_EQ(*l.sweep_expired(60999), 0);
  EXPECT_EQ(*l.sweep_expired(61000), 1);
  EXPECT_EQ(*l.sweep_expired(61000), 0) << "swept once";
  EXPECT_EQ(
      *l.db().query_text("SELECT settlement_reason FROM cost_event WHERE request_id = 'crashed'"),
      "crash_recovery");
  EXPECT_EQ(*l.db().query_text("SELECT persona || ' ' || team || ' ' || provider || ' ' || model "
                               "FROM cost_event WHERE request_id = 'crashed'"),
            "dev core mock mock-gpt")
      << "crash-recovered spend keeps its attribution";
  EXPECT_EQ(*l.db().query_int("SELECT spent_nanos FROM budget"), 12 * kCent);
  EXPECT_EQ(*l.db().query_int("SELECT reserved_nanos FROM budget"), 5 * kCent);
  expect_invariants(l);
}

// RELIABILITY step 8: a stream checkpoints its metered cost on its reservation; after a crash the
// sweeper charges that, not the whole reservation. A checkpoint only raises the figure, and does
// nothing for an attempt without an open reservation.
TEST_F(LedgerTest, SweeperSettlesACheckpointedStreamAtItsCheckpoint) {
  {
    auto& l = open();
    ASSERT_TRUE(l.reserve(res("streaming", 12 * kCent, {kDay}))->admitted);
    ASSERT_TRUE(l.checkpoint({"streaming", 1, 3 * kCent}).ok());
    ASSERT_TRUE(l.checkpoint({"streaming", 1, 2 * kCent}).ok()) << "a lower one is ignored";
    ASSERT_TRUE(l.checkpoint({"unknown", 1, 9 * kCent}).ok()) << "no reservation: nothing";
    ASSERT_TRUE(l.reserve(res("settled", 4 * kCent, {kDay}))->admitted);
    auto done = event("settled", 1 * kCent);
    done.held_reservation = true;
    ASSERT_TRUE(*l.settle(done));
    ASSERT_TRUE(l.checkpoint({"settled", 1, 3 * kCent}).ok()) << "settled: nothing";
  }  // "crash" with the stream open
  auto& l = open();
  EXPECT_EQ(*l.sweep_expired(61000), 1);
  EXPECT_EQ(*l.db().query_int("SELECT cost_nanos FROM cost_event WHERE request_id = 'streaming'"),
            3 * kCent);
  EXPECT_EQ(*l.db().query_int("SELECT cost_nanos FROM cost_event WHERE request_id = 'settled'"),
            1 * kCent);
  EXPECT_EQ(*l.db().query_int("SELECT spent_nanos FROM budget"), 4 * kCent);
  EXPECT_EQ(*l.db().query_int("SELECT reserved_nanos FROM budget"), 0);
  expect_invariants(l);
}

// BR-01: $1.00 limit with $0.90 spent; 200 reservations of $0.02 from 8 writers on their own
// connections: exactly 5 admitted, spent + reserved never above the limit.
TEST_F(LedgerTest, NearlySpentBudgetUnderConcurrentWriters) {
  const BudgetWindow dollar{"persona:dev", "day:2026-11-26", 100 * kCent};
  {
    auto& l = open();
    ASSERT_TRUE(l.reserve(res("spent", 90 * kCent, {dollar}))->admitted);
    ASSERT_TRUE(*l.settle(event("spent", 90 * kCent)));
  }
  std::atomic<int> admitted{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      auto l = SqliteLedger::open(url_);
      if (!l.ok()) {
        ++failed;
        return;
      }
      for (int i = 0; i < 25; ++i) {
        auto r = (*l)->reserve(
            res("r" + std::to_string(t) + "-" + std::to_string(i), 2 * kCent, {dollar}));
        if (!r.ok()) {
          ++failed;
        } else if (r->admitted) {
          ++admitted;
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(failed.load(), 0) << "no writer saw 'database is locked'";
  EXPECT_EQ(admitted.load(), 5);
  auto& l = open();
  EXPECT_EQ(*l.db().query_int("SELECT spent_nanos + reserved_nanos FROM budget"), 100 * kCent);
  expect_invariants(l);
}

// The ledger's hot tables stay small (migration 4): a settled reservation is gone, and the
// event names the windows it was charged to.
TEST_F(LedgerTest, SettlingDeletesTheReservationAndRecordsItsWindows) {
  auto& l = open();
  ASSERT_TRUE(l.reserve(res("a", 20 * kCent, {kDay, kTeam}))->admitted);
  ASSERT_TRUE(*l.settle(event("a", 7 * kCent)));
  EXPECT_EQ(*l.db().query_int("SELECT count(*) FROM reservation"), 0);
  EXPECT_EQ(*l.db().query_text("SELECT windows FROM cost_event"),
            R"([["persona:dev","day:2026-11-26"],["team:core","day:2026-11-26"]])");
  ASSERT_TRUE(*l.settle(event("unbudgeted", 3 * kCent)));
  EXPECT_EQ(
      *l.db().query_int(
          "SELECT count(*) FROM cost_event WHERE request_id = 'unbudgeted' AND windows IS NULL"),
      1);
  expect_invariants(l);
}

// The sweeper settled a reservation (its request outlived the deadline, or a crash): the
// attempt's own settlement arriving later records nothing a second time.
TEST_F(LedgerTest, ALateSettlementAfterTheSweeperRecordsNothing) {
  auto& l = open();
  ASSERT_TRUE(l.reserve(res("slow", 12 * kCent, {kDay}))->admitted);
  EXPECT_EQ(*l.sweep_expired(61000), 1);
  CostEvent late = event("slow", 3 * kCent);
  late.ts_ms = 70000;
  late.held_reservation = true;
  EXPECT_FALSE(*l.settle(late));
  EXPECT_EQ(*l.db().query_int("SELECT count(*) FROM cost_event"), 1);
  EXPECT_EQ(*l.db().query_int("SELECT spent_nanos FROM budget"), 12 * kCent);
  expect_invariants(l);
}

// POST /v1/cost/track is idempotent on the client's request id even when the retry is stamped
// later; gateway events with the same client-supplied id are distinct requests.
TEST_F(LedgerTest, TrackedEventsAreIdempotentOnTheRequestId) {
  auto& l = open();
  CostEvent tracked = event("ext-1", 5 * kCent);
  tracked.settlement_reason = "tracked";
  ASSERT_TRUE(*l.settle(tracked));
  tracked.ts_ms += 1000;
  EXPECT_FALSE(*l.settle(tracked));
  EXPECT_EQ(*l.db().query_int("SELECT count(*) FROM cost_event"), 1);
  expect_invariants(l);
}

// The checker still sees what it must: spent that no event accounts for.
TEST_F(LedgerTest, CheckerReportsSpendWithoutEvents) {
  auto& l = open();
  ASSERT_TRUE(l.reserve(res("a", 20 * kCent, {kDay}))->admitted);
  ASSERT_TRUE(*l.settle(event("a", 7 * kCent)));
  ASSERT_TRUE(l.db().exec("UPDATE budget SET spent_nanos = spent_nanos + 1").ok());
  auto report = l.check_invariants();
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->violations.size(), 1u);
  EXPECT_NE(report->violations[0].find("I3"), std::string::npos) << report->violations[0];
}

// A ledger written by the schema before migration 4 (settled reservations kept, events keyed by
// request id) migrates with its events, their windows and its open reservations intact.
TEST_F(LedgerTest, MigratesALedgerFromSchemaThree) {
  ASSERT_NO_FATAL_FAILURE(seed_at_schema(3, R"sql(
      INSERT INTO budget VALUES ('persona:dev', 'day:2026-11-26', 1000, 70, 20);
      INSERT INTO reservation VALUES ('a', 1, 100, 1, 61000, 'settled'), ('b', 1, 20, 1, 61000, 'open');
      INSERT INTO reservation_budget VALUES ('a', 1, 'persona:dev', 'day:2026-11-26'),
                                            ('b', 1, 'persona:dev', 'day:2026-11-26');
      INSERT INTO cost_event (request_id, attempt, ts_ms, cost_nanos, reserved_nanos,
                              settlement_reason) VALUES ('a', 1, 5, 70, 100, 'usage'),
                                                        ('x', 1, 6, 9, 0, 'usage');
    )sql"));
  auto& l = open();
  EXPECT_EQ(*l.db().query_int("SELECT count(*) FROM cost_event"), 2);
  EXPECT_EQ(*l.db().query_int("SELECT count(*) FROM reservation"), 1) << "only the open one";
  EXPECT_EQ(*l.db().query_text("SELECT windows FROM reservation"),
            R"([["persona:dev","day:2026-11-26"]])");
  EXPECT_EQ(*l.db().query_text("SELECT windows FROM cost_event WHERE request_id = 'a'"),
            R"([["persona:dev","day:2026-11-26"]])");
  expect_invariants(l);
  CostEvent b = event("b", 15);
  b.held_reservation = true;
  EXPECT_TRUE(*l.settle(b));
  EXPECT_EQ(*l.db().query_int("SELECT spent_nanos FROM budget"), 85);
  expect_invariants(l);
}

// A client that sends one X-Request-ID on two requests: each request has its own ledger key, so
// both are reserved, settled and counted, each exactly once, under the client's request id.
TEST_F(LedgerTest, TwoRequestsSharingAClientRequestIdAreTwoRequests) {
  auto& l = open();
  for (const char* key : {"req_k1", "req_k2", "req_k3"}) {
    Reservation r = res("client-7", 20 * kCent, {kDay});
    r.ledger_key = key;
    auto admitted = l.reserve(r);
    ASSERT_TRUE(admitted.ok()) << admitted.error().message;
    EXPECT_TRUE(admitted->admitted) << key;
  }
  for (const char* key : {"req_k1", "req_k2"}) {
    CostEvent e = event("client-7", 5 * kCent);  // the same millisecond
    e.ledger_key = key;
    e.held_reservation = true;
    EXPECT_TRUE(*l.settle(e)) << key;
    EXPECT_FALSE(*l.settle(e)) << key << " again";
  }
  EXPECT_EQ(*l.sweep_expired(61000), 1);  // req_k3, crash-recovered under its own key
  EXPECT_EQ(*l.db().query_int("SELECT count(*) FROM cost_event WHERE request_id = 'client-7'"), 3);
  EXPECT_EQ(*l.db().query_int("SELECT count(DISTINCT ledger_key) FROM cost_event"), 3);
  EXPECT_EQ(*l.db().query_int("SELECT spent_nanos FROM budget"), 30 * kCent);
  auto events = l.events({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].request_id, "client-7");
  expect_invariants(l);
}

// A ledger written before ledger keys (schema 6) keys its rows by their request id, and its
// tracked events as cost::tracked_ledger_key does now, so retries still find them.
TEST_F(LedgerTest, MigratesALedgerFromSchemaSix) {
  ASSERT_NO_FATAL_FAILURE(seed_at_schema(6, R"sql(
      INSERT INTO budget VALUES ('persona:dev', 'day:2026-11-26', 1000, 70, 20);
      INSERT INTO reservation (request_id, attempt, amount_nanos, created_ms, expires_ms, windows)
        VALUES ('b', 1, 20, 1, 61000, '[["persona:dev","day:2026-11-26"]]');
      INSERT INTO cost_event (ts_ms, request_id, attempt, key_name, cost_nanos, reserved_nanos,
                              settlement_reason, windows)
        VALUES (5, 'a', 1, NULL, 70, 100, 'usage', '[["persona:dev","day:2026-11-26"]]'),
               (6, 'x', 1, 'ci', 9, 0, 'tracked', NULL);
      INSERT INTO request_log (request_id, attempt, ts_ms) VALUES ('a', 1, 5);
    )sql"));
  auto& l = open();
  EXPECT_EQ(*l.db().query_text("SELECT group_concat(ledger_key, ',') FROM (SELECT ledger_key "
                               "FROM cost_event ORDER BY ts_ms)"),
            "a,track/ci/x");
  EXPECT_EQ(*l.db().query_text("SELECT ledger_key FROM reservation"), "b");
  EXPECT_EQ(*l.db().query_text("SELECT ledger_key FROM request_log"), "a");
  expect_invariants(l);
  CostEvent tracked = event("x", 9);
  tracked.settlement_reason = "tracked";
  tracked.ledger_key = tracked_ledger_key("ci", "x");
  EXPECT_FALSE(*l.settle(tracked)) << "a retried track of an event recorded before";
  CostEvent b = event("b", 15);
  b.held_reservation = true;
  EXPECT_TRUE(*l.settle(b));
  EXPECT_EQ(*l.db().query_int("SELECT spent_nanos FROM budget"), 85);
  expect_invariants(l);
}

TEST_F(LedgerTest, NegativeAmountsAreRefused) {
  auto& l = open();
  EXPECT_FALSE(l.reserve(res("a", -1, {kDay})).ok());
  EXPECT_FALSE(l.settle(event("a", -1)).ok());
}

}  // namespace
}  // namespace gw::cost

namespace gw::cost {
namespace {

class FlexibleReservation : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / "gw_flexible_reservation";
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto l = SqliteLedger::open("sqlite://" + (dir_ / "ledger.db").string());
    ASSERT_TRUE(l.ok()) << l.error().message;
    ledger_ = std::move(l).value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::unique_ptr<SqliteLedger> ledger_;
};

// BR-02: a request without max_tokens takes what the tightest window has left, or nothing below
// its minimum.
TEST_F(FlexibleReservation, TakesWhatTheTightestWindowHasLeft) {
  const BudgetWindow day{"persona:dev", "day:2026-11-26", 1'000'000'000};
  const BudgetWindow team{"team:core", "day:2026-11-26", 300'000'000};
  Reservation first;
  first.request_id = "a";
  first.amount_nanos = 250'000'000;
  first.windows = {day, team};
  first.expires_ms = 10;
  ASSERT_TRUE(ledger_->reserve(first)->admitted);
  Reservation flexible = first;
  flexible.request_id = "b";
  flexible.amount_nanos = 900'000'000;
  flexible.min_amount_nanos = 10'000'000;
  auto got = ledger_->reserve(flexible);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->admitted);
  EXPECT_EQ(got->amount_nanos, 50'000'000) << "the team window had 50M left";
  Reservation starved = flexible;
  starved.request_id = "c";
  auto refused = ledger_->reserve(starved);
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->admitted);
  EXPECT_EQ(refused->refused.scope, "team:core") << "the window without room is named";
  auto report = ledger_->check_invariants();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
}

}  // namespace
}  // namespace gw::cost
