// The price table and the integer cost arithmetic: exact decimal parsing, the embedded list
// prices, price history by effective date, reasoning and cache prices, the reservation bound.
#include "cost/pricing.h"

#include <gtest/gtest.h>

#include <random>

namespace gw {
namespace {

std::string table(const std::string& entries) {
  return R"({"currency":"USD","unit":"per_million_tokens","prices":[)" + entries + "]}";
}

TEST(Pricing, DecimalsParseExactlyIntoMicros) {
  EXPECT_EQ(*parse_usd_micros("0.15", "f"), 150000);
  EXPECT_EQ(*parse_usd_micros("2.50", "f"), 2500000);
  EXPECT_EQ(*parse_usd_micros("0.3125", "f"), 312500);
  EXPECT_EQ(*parse_usd_micros("15", "f"), 15000000);
  EXPECT_EQ(*parse_usd_micros("0.1000000", "f"), 100000) << "trailing zeros beyond 6 are fine";
  for (const char* bad : {"", ".5", "5.", "-1", "1e3", " 1", "0.0000001", "1,5"}) {
    auto r = parse_usd_micros(bad, "prices[0].input");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("prices[0].input"), std::string::npos);
  }
}

TEST(Pricing, EmbeddedListPricesLoadAndCoverTheCommonModels) {
  auto prices = load_list_prices();
  ASSERT_TRUE(prices.ok()) << prices.error().message;
  for (auto [provider, model] : {std::pair{"openai", "gpt-4o-mini"},
                                 {"openai", "gpt-4o"},
                                 {"anthropic", "claude-sonnet-4-5"},
                                 {"gemini", "gemini-2.5-flash"}}) {
    EXPECT_NE(prices->find(provider, model), nullptr) << provider << "/" << model;
  }
  const ModelPrice* mini = prices->find("openai", "gpt-4o-mini");
  ASSERT_NE(mini, nullptr);
  EXPECT_EQ(mini->input, 150000);
  EXPECT_EQ(mini->output, 600000);
  EXPECT_EQ(mini->reasoning, mini->output) << "reasoning defaults to the output price";
}

TEST(Pricing, PriceHistoryByEffectiveDate) {
  auto t = parse_price_table(table(
      R"({"provider":"openai","model":"m","input":"1","output":"2","effective_from":"2025-01-01"},)"
      R"({"provider":"openai","model":"m","input":"0.5","output":"1","effective_from":"2025-06-01"},)"
      R"({"provider":"openai","model":"*","input":"9","output":"9","effective_from":"2024-01-01"})"));
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->find("openai", "m")->input, 500000) << "newest by default";
  EXPECT_EQ(t->find("openai", "m", "2025-05-31")->input, 1000000);
  EXPECT_EQ(t->find("openai", "m", "2025-06-01")->input, 500000);
  EXPECT_EQ(t->find("openai", "m", "2024-12-31")->model, "*")
      << "before m had a price: the wildcard";
  EXPECT_EQ(t->find("openai", "m", "2023-01-01"), nullptr);
  EXPECT_EQ(t->find("openai", "m", "2025-01-15")->version(), "openai/m@2025-01-01");
  EXPECT_EQ(t->find("anthropic", "m"), nullptr);
}

TEST(Pricing, RejectsWhatWouldSilentlyMisprice) {
  const char* cases[] = {
      // the same (provider, model, date) twice
      R"({"provider":"p","model":"m","input":"1","output":"1","effective_from":"2025-01-01"},)"
      R"({"provider":"p","model":"m","input":"2","output":"2","effective_from":"2025-01-01"})",
      // a price as a JSON number
      R"({"provider":"p","model":"m","input":0.15,"output":"1","effective_from":"2025-01-01"})",
      // a misspelt field
      R"({"provider":"p","model":"m","input":"1","ouput":"1","effective_from":"2025-01-01"})",
      // a bad date
      R"({"provider":"p","model":"m","input":"1","output":"1","effective_from":"2025-13-01"})",
  };
  for (const char* entries : cases) {
    auto t = parse_price_table(table(entries));
    EXPECT_FALSE(t.ok()) << entries;
    if (!t.ok()) EXPECT_NE(t.error().message.find("prices["), std::string::npos);
  }
}

