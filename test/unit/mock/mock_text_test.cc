// Deterministic text helpers of the mock provider: hashing, UTF-8 cuts, chunking, tokens.
#include "mock/mock_text.h"

#include <numeric>

#include <gtest/gtest.h>

namespace gw::mock {
namespace {

std::string join(const std::vector<std::string>& parts) {
  return std::accumulate(parts.begin(), parts.end(), std::string());
}

TEST(MockText, Fnv1aMatchesReferenceVectors) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
  EXPECT_EQ(hex64(0xaf63dc4c8601ec8cULL), "af63dc4c8601ec8c");
  EXPECT_EQ(hex64(1), "0000000000000001");
}

TEST(MockText, Utf8PrefixNeverSplitsACodePoint) {
  const std::string text = "h\xC3\xA9llo \xE2\x82\xAC!";  // "héllo €!"
  EXPECT_EQ(utf8_length(text), 8u);
  EXPECT_EQ(utf8_prefix(text, 2), "h\xC3\xA9");
  EXPECT_EQ(utf8_prefix(text, 7), "h\xC3\xA9llo \xE2\x82\xAC");
  EXPECT_EQ(utf8_prefix(text, 100), text);
  EXPECT_EQ(utf8_prefix(text, 0), "");
}

TEST(MockText, WordsCarryLeadingWhitespaceAndRejoin) {
  const auto words = split_words("Mock reply to:  hi ");
  ASSERT_EQ(words.size(), 4u);
  EXPECT_EQ(words[0], "Mock");
  EXPECT_EQ(words[1], " reply");
  EXPECT_EQ(words[2], " to:");
  EXPECT_EQ(words[3], "  hi ");
  EXPECT_EQ(split_words(" lead").front(), " lead");
  EXPECT_TRUE(split_words("").empty());
}

TEST(MockText, DefaultChunkingIsOnePerWordForShortTexts) {
  const auto chunks = split_chunks("Mock reply to: hello there", 0);
  EXPECT_EQ(chunks, (std::vector<std::string>{"Mock", " reply", " to:", " hello", " there"}));
}

TEST(MockText, DefaultChunkingCapsAtTwentyGroupsOfWholeWords) {
  std::string text;
  for (int i = 0; i < 45; ++i) text += (i ? " w" : "w") + std::to_string(i);
  const auto chunks = split_chunks(text, 0);
  EXPECT_EQ(chunks.size(), kDefaultChunks);
  EXPECT_EQ(join(chunks), text);
  for (const auto& c : chunks) EXPECT_FALSE(c.empty());
}

TEST(MockText, RequestedChunkCountIsHonouredAboveTheWordCount) {
  const auto chunks = split_chunks("ab cd", 4);
  EXPECT_EQ(chunks.size(), 4u);
  EXPECT_EQ(join(chunks), "ab cd");
  // Never more pieces than code points.
  EXPECT_EQ(split_chunks("ab", 10).size(), 2u);
  EXPECT_EQ(split_chunks("one two three", 2), (std::vector<std::string>{"one", " two three"}));
}

TEST(MockText, EvenSplitKeepsMultiByteCharactersWhole) {
  const std::string text = "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC";  // three euro signs
  const auto pieces = split_even(text, 3);
  ASSERT_EQ(pieces.size(), 3u);
  for (const auto& p : pieces) EXPECT_EQ(p, "\xE2\x82\xAC");
}

TEST(MockText, TokensAreCeilCharsOverFourAtLeastOne) {
  EXPECT_EQ(tokens_for_chars(0), 1);
  EXPECT_EQ(tokens_for_chars(1), 1);
  EXPECT_EQ(tokens_for_chars(4), 1);
  EXPECT_EQ(tokens_for_chars(5), 2);
  EXPECT_EQ(tokens_for_chars(30), 8);
}

}  // namespace
}  // namespace gw::mock
