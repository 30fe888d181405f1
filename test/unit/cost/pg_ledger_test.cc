// The PostgreSQL ledger against the same cases as sqlite_ledger_test.cc (all-or-nothing
// reservations, settlement exactly once, the crash sweeper, BR-01 with 8 connections), plus
// BR-04's lock order, instances migrating together, reconnecting after the server drops the
// connection (DD-04) and typed errors when the database is unreachable. Every case ends with
// the invariant checker.
//
// The database: GW_TEST_PG_URL, or else a throwaway cluster that scripts/pg.sh starts for this
// process on a free port (and stops afterwards) — the suite never skips. Each process works in
// its own schema (search_path set in the URL), recreated for every case.
#include "cost/pg_ledger.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cost/pg_conn.h"
#include "cost/pg_schema.h"
#include "support/test_servers.h"

namespace gw::cost {
namespace {

constexpr std::int64_t kCent = 10'000'000;  // nano-dollars

using gw::test::free_port;

class PgLedgerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { base_url_ = gw::test::pg_server_url(&setup_error_); }

  static void TearDownTestSuite() {
    if (!base_url_.empty()) {
      if (auto admin = pg::Connection::open(base_url_)) {
        (void)admin->exec("DROP SCHEMA IF EXISTS " + schema() + " CASCADE");
      }
    }
    base_url_.clear();
  }

  void SetUp() override {
    ASSERT_TRUE(setup_error_.empty()) << setup_error_;
    ASSERT_FALSE(base_url_.empty());
    auto admin = pg::Connection::open(base_url_);
    ASSERT_TRUE(admin.ok()) << admin.error().message;
    auto fresh =
        admin->exec("DROP SCHEMA IF EXISTS " + schema() + " CASCADE; CREATE SCHEMA " + schema());
    ASSERT_TRUE(fresh.ok()) << fresh.error().message;
    url_ = base_url_ + (base_url_.find('?') == std::string::npos ? "?" : "&") +
           "options=-csearch_path%3D" + schema();
  }

  static std::string schema() { return "gw_ledger_test_" + std::to_string(::getpid()); }

  // A reference to a ledger the fixture owns, so the cases read `l.reserve(…)`.
  PgLedger& open() {
    auto l = PgLedger::open(url_);
    EXPECT_TRUE(l.ok()) << l.error().message;
    if (!l.ok()) throw std::runtime_error("cannot open the ledger: " + l.error().message);
    ledgers_.push_back(std::move(l).value());
    return *ledgers_.back();
  }

  static void expect_invariants(PgLedger& l) {
    auto report = l.check_invariants();
    ASSERT_TRUE(report.ok()) << report.error().message;
    for (const auto& v : report->violations) ADD_FAILURE() << v;
  }

  static std::int64_t int_of(PgLedger& l, std::string_view sql) {
    auto v = l.query_int(sql);
    EXPECT_TRUE(v.ok()) << v.error().message;
    return v.ok() ? *v : -1;
  }

