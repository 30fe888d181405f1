// BedrockStreamDecoder on the recorded ConverseStream body (at every split) and on streams built
// with the event-stream writer: tool calls, reasoning, in-band exceptions, cut-off streams.
#include "wire/bedrock/bedrock_stream_decoder.h"

#include <gtest/gtest.h>

#include "bedrock_test_support.h"
#include "http/framing/eventstream_writer.h"

namespace gw::bedrock {
namespace {

using bedrock_test::decode_stream;
using bedrock_test::dump;
using bedrock_test::fixture;
using bedrock_test::StreamResult;
using T = StreamEvent::Type;

std::string frame(std::vector<std::pair<std::string, std::string>> headers,
                  std::string_view payload) {
  Result<std::string> bytes = encode_eventstream_message(headers, payload);
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? bytes.value() : std::string();
}

std::string event(std::string_view type, std::string_view payload) {
  return frame({{":event-type", std::string(type)},
                {":content-type", "application/json"},
                {":message-type", "event"}},
               payload);
}

std::string exception(std::string_view type, std::string_view payload) {
  return frame({{":exception-type", std::string(type)},
                {":content-type", "application/json"},
                {":message-type", "exception"}},
               payload);
}

StreamResult decode(std::string_view bytes, const std::vector<std::size_t>& cuts = {}) {
  BedrockStreamDecoder decoder;
  return decode_stream(decoder, bytes, cuts);
}

const std::string kEnd = event("messageStop", R"({"p":"ab","stopReason":"end_turn"})") +
                         event("metadata", R"({"metrics":{"latencyMs":1},"p":"abc",
                                              "usage":{"inputTokens":3,"outputTokens":4,"totalTokens":7}})");

TEST(BedrockStreamFixture, DecodesTheRecordedStream) {
  const std::string bytes = fixture("converse-stream.eventstream");
  const StreamResult r = decode(bytes);
  ASSERT_FALSE(r.error) << r.error->message;
  ASSERT_GE(r.events.size(), 4u);
  EXPECT_EQ(r.events.front().type, T::start);
  std::string text;
  for (std::size_t i = 1; i + 2 < r.events.size(); ++i) {
    EXPECT_EQ(r.events[i].type, T::text_delta) << i;
    text += r.events[i].text;
  }
  EXPECT_TRUE(text.starts_with("The capital of France is Paris. Paris is not only the capital"))
      << text;
  EXPECT_TRUE(text.ends_with("City of Love.\"")) << text;
  const StreamEvent& finish = r.events[r.events.size() - 2];
  EXPECT_EQ(finish.type, T::finish);
  EXPECT_EQ(finish.finish, FinishReason::stop);
  const StreamEvent& usage = r.events.back();
  EXPECT_EQ(usage.type, T::usage);
  EXPECT_TRUE(usage.usage.present);
  EXPECT_EQ(usage.usage.input_tokens, 13);
  EXPECT_EQ(usage.usage.output_tokens, 82);
  // 33 messages: start, 29 deltas, block stop, message stop, metadata.
  EXPECT_EQ(r.events.size(), 1u + 29u + 2u);
}

TEST(BedrockStreamFixture, SameEventsAtEverySplit) {
  const std::string bytes = fixture("converse-stream.eventstream");
  const std::string whole = dump(decode(bytes).events);
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
    const StreamResult r = decode(bytes, {cut});
    ASSERT_FALSE(r.error) << "cut " << cut;
    ASSERT_EQ(dump(r.events), whole) << "cut " << cut;
  }
}

TEST(BedrockStreamFixture, SameEventsByteByByte) {
  const std::string bytes = fixture("converse-stream.eventstream");
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < bytes.size(); ++i) every.push_back(i);
  const StreamResult r = decode(bytes, every);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(dump(r.events), dump(decode(bytes).events));
}

TEST(BedrockStreamFixture, CutOffAnywhereIsInterrupted) {
  const std::string bytes = fixture("converse-stream.eventstream");
  for (std::size_t len = 0; len < bytes.size(); len += 37) {
    const StreamResult r = decode(bytes.substr(0, len));
    ASSERT_TRUE(r.error) << len;
    EXPECT_EQ(r.error->kind, ErrorKind::provider_stream_interrupted) << len;
  }
}

TEST(BedrockStream, ParallelToolCallsAreNumberedInOrder) {
  const std::string bytes =
      event("messageStart", R"({"role":"assistant"})") +
      event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Checking."}})") +
      event("contentBlockStop", R"({"contentBlockIndex":0})") +
      event("contentBlockStart",
            R"({"contentBlockIndex":1,"start":{"toolUse":{"toolUseId":"tu_a","name":"f"}}})") +
      event("contentBlockDelta",
            R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"x\":"}}})") +
      event("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"1}"}}})") +
      event("contentBlockStop", R"({"contentBlockIndex":1})") +
      event("contentBlockStart",
            R"({"contentBlockIndex":2,"start":{"toolUse":{"toolUseId":"tu_b","name":"g"}}})") +
      event("contentBlockDelta", R"({"contentBlockIndex":2,"delta":{"toolUse":{"input":""}}})") +
      event("contentBlockDelta", R"({"contentBlockIndex":2,"delta":{"toolUse":{"input":"{}"}}})") +
      event("contentBlockStop", R"({"contentBlockIndex":2})") +
      event("messageStop", R"({"stopReason":"tool_use"})") +
      event("metadata", R"({"usage":{"inputTokens":10,"outputTokens":20,"totalTokens":30,
                                     "cacheReadInputTokens":5}})");
  const StreamResult r = decode(bytes);
  ASSERT_FALSE(r.error) << r.error->message;
  std::vector<StreamEvent> expected(9);
  expected[0].type = T::start;
  expected[1].type = T::text_delta;
  expected[1].text = "Checking.";
  expected[2] = {T::tool_call_start, 0, "", "tu_a", "f"};
  expected[3] = {T::tool_call_delta, 0, "{\"x\":"};
  expected[4] = {T::tool_call_delta, 0, "1}"};
  expected[5] = {T::tool_call_start, 1, "", "tu_b", "g"};
  expected[6] = {T::tool_call_delta, 1, "{}"};
  expected[7].type = T::finish;
  expected[7].finish = FinishReason::tool_calls;
  expected[8].type = T::usage;
  expected[8].usage = {15, 20, 5, 0, 0, true};
  EXPECT_EQ(dump(r.events), dump(expected));
}

