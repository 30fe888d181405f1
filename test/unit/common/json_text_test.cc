#include "common/json_text.h"

#include <limits>
#include <string>

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace gw {
namespace {

std::string escaped(std::string_view s) {
  std::string out;
  json_escape_append(out, s);
  return out;
}

TEST(JsonText, PlainTextIsCopied) {
  EXPECT_EQ(escaped("hello, world"), "hello, world");
}

TEST(JsonText, EscapesQuoteBackslashAndShortControls) {
  EXPECT_EQ(escaped("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(escaped("\n\r\t\b\f"), "\\n\\r\\t\\b\\f");
}

TEST(JsonText, EscapesOtherControlsAsUnicode) {
  EXPECT_EQ(escaped(std::string_view("\0", 1)), "\\u0000");
  EXPECT_EQ(escaped("\x01\x1f"), "\\u0001\\u001f");
  EXPECT_EQ(escaped("\x7f"), "\x7f");  // DEL is legal in JSON strings
}

TEST(JsonText, KeepsUtf8AsIs) {
  EXPECT_EQ(escaped("どういたしまして — ok"), "どういたしまして — ok");
}

TEST(JsonText, AppendsToExistingContent) {
  std::string out = "x=";
  json_quote_append(out, "a\"");
  EXPECT_EQ(out, "x=\"a\\\"\"");
  std::string n;
  json_quote_or_null_append(n, "");
  EXPECT_EQ(n, "null");
}

// Every byte below 0x80 (the ASCII range, where escaping decisions are made) round-trips through
// a real JSON parser.
TEST(JsonText, EveryAsciiByteRoundTripsThroughAParser) {
  std::string all;
  for (int c = 0; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  all += "é漢字😀";
  std::string doc;
  json_quote_append(doc, all);
  boost::json::value v = boost::json::parse(doc);
  ASSERT_TRUE(v.is_string());
  EXPECT_EQ(std::string(v.get_string()), all);
}

TEST(JsonText, Integers) {
  std::string out;
  json_int_append(out, 0);
  out += ',';
  json_int_append(out, -42);
  out += ',';
  json_int_append(out, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(out, "0,-42,-9223372036854775808");
}

}  // namespace
}  // namespace gw