  static inline std::string base_url_;
  static inline std::string setup_error_;
  std::string url_;
  std::vector<std::unique_ptr<PgLedger>> ledgers_;
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

TEST_F(PgLedgerTest, ReservesWhileItFitsAndRefusesTheRest) {
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

TEST_F(PgLedgerTest, AllOrNothingAcrossWindows) {
  auto& l = open();
  ASSERT_TRUE(l.reserve(res("a", 25 * kCent, {kDay, kTeam}))->admitted);
  // The persona window has room, the team window does not: neither is charged.
  auto b = l.reserve(res("b", 10 * kCent, {kDay, kTeam}));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->admitted);
  EXPECT_EQ(b->refused.scope, "team:core");
  EXPECT_EQ(int_of(l, "SELECT reserved_nanos FROM budget WHERE scope = 'persona:dev'"), 25 * kCent);
  EXPECT_EQ(int_of(l, "SELECT count(*) FROM reservation"), 1);
  EXPECT_EQ(int_of(l, "SELECT count(*) FROM reservation_budget"), 2);
  expect_invariants(l);
}

TEST_F(PgLedgerTest, SettlesExactlyOnceAndReleasesTheReservation) {
  auto& l = open();
  ASSERT_TRUE(l.reserve(res("a", 20 * kCent, {kDay, kTeam}))->admitted);
  auto first = l.settle(event("a", 7 * kCent));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  // A retried settlement (an ambiguous commit) records nothing twice.
  EXPECT_FALSE(*l.settle(event("a", 7 * kCent)));
  EXPECT_FALSE(*l.settle(event("a", 9 * kCent)));
  EXPECT_EQ(int_of(l, "SELECT spent_nanos FROM budget WHERE scope = 'team:core'"), 7 * kCent);
  EXPECT_EQ(int_of(l, "SELECT reserved_nanos FROM budget WHERE scope = 'team:core'"), 0);
  EXPECT_EQ(int_of(l, "SELECT count(*) FROM cost_event"), 1);
  EXPECT_EQ(int_of(l, "SELECT reserved_nanos FROM cost_event"), 20 * kCent);
  // The released 13 cents are available again.
  EXPECT_TRUE(l.reserve(res("b", 23 * kCent, {kTeam}))->admitted);
  expect_invariants(l);
}

TEST_F(PgLedgerTest, SettlementReportsTheWindowsItCharged) {
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

TEST_F(PgLedgerTest, OvershootIsChargedAndReported) {
  auto& l = open();
  ASSERT_TRUE(l.reserve(res("a", 30 * kCent, {kTeam}))->admitted);
  EXPECT_TRUE(*l.settle(event("a", 31 * kCent)));  // the provider ignored max_tokens
  auto report = l.check_invariants();
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->violations.size(), 1u);
  EXPECT_NE(report->violations[0].find("I1"), std::string::npos) << report->violations[0];
}

TEST_F(PgLedgerTest, SweeperSettlesExpiredReservationsAtTheReservedAmount) {
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
    ledgers_.clear();  // "crash": the instance goes away with both open
  }
  auto& l = open();
  EXPECT_EQ(*l.sweep_expired(60999), 0);
  EXPECT_EQ(*l.sweep_expired(61000), 1);
  EXPECT_EQ(*l.sweep_expired(61000), 0) << "swept once";
  EXPECT_EQ(*l.query_text("SELECT settlement_reason FROM cost_event WHERE request_id = 'crashed'"),
            "crash_recovery");
  EXPECT_EQ(*l.query_text("SELECT persona || ' ' || team || ' ' || provider || ' ' || model FROM "
                          "cost_event WHERE request_id = 'crashed'"),
            "dev core mock mock-gpt")
      << "crash-recovered spend keeps its attribution";
  EXPECT_EQ(int_of(l, "SELECT spent_nanos FROM budget"), 12 * kCent);
  EXPECT_EQ(int_of(l, "SELECT reserved_nanos FROM budget"), 5 * kCent);
  EXPECT_EQ(l.open_reservations()->first, 1);
  EXPECT_EQ(l.open_reservations()->second, 5 * kCent);
  expect_invariants(l);
}

// RELIABILITY step 8: a stream checkpoints its metered cost on its reservation; after a crash the
// sweeper charges that, not the whole reservation. A checkpoint only raises the figure, and does
// nothing for an attempt without an open reservation.
TEST_F(PgLedgerTest, SweeperSettlesACheckpointedStreamAtItsCheckpoint) {
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
    ledgers_.clear();  // "crash" with the stream open
  }
  auto& l = open();
  EXPECT_EQ(*l.sweep_expired(61000), 1);
  EXPECT_EQ(int_of(l, "SELECT cost_nanos FROM cost_event WHERE request_id = 'streaming'"),
            3 * kCent);
  EXPECT_EQ(int_of(l, "SELECT cost_nanos FROM cost_event WHERE request_id = 'settled'"), 1 * kCent);
  EXPECT_EQ(int_of(l, "SELECT spent_nanos FROM budget"), 4 * kCent);
  EXPECT_EQ(int_of(l, "SELECT reserved_nanos FROM budget"), 0);
  expect_invariants(l);
}

