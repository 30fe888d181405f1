// RFC 3339 parsing and formatting for key expiry times, and the base64url the key secret uses.
#include "keys/key_time.h"

#include <gtest/gtest.h>

#include "keys/key_token.h"

namespace gw::keys {
namespace {

TEST(KeyTime, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_rfc3339("2026-11-26T14:18:53Z"), 1795702733000);
  EXPECT_EQ(parse_rfc3339("2026-11-26T15:18:53.250+01:00"), 1795702733250);
  EXPECT_EQ(parse_rfc3339("2026-11-26t14:18:53z"), 1795702733000);
  EXPECT_EQ(parse_rfc3339("2024-02-29T00:00:00-00:30"), 1709166600000);
}

TEST(KeyTime, RejectsWhatIsNotADateTime) {
  EXPECT_FALSE(parse_rfc3339(""));
  EXPECT_FALSE(parse_rfc3339("2026-11-26"));
  EXPECT_FALSE(parse_rfc3339("2026-11-26T14:18:53"));  // no zone
  EXPECT_FALSE(parse_rfc3339("2026-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2025-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-26T24:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-11-26T14:18:53Zjunk"));
  EXPECT_FALSE(parse_rfc3339("2026-11-26T14:18:53.Z"));
}

TEST(KeyTime, FormatsWholeSecondsUtc) {
  EXPECT_EQ(format_rfc3339(1795702733250), "2026-11-26T14:18:53Z");
  EXPECT_EQ(parse_rfc3339(format_rfc3339(1795702733000)), 1795702733000);
}

TEST(KeyToken, Base64UrlMatchesRfc4648Vectors) {
  EXPECT_EQ(base64url(""), "");
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("fo"), "Zm8");
  EXPECT_EQ(base64url("foo"), "Zm9v");
  EXPECT_EQ(base64url("foob"), "Zm9vYg");
  EXPECT_EQ(base64url("\xfb\xff"), "-_8");
}

}  // namespace
}  // namespace gw::keys