ModelPrice price() {
  ModelPrice p;
  p.provider = "anthropic";
  p.model = "m";
  p.input = 3000000;        // $3
  p.cached_input = 300000;  // $0.30
  p.cache_write = 3750000;  // $3.75
  p.output = 15000000;      // $15
  p.reasoning = 20000000;   // $20 (a provider that bills thinking apart)
  return p;
}

TEST(Pricing, CostSplitsCacheAndReasoningTokens) {
  Usage u;
  u.input_tokens = 1000;  // all prompt tokens: 600 uncached + 300 read + 100 written
  u.cache_read_tokens = 300;
  u.cache_write_tokens = 100;
  u.output_tokens = 500;  // 200 of them reasoning
  u.reasoning_tokens = 200;
  // picos: 600×3e6 + 300×3e5 + 100×3.75e6 + 300×15e6 + 200×20e6
  const std::int64_t picos =
      600LL * 3000000 + 300LL * 300000 + 100LL * 3750000 + 300LL * 15000000 + 200LL * 20000000;
  EXPECT_EQ(*cost_nanos(u, price()), (picos + 500) / 1000);
}

TEST(Pricing, SubNanoPricesStayExactOverManyTokens) {
  ModelPrice p = price();
  p.input = 312500;  // $0.3125/Mtok = 312.5 n$ per token
  Usage u;
  u.input_tokens = 3;
  EXPECT_EQ(*cost_nanos(u, p), 938);  // 937.5 rounds half up, not 3 × 313
}

TEST(Pricing, OverflowIsAnErrorNotAWrappedBill) {
  Usage u;
  u.output_tokens = std::numeric_limits<std::int64_t>::max() / 2;
  EXPECT_FALSE(cost_nanos(u, price()).ok());
  EXPECT_FALSE(max_cost_nanos(0, std::numeric_limits<std::int64_t>::max() / 2, price()).ok());
}

// The reservation bound holds for every way the same token counts can be split.
TEST(Pricing, MaxCostBoundsEveryUsageSplit) {
  std::mt19937_64 rng(42);
  const ModelPrice p = price();
  for (int i = 0; i < 2000; ++i) {
    const std::int64_t in = static_cast<std::int64_t>(rng() % 100000);
    const std::int64_t out = static_cast<std::int64_t>(rng() % 50000);
    Usage u;
    u.input_tokens = in;
    u.cache_read_tokens = in == 0 ? 0 : static_cast<std::int64_t>(rng() % (in + 1));
    u.cache_write_tokens = static_cast<std::int64_t>(rng() % (in - u.cache_read_tokens + 1));
    u.output_tokens = static_cast<std::int64_t>(rng() % (out + 1));
    u.reasoning_tokens = static_cast<std::int64_t>(rng() % (u.output_tokens + 1));
    ASSERT_LE(*cost_nanos(u, p), *max_cost_nanos(in, out, p)) << i;
  }
  // Tight: all output as reasoning, all input as cache writes.
  Usage worst;
  worst.input_tokens = 1000;
  worst.cache_write_tokens = 1000;
  worst.output_tokens = 100;
  worst.reasoning_tokens = 100;
  EXPECT_EQ(*cost_nanos(worst, p), *max_cost_nanos(1000, 100, p));
}

TEST(Pricing, FormatsNanosExactly) {
  EXPECT_EQ(format_usd_nanos(0), "$0.000000000");
  EXPECT_EQ(format_usd_nanos(12345), "$0.000012345");
  EXPECT_EQ(format_usd_nanos(1500000000), "$1.500000000");
  EXPECT_EQ(format_usd_nanos(-5), "-$0.000000005");
}

}  // namespace
}  // namespace gw
