// BedrockStreamEncoder (the mock's ConverseStream renderer): its bytes decode back to the events it
// was given, in Bedrock's message layout, with padding, and errors become exception messages.
#include "wire/bedrock/bedrock_stream_encoder.h"

#include <gtest/gtest.h>

#include <set>

#include "bedrock_test_support.h"
#include "http/framing/eventstream_parser.h"
#include "wire/bedrock/bedrock_stream_decoder.h"

namespace gw::bedrock {
namespace {

using bedrock_test::decode_stream;
using bedrock_test::dump;
using T = StreamEvent::Type;

std::vector<EventStreamMessage> frames(std::string_view bytes) {
  EventStreamParser parser;
  std::vector<EventStreamMessage> out;
  EXPECT_TRUE(parser.feed(bytes, out).ok());
  EXPECT_TRUE(parser.finish(out).ok());
  return out;
}

std::vector<StreamEvent> sample_events() {
  std::vector<StreamEvent> ev(10);
  ev[0].type = T::start;
  ev[1] = {T::reasoning_delta, 0, "Think"};
  ev[2] = {T::text_delta, 0, "Hello"};
  ev[3] = {T::text_delta, 0, " there \"friend\""};
  ev[4] = {T::tool_call_start, 0, "", "tooluse_a", "f"};
  ev[5] = {T::tool_call_delta, 0, "{\"a\":"};
  ev[6] = {T::tool_call_delta, 0, "1}"};
  ev[7] = {T::tool_call_start, 1, "", "tooluse_b", "g"};
  ev[8].type = T::finish;
  ev[8].finish = FinishReason::tool_calls;
  ev[9].type = T::usage;
  ev[9].usage = {30, 7, 10, 0, 0, true};
  return ev;
}

std::string encode_all(const std::vector<StreamEvent>& events, bool end = true) {
  BedrockStreamEncoder enc(12);
  std::string out;
  for (const StreamEvent& e : events) enc.event(e, out);
  if (end) enc.end(out);
  return out;
}

TEST(BedrockStreamEncoder, RoundTripsThroughTheDecoder) {
  const std::vector<StreamEvent> events = sample_events();
  BedrockStreamDecoder decoder;
  const bedrock_test::StreamResult r = decode_stream(decoder, encode_all(events));
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(dump(r.events), dump(events));
}

TEST(BedrockStreamEncoder, MessageLayoutIsBedrocks) {
  const std::vector<EventStreamMessage> m = frames(encode_all(sample_events()));
  std::vector<std::string> types;
  for (const EventStreamMessage& msg : m) {
    EXPECT_EQ(msg.header(":message-type"), "event");
    EXPECT_EQ(msg.header(":content-type"), "application/json");
    EXPECT_NE(msg.payload.find(R"("p":")"), std::string::npos) << msg.payload;
    types.emplace_back(msg.header(":event-type"));
  }
  const std::vector<std::string> expected = {
      "messageStart",      "contentBlockDelta", "contentBlockStop",  "contentBlockDelta",
      "contentBlockDelta", "contentBlockStop",  "contentBlockStart", "contentBlockDelta",
      "contentBlockDelta", "contentBlockStop",  "contentBlockStart", "contentBlockStop",
      "messageStop",       "metadata"};
  EXPECT_EQ(types, expected);
  EXPECT_EQ(
      m[4].payload.rfind(R"({"contentBlockIndex":1,"delta":{"text":" there \"friend\""},)", 0), 0u)
      << m[4].payload;
  EXPECT_NE(m.back().payload.find(R"("metrics":{"latencyMs":12})"), std::string::npos);
  EXPECT_NE(m.back().payload.find(R"("usage":{"inputTokens":20,"outputTokens":7)"),
            std::string::npos)
      << m.back().payload;
}

TEST(BedrockStreamEncoder, PaddingIsDeterministicAndVaries) {
  EXPECT_EQ(encode_all(sample_events()), encode_all(sample_events()));
  std::set<std::size_t> lengths;
  for (const EventStreamMessage& msg : frames(encode_all(sample_events()))) {
    const std::size_t at = msg.payload.find(R"("p":")") + 5;
    lengths.insert(msg.payload.find('"', at) - at);
  }
  EXPECT_GT(lengths.size(), 3u);
}

TEST(BedrockStreamEncoder, EndCompletesAStreamWithoutFinishOrUsage) {
  std::vector<StreamEvent> events(2);
  events[0].type = T::start;
  events[1] = {T::text_delta, 0, "partial"};
  BedrockStreamDecoder decoder;
  const bedrock_test::StreamResult r = decode_stream(decoder, encode_all(events));
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[2].type, T::finish);
  EXPECT_EQ(r.events[2].finish, FinishReason::stop);
  // Without end() the stream is incomplete, as a dropped connection would be.
  BedrockStreamDecoder cut;
  const bedrock_test::StreamResult c = decode_stream(cut, encode_all(events, false));
  ASSERT_TRUE(c.error);
  EXPECT_EQ(c.error->kind, ErrorKind::provider_stream_interrupted);
}

TEST(BedrockStreamEncoder, ErrorsBecomeExceptionMessages) {
  const std::pair<ErrorKind, ErrorKind> cases[] = {
      {ErrorKind::provider_rate_limited, ErrorKind::provider_rate_limited},
      {ErrorKind::provider_overloaded, ErrorKind::provider_unavailable},
      {ErrorKind::provider_invalid_request, ErrorKind::provider_invalid_request},
      {ErrorKind::gateway_internal, ErrorKind::provider_server_error},
  };
  for (const auto& [sent, read] : cases) {
    BedrockStreamEncoder enc;
    std::string out;
    enc.error(Error::make(sent, "it broke"), out);
    const std::vector<EventStreamMessage> m = frames(out);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].header(":message-type"), "exception");
    BedrockStreamDecoder decoder;
    const bedrock_test::StreamResult r = decode_stream(decoder, out);
    ASSERT_TRUE(r.error);
    EXPECT_EQ(r.error->kind, read) << name(sent);
    EXPECT_EQ(r.error->message, "it broke");
  }
}

}  // namespace
}  // namespace gw::bedrock
