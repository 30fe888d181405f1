// Differential tests: random streams built from the tokens that matter to each framing, fed in
// random pieces, must give exactly what the whole-input reference model (test/fuzz) gives. The
// fuzz targets do the same with coverage guidance; this runs the fixed-seed part in every build.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "../../fuzz/framing_reference.h"
#include "framing_test_support.h"

namespace gw::framing_test {
namespace {

std::string random_stream(std::mt19937& rng, const std::vector<std::string>& tokens,
                          std::size_t max_tokens) {
  std::uniform_int_distribution<std::size_t> count(0, max_tokens);
  std::uniform_int_distribution<std::size_t> pick(0, tokens.size() - 1);
  std::string s;
  for (std::size_t n = count(rng); n > 0; --n) s += tokens[pick(rng)];
  return s;
}

TEST(SseParserReference, RandomStreamsMatchTheReferenceModel) {
  using namespace std::string_literals;
  const std::vector<std::string> tokens = {
      "data", "event",  "id",      "retry", ":",         " ",          "x",
      "yz",   "\r",     "\n",      "\r\n",  "\n\n",      "\0"s,        "\xEF\xBB\xBF",
      "\xEF", "data: ", "event: ", ": c",   "data: v\n", "data:w\r\n", "\n"};
  const std::size_t caps[] = {4, 9, 16, 40, SseParser::kDefaultMaxEventBytes};
  std::size_t events = 0;
  std::size_t failures = 0;
  for (std::uint32_t seed = 1; seed <= 3000; ++seed) {
    std::mt19937 rng(seed);
    const std::string input = random_stream(rng, tokens, 60);
    const std::size_t cap = caps[seed % std::size(caps)];
    const reference::SseOutcome want = reference::parse_sse(input, cap);
    const SseRun got = run_sse(input, random_cuts(input.size(), seed, 8), cap);
    ASSERT_EQ(got.events, want.events)
        << "seed " << seed << " input " << testing::PrintToString(input);
    ASSERT_EQ(!got.error_code.empty(), want.failed) << "seed " << seed;
    ASSERT_EQ(got.comments, want.comments) << "seed " << seed;
    events += want.events.size();
    failures += want.failed ? 1 : 0;
  }
  // The generator must actually reach both outcomes, or this test proves little.
  EXPECT_GT(events, 1000u) << failures;
  EXPECT_GT(failures, 100u);
}

TEST(NdjsonParserReference, RandomStreamsMatchTheReferenceModel) {
  const std::vector<std::string> tokens = {"{", "}", "\"k\":1", " ", "\t", "\r", "\n", "\r\n", "x"};
  const std::size_t caps[] = {3, 8, 20, NdjsonParser::kDefaultMaxLineBytes};
  std::size_t lines = 0;
  std::size_t failures = 0;
  for (std::uint32_t seed = 1; seed <= 3000; ++seed) {
    std::mt19937 rng(seed);
    const std::string input = random_stream(rng, tokens, 60);
    const std::size_t cap = caps[seed % std::size(caps)];
    const reference::NdjsonOutcome want = reference::parse_ndjson(input, cap);
    const NdjsonRun got = run_ndjson(input, random_cuts(input.size(), seed, 8), cap);
    ASSERT_EQ(got.lines, want.lines)
        << "seed " << seed << " input " << testing::PrintToString(input);
    ASSERT_EQ(!got.error_code.empty(), want.failed) << "seed " << seed;
    lines += want.lines.size();
    failures += want.failed ? 1 : 0;
  }
  EXPECT_GT(lines, 1000u);
  EXPECT_GT(failures, 100u);
}

}  // namespace
}  // namespace gw::framing_test
