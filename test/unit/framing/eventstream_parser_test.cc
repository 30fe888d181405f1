// EventStreamParser on hand-built messages: every header value type, both CRC checks, the size
// cap, bad lengths and headers, truncation, and that a failure is sticky. Messages here are
// assembled byte by byte (not with the writer) so the parser is checked independently of it.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "eventstream_test_support.h"
#include "http/framing/crc32.h"

namespace gw::framing_test {
namespace {

std::string u32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// Prelude + raw header bytes + payload + both CRCs, computed here.
std::string assemble(const std::string& headers, const std::string& payload) {
  std::string m = u32(static_cast<std::uint32_t>(16 + headers.size() + payload.size())) +
                  u32(static_cast<std::uint32_t>(headers.size()));
  m += u32(crc32(m));
  m += headers + payload;
  m += u32(crc32(m));
  return m;
}

std::string raw_header(const std::string& name, std::uint8_t type, const std::string& value) {
  return std::string(1, static_cast<char>(name.size())) + name +
         std::string(1, static_cast<char>(type)) + value;
}

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(Crc32, MatchesTheCatalogueCheckValue) {
  // CRC-32/ISO-HDLC check value (CRC RevEng catalogue): crc("123456789") = 0xCBF43926.
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32(""), 0u);
  EXPECT_EQ(crc32("56789", crc32("1234")), 0xCBF43926u);
}

TEST(EventStreamParser, DecodesThePublishedEmptyMessage) {
  // aws-c-event-stream test vector encoded/positive/empty_message.
  const std::string empty = bytes({0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x05, 0xc2, 0x48,
                                   0xeb, 0x7d, 0x98, 0xc8, 0xff});
  const EventStreamRun run = run_eventstream_whole(empty);
  ASSERT_EQ(run.error_code, "");
  ASSERT_EQ(run.messages.size(), 1u);
  EXPECT_TRUE(run.messages[0].headers.empty());
  EXPECT_EQ(run.messages[0].payload, "");
}

TEST(EventStreamParser, RendersEveryHeaderType) {
  std::string h;
  h += raw_header("t", 0, "");
  h += raw_header("f", 1, "");
  h += raw_header("i8", 2, bytes({0xFF}));
  h += raw_header("i16", 3, bytes({0x7F, 0xFF}));
  h += raw_header("i32", 4, bytes({0x80, 0x00, 0x00, 0x00}));
  h += raw_header("i64", 5, bytes({0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2A}));
  h += raw_header("bin", 6, bytes({0x00, 0x03, 0x00, 0xFF, 0x41}));
  h += raw_header(":event-type", 7, bytes({0x00, 0x05}) + "hello");
  h += raw_header("ts", 8, bytes({0x00, 0x00, 0x01, 0x8B, 0xCF, 0xE5, 0x68, 0x00}));
  h += raw_header("id", 9,
                  bytes({0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67,
                         0x89, 0xab, 0xcd, 0xef}));
  const std::string payload = bytes({'{', 0x00, '}'});
  const EventStreamRun run = run_eventstream_whole(assemble(h, payload));
  ASSERT_EQ(run.error_code, "") << run.error_message;
  ASSERT_EQ(run.messages.size(), 1u);
  const EventStreamMessage& m = run.messages[0];
  using T = EventStreamHeaderType;
  const std::vector<EventStreamHeader> expected = {
      {"t", T::boolean_true, "true"},
      {"f", T::boolean_false, "false"},
      {"i8", T::int8, "-1"},
      {"i16", T::int16, "32767"},
      {"i32", T::int32, "-2147483648"},
      {"i64", T::int64, "1099511627818"},
      {"bin", T::bytes, bytes({0x00, 0xFF, 0x41})},
      {":event-type", T::string, "hello"},
      {"ts", T::timestamp, "1700000000000"},
      {"id", T::uuid, "12345678-9abc-def0-0123-456789abcdef"},
  };
  EXPECT_EQ(m.headers, expected);
  EXPECT_EQ(m.payload, payload);
  EXPECT_EQ(m.header(":event-type"), "hello");
  EXPECT_EQ(m.header("i8"), "-1");
  EXPECT_EQ(m.header("absent"), "");
}

TEST(EventStreamParser, SeveralMessagesInOneFeed) {
  const std::string a = bedrock_event("messageStart", R"({"role":"assistant"})");
  const std::string b = bedrock_event("messageStop", R"({"stopReason":"end_turn"})");
  EventStreamParser parser;
  std::vector<EventStreamMessage> out;
  ASSERT_TRUE(parser.feed(a + b, out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].header(":event-type"), "messageStop");
  EXPECT_EQ(out[1].payload, R"({"stopReason":"end_turn"})");
  EXPECT_EQ(parser.buffered(), 0u);
  EXPECT_TRUE(parser.finish(out).ok());
}

TEST(EventStreamParser, CorruptPreludeCrc) {
  std::string m = bedrock_event("messageStart", "{}");
  m[9] ^= 0x01;
  const EventStreamRun run = run_eventstream_whole(m);
  EXPECT_EQ(run.error_code, "eventstream_prelude_crc");
  EXPECT_TRUE(run.messages.empty());
}

TEST(EventStreamParser, CorruptLengthFailsThePreludeCrc) {
  std::string m = bedrock_event("messageStart", "{}");
  m[3] ^= 0x04;  // total length changed, prelude CRC not updated
  EXPECT_EQ(run_eventstream_whole(m).error_code, "eventstream_prelude_crc");
}

TEST(EventStreamParser, CorruptPayloadFailsTheMessageCrc) {
  std::string m = bedrock_event("messageStart", R"({"role":"assistant"})");
  m[m.size() - 6] ^= 0x20;
  const EventStreamRun run = run_eventstream_whole(m);
  EXPECT_EQ(run.error_code, "eventstream_message_crc");
  EXPECT_NE(run.error_message.find("CRC mismatch"), std::string::npos);
}

TEST(EventStreamParser, CorruptMessageCrcItself) {
  std::string m = bedrock_event("messageStart", "{}");
  m.back() ^= 0x01;
  EXPECT_EQ(run_eventstream_whole(m).error_code, "eventstream_message_crc");
}

TEST(EventStreamParser, CorruptHeaderByteFailsTheMessageCrc) {
  std::string m = bedrock_event("messageStart", "{}");
  m[14] ^= 0x01;  // inside the first header name
  EXPECT_EQ(run_eventstream_whole(m).error_code, "eventstream_message_crc");
}

TEST(EventStreamParser, OversizeIsRejectedFromThePreludeAlone) {
  const std::string m = bedrock_event("contentBlockDelta", std::string(200, 'x'));
  EventStreamParser parser(128);
  std::vector<EventStreamMessage> out;
  // The first 12 bytes are enough to know; nothing past the prelude is buffered.
  const Status s = parser.feed(std::string_view(m).substr(0, 12), out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "eventstream_too_large");
  EXPECT_EQ(s.error().kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(parser.buffered(), 0u);
}

TEST(EventStreamParser, CapCountsTheWholeMessage) {
  const std::string m = bedrock_event("messageStart", "{}");
  EXPECT_EQ(run_eventstream_whole(m, m.size()).error_code, "");
  EXPECT_EQ(run_eventstream_whole(m, m.size() - 1).error_code, "eventstream_too_large");
}

TEST(EventStreamParser, TotalLengthBelowTheMinimum) {
  std::string p = u32(15) + u32(0);
  p += u32(crc32(p));
  EXPECT_EQ(run_eventstream_whole(p + "1234").error_code, "eventstream_bad_length");
}

TEST(EventStreamParser, HeadersLongerThanTheMessage) {
  std::string p = u32(20) + u32(5);  // 20 - 16 leaves room for 4 header bytes only
  p += u32(crc32(p));
  EXPECT_EQ(run_eventstream_whole(p + "12345678").error_code, "eventstream_bad_length");
}

TEST(EventStreamParser, BadHeaders) {
  struct Case {
    const char* what;
    std::string headers;
  };
  const Case cases[] = {
      {"empty name", raw_header("", 7, bytes({0, 1}) + "x")},
      {"unknown type", raw_header("x", 10, "")},
      {"name past the end", bytes({9}) + "abc"},
      {"missing type byte", bytes({1}) + "a"},
      {"string length past the end", raw_header("s", 7, bytes({0x00, 0x09}) + "abc")},
      {"string length cut off", raw_header("s", 7, bytes({0x00}))},
      {"int32 cut off", raw_header("i", 4, bytes({0x00, 0x01}))},
      {"uuid cut off", raw_header("u", 9, std::string(15, 'x'))},
  };
  for (const Case& c : cases) {
    const EventStreamRun run = run_eventstream_whole(assemble(c.headers, "{}"));
    EXPECT_EQ(run.error_code, "eventstream_bad_header") << c.what;
    EXPECT_TRUE(run.messages.empty()) << c.what;
  }
}

TEST(EventStreamParser, TruncatedInputIsAnErrorAtFinish) {
  const std::string m = bedrock_event("messageStart", "{}");
  for (std::size_t len : {std::size_t{1}, std::size_t{11}, std::size_t{12}, m.size() - 1}) {
    EventStreamParser parser;
    std::vector<EventStreamMessage> out;
    ASSERT_TRUE(parser.feed(std::string_view(m).substr(0, len), out).ok()) << len;
    EXPECT_EQ(parser.buffered(), len);
    const Status s = parser.finish(out);
    ASSERT_FALSE(s.ok()) << len;
    EXPECT_EQ(s.error().code, "eventstream_truncated");
    EXPECT_TRUE(out.empty());
  }
}

TEST(EventStreamParser, MessagesBeforeAFailureAreKept) {
  std::string bad = bedrock_event("contentBlockDelta", "{}");
  bad.back() ^= 0x55;
  const std::string good = bedrock_event("messageStart", "{}");
  EventStreamParser parser;
  std::vector<EventStreamMessage> out;
  const Status s = parser.feed(good + good + bad + good, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "eventstream_message_crc");
  EXPECT_EQ(out.size(), 2u);
}

TEST(EventStreamParser, FailureIsSticky) {
  std::string bad = bedrock_event("messageStart", "{}");
  bad[8] ^= 0x01;
  const std::string good = bedrock_event("messageStart", "{}");
  EventStreamParser parser;
  std::vector<EventStreamMessage> out;
  ASSERT_FALSE(parser.feed(bad, out).ok());
  const Status again = parser.feed(good, out);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "eventstream_prelude_crc");
  const Status at_end = parser.finish(out);
  ASSERT_FALSE(at_end.ok());
  EXPECT_EQ(at_end.error().code, "eventstream_prelude_crc");
  EXPECT_TRUE(out.empty());
}

TEST(EventStreamParser, ReusableAfterACleanFinish) {
  const std::string m = bedrock_event("messageStart", "{}");
  EventStreamParser parser;
  std::vector<EventStreamMessage> out;
  ASSERT_TRUE(parser.feed(m, out).ok());
  ASSERT_TRUE(parser.finish(out).ok());
  ASSERT_TRUE(parser.feed(m, out).ok());
  ASSERT_TRUE(parser.finish(out).ok());
  EXPECT_EQ(out.size(), 2u);
}

TEST(EventStreamParser, EmptyFeedsChangeNothing) {
  const std::string m = bedrock_event("messageStart", "{}");
  EventStreamParser parser;
  std::vector<EventStreamMessage> out;
  ASSERT_TRUE(parser.feed("", out).ok());
  ASSERT_TRUE(parser.feed(std::string_view(m).substr(0, 5), out).ok());
  ASSERT_TRUE(parser.feed("", out).ok());
  ASSERT_TRUE(parser.feed(std::string_view(m).substr(5), out).ok());
  ASSERT_TRUE(parser.finish(out).ok());
  EXPECT_EQ(out.size(), 1u);
}

}  // namespace
}  // namespace gw::framing_test
