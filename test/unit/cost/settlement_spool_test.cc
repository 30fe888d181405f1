// The local spool a PostgreSQL ledger's settlements wait in while it is unreachable (DD-04): what
// goes in comes out whole, oldest first, survives a reopen, and leaves only when removed.
#include "cost/settlement_spool.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

namespace gw::cost {
namespace {

namespace fs = std::filesystem;

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ep-spool-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "spool.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string url_;
};

CostEvent sample(std::string id) {
  CostEvent e;
  e.request_id = std::move(id);
  e.attempt = 2;
  e.ts_ms = 1'764'000'000'123;
  e.persona = "dev";
  e.team = "core";
  e.project = "p \"quoted\"";
  e.key_name = "k1";
  e.provider = "openai";
  e.model = "gpt-4o-mini";
  e.input_tokens = 11;
  e.output_tokens = 22;
  e.cache_read_tokens = 3;
  e.cache_write_tokens = 4;
  e.reasoning_tokens = 5;
  e.cost_nanos = 123'456'789'012;
  e.price_version = "openai/gpt-4o-mini@2024-07-18";
  e.outcome = "ok";
  e.settlement_reason = "usage";
  e.held_reservation = true;
  return e;
}

TEST_F(SpoolTest, KeepsEventsWholeAndInOrderAcrossAReopen) {
  {
    auto spool = SettlementSpool::open(url_);
    ASSERT_TRUE(spool.ok()) << spool.error().message;
    ASSERT_TRUE((*spool)->add(sample("a"), 1).ok());
    ASSERT_TRUE((*spool)->add(sample("b"), 2).ok());
  }
  auto spool = SettlementSpool::open(url_);
  ASSERT_TRUE(spool.ok());
  EXPECT_EQ(*(*spool)->size(), 2);
  auto due = (*spool)->oldest(10);
  ASSERT_TRUE(due.ok()) << due.error().message;
  ASSERT_EQ(due->size(), 2u);
  const CostEvent& a = (*due)[0].second;
  const CostEvent want = sample("a");
  EXPECT_EQ(a.request_id, "a");
  EXPECT_EQ(a.attempt, want.attempt);
  EXPECT_EQ(a.ts_ms, want.ts_ms);
  EXPECT_EQ(a.project, want.project);
  EXPECT_EQ(a.cache_write_tokens, want.cache_write_tokens);
  EXPECT_EQ(a.cost_nanos, want.cost_nanos);
  EXPECT_EQ(a.price_version, want.price_version);
  EXPECT_EQ(a.settlement_reason, want.settlement_reason);
  EXPECT_TRUE(a.held_reservation);
  EXPECT_EQ((*due)[1].second.request_id, "b");
  ASSERT_TRUE((*spool)->remove({(*due)[0].first}).ok());
  EXPECT_EQ(*(*spool)->size(), 1);
  EXPECT_EQ((*spool)->oldest(10)->front().second.request_id, "b");
}

TEST_F(SpoolTest, AnUnreadableEntryIsDroppedInsteadOfBlockingTheRest) {
  auto spool = SettlementSpool::open(url_);
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE((*spool)->add(sample("good"), 1).ok());
  {
    auto db = storage::SqliteDb::open(url_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(
        db->exec("INSERT INTO settlement_spool (id, spooled_ms, event) VALUES (0, 0, 'x')").ok());
  }
  auto due = (*spool)->oldest(10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().second.request_id, "good");
  EXPECT_EQ(*(*spool)->size(), 1);
}

}  // namespace
}  // namespace gw::cost