// BR-01: $1.00 limit with $0.90 spent; 200 reservations of $0.02 from 8 writers on their own
// connections: exactly 5 admitted, spent + reserved never above the limit.
TEST_F(PgLedgerTest, NearlySpentBudgetUnderConcurrentWriters) {
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
      auto l = PgLedger::open(url_);
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
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(admitted.load(), 5);
  auto& l = open();
  EXPECT_EQ(int_of(l, "SELECT spent_nanos + reserved_nanos FROM budget"), 100 * kCent);
  expect_invariants(l);
}

// BR-04: 8 writers reserve (and then settle) across the same 4 windows, each given them in a
// different order, while an admin edits a limit: no deadlock, each window within its limit,
// and exactly what the tightest window allows is admitted.
TEST_F(PgLedgerTest, LockOrderHoldsWhateverOrderTheWindowsComeIn) {
  const std::vector<BudgetWindow> windows = {
      {"key:k1", "day:2026-11-26", 300 * kCent},
      {"org:acme", "day:2026-11-26", 1000 * kCent},
      {"persona:dev", "day:2026-11-26", 350 * kCent},
      {"team:core", "day:2026-11-26", 400 * kCent},
  };
  std::atomic<int> admitted{0};
  std::atomic<int> failed{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      auto l = PgLedger::open(url_);
      if (!l.ok()) {
        ++failed;
        return;
      }
      std::vector<BudgetWindow> mine = windows;
      std::rotate(mine.begin(), mine.begin() + t % 4, mine.end());
      if (t >= 4) std::reverse(mine.begin(), mine.end());
      for (int i = 0; i < 50; ++i) {
        const std::string id = "r" + std::to_string(t) + "-" + std::to_string(i);
        auto r = (*l)->reserve(res(id, kCent, mine));
        if (!r.ok()) {
          ADD_FAILURE() << r.error().code << ": " << r.error().message;
          ++failed;
          continue;
        }
        if (!r->admitted) continue;
        ++admitted;
        // Settled at the reserved amount: spent + reserved is unchanged, so the count of
        // admissions stays exact while settlements take the same locks.
        auto s = (*l)->settle(event(id, kCent));
        if (!s.ok() || !*s) ++failed;
      }
    });
  }
  std::thread admin([&] {
    auto l = PgLedger::open(url_);
    if (!l.ok()) {
      ++failed;
      return;
    }
    for (int i = 0; !done.load(); ++i) {
      BudgetWindow edit = windows[1];
      edit.limit_nanos = (i % 2 == 0 ? 2000 : 1000) * kCent;  // never the tightest window
      if (!(*l)->set_limit(edit)) ++failed;
    }
  });
  for (auto& w : writers) w.join();
  done = true;
  admin.join();
  EXPECT_EQ(failed.load(), 0) << "no deadlock or other error";
  EXPECT_EQ(admitted.load(), 300);
  auto& l = open();
  auto states = l.budgets("");
  ASSERT_TRUE(states.ok()) << states.error().message;
  ASSERT_EQ(states->size(), 4u);
  for (const BudgetState& s : *states) {
    EXPECT_LE(s.spent_nanos + s.reserved_nanos, s.limit_nanos) << s.scope;
    EXPECT_EQ(s.spent_nanos, 300 * kCent) << s.scope;
    EXPECT_EQ(s.reserved_nanos, 0) << s.scope;
  }
  EXPECT_EQ(l.open_reservations()->first, 0);
  expect_invariants(l);
}

