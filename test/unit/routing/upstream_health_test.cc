// The upstream table: one entry per (provider, model, credential, key fingerprint), bounded in
// size however many model names callers invent, with the probe verdict taken at commit.
#include "routing/upstream_health.h"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(UpstreamHealth, SameKeySameEntryAndAReplacedKeyStartsFresh) {
  UpstreamHealth table;
  ProviderSettings s;
  auto a = table.entry("p", "m", 0, 111, s);
  EXPECT_EQ(a, table.entry("p", "m", 0, 111, s));
  EXPECT_NE(a, table.entry("p", "m", 1, 111, s));
  auto replaced = table.entry("p", "m", 0, 222, s);
  EXPECT_NE(a, replaced);
  const auto now = CircuitBreaker::Clock::now();
  a->begin_attempt();
  a->end_attempt(now, UpstreamHealthEntry::Verdict::credential_rejected, false, false,
                 std::chrono::milliseconds(1), now + std::chrono::minutes(5));
  EXPECT_FALSE(a->admit(now).allowed);
  EXPECT_TRUE(replaced->admit(now).allowed) << "the new key does not inherit the old one's rest";
}

TEST(UpstreamHealth, BoundedHoweverManyModelsCallersName) {
  UpstreamHealth table;
  ProviderSettings s;
  auto troubled = table.entry("p", "kept", 0, 1, s);
  const auto now = CircuitBreaker::Clock::now();
  for (int i = 0; i < 5; ++i) {
    troubled->begin_attempt();
    troubled->end_attempt(now, UpstreamHealthEntry::Verdict::failure, false, false,
                          std::chrono::milliseconds(1));
  }
  troubled.reset();
  for (std::size_t i = 0; i < UpstreamHealth::kMaxEntries + 500; ++i) {
    table.entry("p", "model-" + std::to_string(i), 0, 1, s);
  }
  const auto all = table.snapshot();
  EXPECT_LE(all.size(), UpstreamHealth::kMaxEntries);
  bool kept = false;
  for (const auto& e : all) kept = kept || (e.key.model == "kept" && e.state == BreakerState::open);
  EXPECT_TRUE(kept) << "an upstream in trouble is not evicted to make room";
}

TEST(UpstreamHealth, ProbeJudgedAtCommitClosesTheBreaker) {
  UpstreamHealth table;
  ProviderSettings s;
  s.breaker.open = std::chrono::milliseconds(1);
  s.breaker.max_open = std::chrono::milliseconds(1);
  auto e = table.entry("p", "m", 0, 1, s);
  auto t = CircuitBreaker::Clock::now();
  for (int i = 0; i < 5; ++i) {
    e->begin_attempt();
    e->end_attempt(t, UpstreamHealthEntry::Verdict::failure, false, false,
                   std::chrono::milliseconds(1));
  }
  t += std::chrono::milliseconds(10);
  auto probe = e->admit(t);
  ASSERT_TRUE(probe.allowed && probe.probe);
  e->begin_attempt();
  EXPECT_FALSE(e->admit(t).allowed) << "one probe at a time";
  e->probe_succeeded(t);
  EXPECT_EQ(e->snapshot(t).state, BreakerState::closed);
  EXPECT_TRUE(e->admit(t).allowed) << "other traffic flows while the probe's stream goes on";
  e->end_attempt(t, UpstreamHealthEntry::Verdict::success, false, false,
                 std::chrono::milliseconds(1));
}

}  // namespace
}  // namespace gw
