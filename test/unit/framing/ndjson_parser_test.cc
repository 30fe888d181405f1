// Behaviour of NdjsonParser: line splitting, CRLF, blank lines, the line cap and finish(); every
// case is also fed split at every byte offset.
#include "http/framing/ndjson_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "framing_test_support.h"

namespace gw::framing_test {
namespace {

using Lines = std::vector<std::string>;

void expect_lines_any_split(std::string_view input, const Lines& expected,
                            std::size_t cap = NdjsonParser::kDefaultMaxLineBytes) {
  const NdjsonRun whole = run_ndjson(input, {}, cap);
  EXPECT_EQ(whole.error_code, "");
  EXPECT_EQ(whole.lines, expected);
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    ASSERT_EQ(run_ndjson(input, {cut}, cap), whole) << "cut at " << cut;
  }
  EXPECT_EQ(run_ndjson(input, every_byte(input.size()), cap), whole);
}

void expect_too_large_any_split(std::string_view input, std::size_t cap, const Lines& before) {
  const NdjsonRun whole = run_ndjson(input, {}, cap);
  EXPECT_EQ(whole.error_code, "ndjson_line_too_large");
  EXPECT_EQ(whole.error_message, "NDJSON line exceeds " + std::to_string(cap) + " bytes");
  EXPECT_EQ(whole.lines, before);
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    ASSERT_EQ(run_ndjson(input, {cut}, cap), whole) << "cut at " << cut;
  }
  EXPECT_EQ(run_ndjson(input, every_byte(input.size()), cap), whole);
}

TEST(NdjsonParser, SplitsOnNewline) {
  expect_lines_any_split("{\"a\":1}\n{\"b\":2}\n", {"{\"a\":1}", "{\"b\":2}"});
}

TEST(NdjsonParser, StripsOneTrailingCr) {
  expect_lines_any_split("{\"a\":1}\r\n{\"b\":2}\r\n", {"{\"a\":1}", "{\"b\":2}"});
  // Only the CR of the terminator goes; a CR inside a line is the line's business.
  expect_lines_any_split("a\rb\r\r\n", {"a\rb\r"});
}

TEST(NdjsonParser, SkipsBlankAndWhitespaceOnlyLines) {
  expect_lines_any_split("\n\n{}\n  \n\t\r\n\r\n \t \n[1]\n\n", {"{}", "[1]"});
  expect_lines_any_split("\n\r\n \n", {});
  expect_lines_any_split("", {});
}

TEST(NdjsonParser, KeepsLeadingAndInnerWhitespace) {
  expect_lines_any_split("  {\"a\": 1}  \n", {"  {\"a\": 1}  "});
}

TEST(NdjsonParser, FinishEmitsAnUnterminatedLastLine) {
  expect_lines_any_split("{\"a\":1}\n{\"done\":true}", {"{\"a\":1}", "{\"done\":true}"});
  expect_lines_any_split("{\"done\":true}\r", {"{\"done\":true}"});
  expect_lines_any_split("{}\n   ", {"{}"});

  NdjsonParser parser;
  Lines out;
  ASSERT_TRUE(parser.feed("{\"a\":1}\n{\"b\"", out).ok());
  EXPECT_EQ(out, Lines{"{\"a\":1}"}) << "the unterminated line waits for more bytes";
  ASSERT_TRUE(parser.feed(":2}", out).ok());
  ASSERT_TRUE(parser.finish(out).ok());
  EXPECT_EQ(out, (Lines{"{\"a\":1}", "{\"b\":2}"}));
  ASSERT_TRUE(parser.finish(out).ok());
  EXPECT_EQ(out.size(), 2u) << "a second finish() has nothing left";
  ASSERT_TRUE(parser.feed("{\"c\":3}\n", out).ok());
  EXPECT_EQ(out.back(), "{\"c\":3}");
}

TEST(NdjsonParser, OutputIsAppendedToNotCleared) {
  NdjsonParser parser;
  Lines out = {"old"};
  ASSERT_TRUE(parser.feed("new\n", out).ok());
  EXPECT_EQ(out, (Lines{"old", "new"}));
}

TEST(NdjsonParserCap, LineExactlyAtTheCapIsAccepted) {
  expect_lines_any_split("0123456789\n", {"0123456789"}, 10);
  expect_lines_any_split("0123456789\r\n", {"0123456789"}, 10);  // the CR is the terminator's
  expect_lines_any_split("0123456789\r", {"0123456789"}, 10);    // ... also at end of input
  expect_lines_any_split("0123456789", {"0123456789"}, 10);
}

TEST(NdjsonParserCap, OneByteOverTheCapFails) {
  expect_too_large_any_split("0123456789a\n", 10, {});
  expect_too_large_any_split("0123456789a", 10, {});
  expect_too_large_any_split("0123456789a\r\n", 10, {});
  expect_too_large_any_split("0123456789\r\r\n", 10, {});  // one CR is content
  expect_too_large_any_split("0123456789\rx", 10, {});
}

TEST(NdjsonParserCap, LinesBeforeTheOversizedOneAreDelivered) {
  expect_too_large_any_split("{}\n[1]\n" + std::string(11, 'x') + "\n{}\n", 10, {"{}", "[1]"});
  // A whitespace-only line is still a line the peer made us buffer.
  expect_too_large_any_split("{}\n" + std::string(11, ' ') + "\n", 10, {"{}"});
}

TEST(NdjsonParserCap, UnterminatedLineFailsBeforeItsNewlineArrives) {
  NdjsonParser parser(8);
  Lines out;
  ASSERT_TRUE(parser.feed("12345678", out).ok());
  ASSERT_TRUE(parser.feed("\r", out).ok()) << "may still be the CR of a CRLF";
  const Status s = parser.feed("9", out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(s.error().code, "ndjson_line_too_large");
}

TEST(NdjsonParserCap, FailureIsSticky) {
  NdjsonParser parser(4);
  Lines out;
  ASSERT_FALSE(parser.feed("12345\n", out).ok());
  const Status again = parser.feed("{}\n", out);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "ndjson_line_too_large");
  EXPECT_EQ(again.error().message, "NDJSON line exceeds 4 bytes");
  EXPECT_FALSE(parser.finish(out).ok());
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace gw::framing_test