// A client that sends one X-Request-ID on two requests: each request has its own ledger key, so
// both are reserved, settled and counted, each exactly once, under the client's request id.
TEST_F(PgLedgerTest, TwoRequestsSharingAClientRequestIdAreTwoRequests) {
  auto& l = open();
  for (const char* key : {"req_k1", "req_k2", "req_k3"}) {
    Reservation r = res("client-7", 20 * kCent, {kDay});
    r.ledger_key = key;
    auto admitted = l.reserve(r);
    ASSERT_TRUE(admitted.ok()) << admitted.error().message;
    EXPECT_TRUE(admitted->admitted) << key;
  }
  for (const char* key : {"req_k1", "req_k2"}) {
    CostEvent e = event("client-7", 5 * kCent);
    e.ledger_key = key;
    e.held_reservation = true;
    EXPECT_TRUE(*l.settle(e)) << key;
    EXPECT_FALSE(*l.settle(e)) << key << " again";
  }
  EXPECT_EQ(*l.sweep_expired(61000), 1);  // req_k3, crash-recovered under its own key
  EXPECT_EQ(int_of(l, "SELECT count(*) FROM cost_event WHERE request_id = 'client-7'"), 3);
  EXPECT_EQ(int_of(l, "SELECT count(DISTINCT ledger_key) FROM cost_event"), 3);
  EXPECT_EQ(int_of(l, "SELECT spent_nanos FROM budget"), 30 * kCent);
  auto events = l.events({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[2].request_id, "client-7");
  EXPECT_EQ((*events)[2].ledger_key, "req_k3");
  expect_invariants(l);
}

// A ledger written before ledger keys (schema 4) keys its rows by their request id, and its
// tracked events as cost::tracked_ledger_key does now, so retries still find them.
TEST_F(PgLedgerTest, MigratesALedgerFromSchemaFour) {
  {
    auto conn = pg::Connection::open(url_);
    ASSERT_TRUE(conn.ok()) << conn.error().message;
    ASSERT_TRUE(pg::migrate(*conn, 4).ok());
    auto filled = conn->exec(R"sql(
      INSERT INTO budget VALUES ('persona:dev', 'day:2026-11-26', 1000, 70, 20);
      INSERT INTO reservation (request_id, attempt, amount_nanos, created_ms, expires_ms, state)
        VALUES ('a', 1, 100, 1, 61000, 'settled'), ('b', 1, 20, 1, 61000, 'open');
      INSERT INTO reservation_budget VALUES ('a', 1, 'persona:dev', 'day:2026-11-26'),
                                            ('b', 1, 'persona:dev', 'day:2026-11-26');
      INSERT INTO cost_event (request_id, attempt, ts_ms, key_name, cost_nanos, reserved_nanos,
                              settlement_reason)
        VALUES ('a', 1, 5, NULL, 70, 100, 'usage'), ('x', 1, 6, 'ci', 9, 0, 'tracked');
    )sql");
    ASSERT_TRUE(filled.ok()) << filled.error().message;
  }
  auto& l = open();
  EXPECT_EQ(*l.query_text("SELECT string_agg(ledger_key, ',' ORDER BY ts_ms) FROM cost_event"),
            "a,track/ci/x");
  EXPECT_EQ(*l.query_text("SELECT string_agg(ledger_key || '/' || request_id, ',' ORDER BY "
                          "ledger_key) FROM reservation"),
            "a/a,b/b");
  expect_invariants(l);
  CostEvent tracked = event("x", 9);
  tracked.settlement_reason = "tracked";
  tracked.ledger_key = tracked_ledger_key("ci", "x");
  EXPECT_FALSE(*l.settle(tracked)) << "a retried track of an event recorded before";
  CostEvent b = event("b", 15);
  b.held_reservation = true;
  EXPECT_TRUE(*l.settle(b));
  EXPECT_EQ(int_of(l, "SELECT spent_nanos FROM budget"), 85);
  expect_invariants(l);
}

TEST_F(PgLedgerTest, NegativeAmountsAreRefused) {
  auto& l = open();
  EXPECT_FALSE(l.reserve(res("a", -1, {kDay})).ok());
  EXPECT_FALSE(l.settle(event("a", -1)).ok());
  expect_invariants(l);
}

TEST_F(PgLedgerTest, InstancesStartingTogetherMigrateOnce) {
  std::atomic<int> failed{0};
  std::vector<std::thread> instances;
  for (int t = 0; t < 4; ++t) {
    instances.emplace_back([&] {
      auto l = PgLedger::open(url_);
      if (!l.ok()) {
        ADD_FAILURE() << l.error().message;
        ++failed;
      }
    });
  }
  for (auto& i : instances) i.join();
  EXPECT_EQ(failed.load(), 0);
  auto& l = open();
  EXPECT_EQ(int_of(l, "SELECT count(*) FROM schema_migrations"), pg::latest_schema_version());
  EXPECT_EQ(int_of(l, "SELECT count(*) FROM gateway_key"), 0);
}

TEST_F(PgLedgerTest, ReadsEventsAndBudgetsForTheCostApis) {
  auto ledger = open_ledger(url_);  // the URL dispatches to PostgreSQL
  ASSERT_TRUE(ledger.ok()) << ledger.error().message;
  Ledger& l = **ledger;
  ASSERT_TRUE(l.reserve(res("a", 5 * kCent, {kDay, kTeam}))->admitted);
  ASSERT_TRUE(l.reserve(res("b", 5 * kCent, {kDay}))->admitted);
  CostEvent a = event("a", 3 * kCent);
  a.persona = "dev";
  a.provider = "openai";
  a.input_tokens = 1200;
  ASSERT_TRUE(*l.settle(a));
  CostEvent b = event("b", 4 * kCent);
  b.ts_ms = 3000;
  b.persona = "ops";
  ASSERT_TRUE(*l.settle(b));

  auto all = l.events({});
  ASSERT_TRUE(all.ok()) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].request_id, "a");
  EXPECT_EQ((*all)[0].input_tokens, 1200);
  EXPECT_EQ((*all)[0].team, "") << "NULL reads as empty";
  EXPECT_EQ((*all)[1].cost_nanos, 4 * kCent);
  EventFilter dev;
  dev.persona = "dev";
  EXPECT_EQ(l.events(dev)->size(), 1u);
  EventFilter early;
  early.to_ms = 3000;
  EXPECT_EQ(l.events(early)->size(), 1u);

  auto teams = l.budgets("team:");
  ASSERT_TRUE(teams.ok()) << teams.error().message;
  ASSERT_EQ(teams->size(), 1u);
  EXPECT_EQ((*teams)[0].spent_nanos, 3 * kCent);
  EXPECT_EQ((*teams)[0].limit_nanos, 30 * kCent);
  EXPECT_EQ(l.budgets("")->size(), 2u);
  auto report = l.check_invariants();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
}