TEST(BedrockStream, ReasoningDeltas) {
  const std::string bytes =
      event("messageStart", R"({"role":"assistant"})") +
      event("contentBlockDelta",
            R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"Hmm"}}})") +
      event("contentBlockDelta",
            R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"sig"}}})") +
      event("contentBlockStop", R"({"contentBlockIndex":0})") +
      event("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"text":"Yes"}})") + kEnd;
  const StreamResult r = decode(bytes);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.events.size(), 5u);
  EXPECT_EQ(r.events[1].type, T::reasoning_delta);
  EXPECT_EQ(r.events[1].text, "Hmm");
  EXPECT_EQ(r.events[2].type, T::text_delta);
}

TEST(BedrockStream, InBandExceptionKeepsEarlierEvents) {
  const std::string bytes =
      event("messageStart", R"({"role":"assistant"})") +
      event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Hel"}})") +
      exception("throttlingException",
                R"({"message":"Too many tokens, please wait before trying again."})");
  BedrockStreamDecoder decoder;
  std::vector<StreamEvent> out;
  const Status s = decoder.feed(bytes, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(s.error().message, "Too many tokens, please wait before trying again.");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].text, "Hel");
  // Sticky.
  const Status again = decoder.finish(out);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::provider_rate_limited);
}

TEST(BedrockStream, ExceptionKinds) {
  const std::pair<const char*, ErrorKind> cases[] = {
      {"modelStreamErrorException", ErrorKind::provider_server_error},
      {"internalServerException", ErrorKind::provider_server_error},
      {"serviceUnavailableException", ErrorKind::provider_unavailable},
      {"validationException", ErrorKind::provider_invalid_request},
  };
  for (const auto& [type, kind] : cases) {
    const StreamResult r = decode(exception(type, R"({"message":"x"})"));
    ASSERT_TRUE(r.error) << type;
    EXPECT_EQ(r.error->kind, kind) << type;
  }
}

TEST(BedrockStream, ErrorMessageType) {
  const StreamResult r = decode(frame({{":message-type", "error"},
                                       {":error-code", "InternalFailure"},
                                       {":error-message", "We encountered an internal error."}},
                                      ""));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->kind, ErrorKind::provider_server_error);
  EXPECT_EQ(r.error->message, "We encountered an internal error.");
}

TEST(BedrockStream, MalformedPayloadIsABadResponse) {
  const StreamResult r = decode(event("messageStart", R"({"role":"assistant"})") +
                                event("contentBlockDelta", "{\"contentBlockIndex\": broken"));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(r.events.size(), 1u);
}

TEST(BedrockStream, CorruptFrameIsABadResponse) {
  std::string bytes = event("messageStart", R"({"role":"assistant"})");
  bytes[bytes.size() - 8] ^= 0x01;
  const StreamResult r = decode(bytes);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(r.error->code, "eventstream_message_crc");
}

TEST(BedrockStream, MissingTerminalEvents) {
  const std::string start = event("messageStart", R"({"role":"assistant"})");
  const StreamResult no_stop = decode(start);
  ASSERT_TRUE(no_stop.error);
  EXPECT_EQ(no_stop.error->kind, ErrorKind::provider_stream_interrupted);
  const StreamResult no_metadata =
      decode(start + event("messageStop", R"({"stopReason":"end_turn"})"));
  ASSERT_TRUE(no_metadata.error);
  EXPECT_EQ(no_metadata.error->kind, ErrorKind::provider_stream_interrupted);
  EXPECT_NE(no_metadata.error->message.find("metadata"), std::string::npos);
}

TEST(BedrockStream, UnknownEventsAreSkippedAndNothingAfterMetadataCounts) {
  const StreamResult r = decode(event("messageStart", "{}") + event("somethingNew", R"({"x":1})") +
                                kEnd + event("contentBlockDelta", R"({"delta":{"text":"late"}})"));
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[2].usage.input_tokens, 3);
}

TEST(BedrockStream, ToolDeltaWithoutStartIsABadResponse) {
  const StreamResult r = decode(
      event("contentBlockDelta", R"({"contentBlockIndex":4,"delta":{"toolUse":{"input":"{"}}})"));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->kind, ErrorKind::provider_bad_response);
}

TEST(BedrockStream, UnknownMessageTypeIsABadResponse) {
  const StreamResult r = decode(frame({{":message-type", "surprise"}}, "{}"));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->kind, ErrorKind::provider_bad_response);
}

}  // namespace
}  // namespace gw::bedrock
