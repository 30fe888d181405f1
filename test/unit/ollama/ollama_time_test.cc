// created_at timestamps: Go's RFC 3339 output with fractions and offsets, and what is not one.
#include <gtest/gtest.h>

#include "wire/ollama/ollama_time.h"

namespace gw {
namespace {

using ollama::format_created_at;
using ollama::parse_created_at;

TEST(OllamaTime, ParsesGoTimestamps) {
  EXPECT_EQ(parse_created_at("2023-12-12T14:13:43.416799Z"), 1702390423);
  EXPECT_EQ(parse_created_at("2025-02-11T15:33:28.0907887Z"), 1739288008);
  EXPECT_EQ(parse_created_at("2023-11-14T22:13:20Z"), 1700000000);
  EXPECT_EQ(parse_created_at("2023-11-15T00:13:20.5+02:00"), 1700000000);
  EXPECT_EQ(parse_created_at("2023-11-14T15:13:20-07:00"), 1700000000);
  EXPECT_EQ(parse_created_at("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_created_at("2000-02-29T00:00:00Z"), 951782400);
}

TEST(OllamaTime, AnythingElseIsZero) {
  for (const char* bad :
       {"", "2023-12-12", "2023-12-12T14:13:43", "2023-12-12 14:13:43Z", "2023-13-12T14:13:43Z",
        "2023-12-12T14:13:43.Z", "2023-12-12T14:13:43Zjunk", "yesterday"}) {
    EXPECT_EQ(parse_created_at(bad), 0) << bad;
  }
}

TEST(OllamaTime, FormatsAndRoundTrips) {
  EXPECT_EQ(format_created_at(1700000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(format_created_at(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_created_at(-1), "1969-12-31T23:59:59Z");
  for (std::int64_t t : {951782400LL, 1702390423LL, 4102444800LL}) {
    EXPECT_EQ(parse_created_at(format_created_at(t)), t) << t;
  }
}

}  // namespace
}  // namespace gw
