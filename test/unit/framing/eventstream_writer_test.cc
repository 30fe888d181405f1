// encode_eventstream_message: byte-exact on the published empty message, a round trip through the
// parser for every header type and its extremes, and typed errors for what cannot be framed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "eventstream_test_support.h"

namespace gw::framing_test {
namespace {

using T = EventStreamHeaderType;

Error encode_error(const std::vector<EventStreamHeader>& headers) {
  Result<std::string> r = encode_eventstream_message(headers, "");
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : r.error();
}

TEST(EventStreamWriter, EmptyMessageIsThePublishedVector) {
  // aws-c-event-stream test vector encoded/positive/empty_message.
  const std::string expected("\x00\x00\x00\x10\x00\x00\x00\x00\x05\xc2\x48\xeb\x7d\x98\xc8\xff",
                             16);
  EXPECT_EQ(frame({}, ""), expected);
}

TEST(EventStreamWriter, RoundTripsEveryHeaderTypeAndItsExtremes) {
  const std::vector<EventStreamHeader> headers = {
      {"t", T::boolean_true, "true"},
      {"f", T::boolean_false, "false"},
      {"i8min", T::int8, "-128"},
      {"i8max", T::int8, "127"},
      {"i16min", T::int16, "-32768"},
      {"i16max", T::int16, "32767"},
      {"i32min", T::int32, "-2147483648"},
      {"i32max", T::int32, "2147483647"},
      {"i64min", T::int64, "-9223372036854775808"},
      {"i64max", T::int64, "9223372036854775807"},
      {"bin", T::bytes, std::string("\x00\x01\xff", 3)},
      {"empty", T::string, ""},
      {"s", T::string, std::string(65535, 'z')},
      {"ts", T::timestamp, "1440938160000"},
      {"id", T::uuid, "00000000-0000-0000-0000-000000000000"},
      {"id2", T::uuid, "ffffffff-ffff-ffff-ffff-ffffffffffff"},
      {std::string(255, 'n'), T::string, "long name"},
  };
  const std::string payload("payload\0with NUL", 16);
  const EventStreamRun run = run_eventstream_whole(frame(headers, payload));
  ASSERT_EQ(run.error_code, "") << run.error_message;
  ASSERT_EQ(run.messages.size(), 1u);
  EXPECT_EQ(run.messages[0].headers, headers);
  EXPECT_EQ(run.messages[0].payload, payload);
}

TEST(EventStreamWriter, UppercaseUuidIsAcceptedAndReadBackLowercase) {
  const EventStreamRun run =
      run_eventstream_whole(frame({{"id", T::uuid, "ABCDEF01-2345-6789-ABCD-EF0123456789"}}, ""));
  ASSERT_EQ(run.messages.size(), 1u);
  EXPECT_EQ(run.messages[0].header("id"), "abcdef01-2345-6789-abcd-ef0123456789");
}

TEST(EventStreamWriter, StringPairOverloadWritesStringHeaders) {
  Result<std::string> bytes = encode_eventstream_message(
      std::vector<std::pair<std::string, std::string>>{{":event-type", "messageStop"},
                                                       {":message-type", "event"}},
      R"({"stopReason":"end_turn"})");
  ASSERT_TRUE(bytes.ok());
  const EventStreamRun run = run_eventstream_whole(bytes.value());
  ASSERT_EQ(run.messages.size(), 1u);
  EXPECT_EQ(run.messages[0].headers[0].type, T::string);
  EXPECT_EQ(run.messages[0].header(":event-type"), "messageStop");
  EXPECT_EQ(run.messages[0].payload, R"({"stopReason":"end_turn"})");
}

TEST(EventStreamWriter, RejectsWhatCannotBeFramed) {
  struct Case {
    const char* what;
    EventStreamHeader header;
  };
  const Case cases[] = {
      {"empty name", {"", T::string, "x"}},
      {"name over 255 bytes", {std::string(256, 'n'), T::string, "x"}},
      {"string over 65535 bytes", {"s", T::string, std::string(65536, 'x')}},
      {"bytes over 65535 bytes", {"b", T::bytes, std::string(65536, 'x')}},
      {"int8 out of range", {"i", T::int8, "128"}},
      {"int16 out of range", {"i", T::int16, "-32769"}},
      {"int32 out of range", {"i", T::int32, "2147483648"}},
      {"int64 out of range", {"i", T::int64, "9223372036854775808"}},
      {"not a number", {"i", T::int32, "12a"}},
      {"empty number", {"i", T::timestamp, ""}},
      {"boolean mismatch", {"b", T::boolean_true, "false"}},
      {"uuid too short", {"u", T::uuid, "1234"}},
      {"uuid without dashes", {"u", T::uuid, "123456789abcdef0123456789abcdef01234"}},
      {"uuid bad digit", {"u", T::uuid, "g2345678-9abc-def0-0123-456789abcdef"}},
  };
  for (const Case& c : cases) {
    const Error e = encode_error({c.header});
    EXPECT_EQ(e.kind, ErrorKind::gateway_internal) << c.what;
    EXPECT_EQ(e.code, "eventstream_bad_header") << c.what;
  }
}

}  // namespace
}  // namespace gw::framing_test