// DD-04: the server drops the connection between transactions (a restart, a proxy's idle
// cut); the next begin() reconnects once and the operation goes through.
TEST_F(PgLedgerTest, ReconnectsAfterTheServerDropsTheConnection) {
  auto& l = open();
  ASSERT_TRUE(l.reserve(res("a", kCent, {kDay}))->admitted);
  const std::int64_t pid = int_of(l, "SELECT pg_backend_pid()");
  auto admin = pg::Connection::open(base_url_);
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE(admin->exec("SELECT pg_terminate_backend(" + std::to_string(pid) + ")").ok());
  auto b = l.reserve(res("b", kCent, {kDay}));
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_TRUE(b->admitted);
  EXPECT_NE(int_of(l, "SELECT pg_backend_pid()"), pid);
  EXPECT_TRUE(*l.settle(event("b", kCent)));
  expect_invariants(l);
}

// A step that loses the connection mid-transaction fails with a typed, retryable-at-the-edge
// error (503 ledger_unavailable) — never a crash — and the ledger recovers afterwards.
TEST_F(PgLedgerTest, ConnectionLostInsideATransactionIsATypedError) {
  auto& l = open();
  ASSERT_TRUE(l.begin().ok());
  const std::int64_t pid = int_of(l, "SELECT pg_backend_pid()");
  auto admin = pg::Connection::open(base_url_);
  ASSERT_TRUE(admin.ok());
  ASSERT_TRUE(admin->exec("SELECT pg_terminate_backend(" + std::to_string(pid) + ")").ok());
  auto r = l.reserve_step(res("a", kCent, {kDay}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "ledger_unavailable");
  EXPECT_EQ(r.error().kind, ErrorKind::gateway_unavailable);
  l.rollback();
  auto again = l.reserve(res("a", kCent, {kDay}));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->admitted);
  expect_invariants(l);
}

// No cluster needed: a plain test, so ctest does not start one for it.
TEST(PgLedgerOpen, UnreachableDatabaseIsATypedError) {
  auto l = PgLedger::open("postgresql://postgres@127.0.0.1:" + std::to_string(free_port()) +
                          "/gateway?connect_timeout=2");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code, "ledger_unavailable");
  EXPECT_EQ(l.error().kind, ErrorKind::gateway_unavailable);
}

}  // namespace
}  // namespace gw::cost
