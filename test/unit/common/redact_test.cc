#include "common/redact.h"

#include <gtest/gtest.h>

namespace gw {
namespace {

TEST(Redact, WholeSecretIsReplaced) {
  std::string t = "bad request for key sk-test-upstream-canary-1234 please";
  EXPECT_TRUE(redact_secret(t, "sk-test-upstream-canary-1234"));
  EXPECT_EQ(t, "bad request for key [redacted] please");
}

TEST(Redact, PartialEchoesOfEightOrMoreCharactersAreReplaced) {
  std::string t = "Incorrect API key provided: sk-abcde***wxyz1234.";
  EXPECT_TRUE(redact_secret(t, "sk-abcdefghijklmnopqrstuvwxyz1234"));
  EXPECT_EQ(t.find("sk-abcde"), std::string::npos);
  EXPECT_EQ(t.find("wxyz1234"), std::string::npos);
}

TEST(Redact, ShortOverlapsAndShortSecretsAreLeftAlone) {
  std::string t = "the model gpt-4o was not found";
  EXPECT_FALSE(redact_secret(t, "sk-gpt-4o-xxxxxxxxxx"));  // only "gpt-4o" (6 chars) in common
  EXPECT_EQ(t, "the model gpt-4o was not found");
  std::string u = "short";
  EXPECT_FALSE(redact_secret(u, "short"));
}

}  // namespace
}  // namespace gw
