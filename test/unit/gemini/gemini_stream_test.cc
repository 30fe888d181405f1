// Gemini SSE streams: the recorded fixtures decoded at every byte split, stream failures, and the
// ingress stream encoder round-tripped through the decoder.
#include <gtest/gtest.h>

#include "gemini_test_util.h"
#include "wire/gemini/gemini_stream_encoder.h"

namespace gw::gemini {
namespace {

using test::decode_gemini_sse;
using test::dump;
using test::gemini_fixture;
using test::str;

std::string joined(const std::vector<StreamEvent>& events, StreamEvent::Type type) {
  std::string out;
  for (const auto& e : events) {
    if (e.type == type) out += e.text;
  }
  return out;
}

// Every split point gives the same events as the whole body at once.
void expect_split_invariant(const std::string& body) {
  const auto whole = decode_gemini_sse(body);
  ASSERT_TRUE(whole.error.empty()) << whole.error;
  for (std::size_t step = 1; step <= body.size(); step += (step < 64 ? 1 : 97)) {
    const auto split = decode_gemini_sse(body, step);
    ASSERT_TRUE(split.error.empty()) << "step " << step << ": " << split.error;
    ASSERT_EQ(str(dump(split.events)), str(dump(whole.events))) << "step " << step;
  }
}

TEST(GeminiStream, TextFixtureDecodes) {
  const std::string body = gemini_fixture("stream-generate-content.sse");
  ASSERT_NE(body.find("\r\n\r\n"), std::string::npos);  // Gemini's CRLF framing
  const auto s = decode_gemini_sse(body);
  ASSERT_TRUE(s.error.empty()) << s.error;
  ASSERT_FALSE(s.events.empty());
  EXPECT_EQ(s.events.front().type, StreamEvent::Type::start);
  EXPECT_EQ(s.events.front().name, "gemini-2.0-flash");
  EXPECT_EQ(joined(s.events, StreamEvent::Type::text_delta),
            "The capital of Wyoming is **Cheyenne**.\n");
  ASSERT_GE(s.events.size(), 2u);
  const StreamEvent& fin = s.events[s.events.size() - 2];
  const StreamEvent& usage = s.events.back();
  EXPECT_EQ(fin.type, StreamEvent::Type::finish);
  EXPECT_EQ(fin.finish, FinishReason::stop);
  ASSERT_EQ(usage.type, StreamEvent::Type::usage);
  EXPECT_EQ(usage.usage.input_tokens, 7);
  EXPECT_EQ(usage.usage.output_tokens, 10);
  EXPECT_TRUE(usage.usage.present);
  // Exactly one usage event although every record carried usageMetadata.
  EXPECT_EQ(std::count_if(s.events.begin(), s.events.end(),
                          [](const StreamEvent& e) { return e.type == StreamEvent::Type::usage; }),
            1);
}

TEST(GeminiStream, TextFixtureIsSplitInvariant) {
  expect_split_invariant(gemini_fixture("stream-generate-content.sse"));
}

TEST(GeminiStream, FunctionCallFixtureDecodes) {
  const auto s = decode_gemini_sse(gemini_fixture("stream-generate-content-function-call.sse"));
  ASSERT_TRUE(s.error.empty()) << s.error;
  ASSERT_EQ(s.events.size(), 7u) << str(dump(s.events));
  EXPECT_EQ(s.events[0].type, StreamEvent::Type::start);
  EXPECT_EQ(s.events[0].id, "48SHaPHpHKbG-8YPtZCawAk");
  EXPECT_EQ(s.events[0].name, "gemini-2.5-flash");
  EXPECT_EQ(s.events[1].type, StreamEvent::Type::reasoning_delta);
  EXPECT_EQ(s.events[1].text.rfind("**Calculating the Days**", 0), 0u);
  EXPECT_EQ(s.events[2].type, StreamEvent::Type::reasoning_delta);
  EXPECT_EQ(s.events[3].type, StreamEvent::Type::tool_call_start);
  EXPECT_EQ(s.events[3].index, 0);
  EXPECT_EQ(s.events[3].id, "call_0");
  EXPECT_EQ(s.events[3].name, "now");
  EXPECT_EQ(s.events[4].type, StreamEvent::Type::tool_call_delta);
  EXPECT_EQ(s.events[4].index, 0);
  EXPECT_EQ(s.events[4].text, "{}");
  EXPECT_EQ(s.events[5].type, StreamEvent::Type::finish);
  EXPECT_EQ(s.events[5].finish, FinishReason::tool_calls);
  EXPECT_EQ(s.events[6].type, StreamEvent::Type::usage);
  EXPECT_EQ(s.events[6].usage.input_tokens, 38);
  EXPECT_EQ(s.events[6].usage.output_tokens, 6 + 168);
  EXPECT_EQ(s.events[6].usage.reasoning_tokens, 168);
}

TEST(GeminiStream, FunctionCallFixtureIsSplitInvariant) {
  expect_split_invariant(gemini_fixture("stream-generate-content-function-call.sse"));
}

TEST(GeminiStream, EndWithoutFinishReasonIsInterrupted) {
  const std::string body = gemini_fixture("stream-generate-content.sse");
  const std::size_t last = body.rfind("data: ");
  const auto s = decode_gemini_sse(body.substr(0, last));
  EXPECT_EQ(s.kind, ErrorKind::provider_stream_interrupted);
  EXPECT_EQ(joined(s.events, StreamEvent::Type::text_delta), "The capital of Wyoming");
}

TEST(GeminiStream, InBandErrorIsTypedAndKeepsEarlierEvents) {
  const std::string body = gemini_fixture("stream-generate-content.sse");
  const std::size_t last = body.rfind("data: ");
  const std::string cut =
      body.substr(0, last) +
      "data: {\"error\": {\"code\": 503, \"message\": \"The model is overloaded. Please try "
      "again later.\", \"status\": \"UNAVAILABLE\"}}\r\n\r\n";
  gemini::GeminiStreamDecoder decoder;
  std::vector<StreamEvent> events;
  Status st = decoder.feed(cut, events);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::provider_overloaded);
  EXPECT_EQ(joined(events, StreamEvent::Type::text_delta), "The capital of Wyoming");
  // The decoder keeps failing the same way.
  EXPECT_EQ(decoder.finish(events).error().kind, ErrorKind::provider_overloaded);
}

TEST(GeminiStream, BlockedPromptAndBrokenRecords) {
  auto blocked = decode_gemini_sse(
      "data: {\"promptFeedback\": {\"blockReason\": \"PROHIBITED_CONTENT\"}, "
      "\"usageMetadata\": {\"promptTokenCount\": 4}}\r\n\r\n");
  EXPECT_EQ(blocked.kind, ErrorKind::provider_invalid_request);
  EXPECT_NE(blocked.error.find("PROHIBITED_CONTENT"), std::string::npos);

  auto broken = decode_gemini_sse("data: {\"candidates\": [{\"content\": broken json\r\n\r\n");
  EXPECT_EQ(broken.kind, ErrorKind::provider_bad_response);

  auto not_object = decode_gemini_sse("data: [1,2]\r\n\r\n");
  EXPECT_EQ(not_object.kind, ErrorKind::provider_bad_response);

  auto empty = decode_gemini_sse("");
  EXPECT_EQ(empty.kind, ErrorKind::provider_stream_interrupted);
}

TEST(GeminiStream, ContentFilterFinishAndRecordsAfterTheEnd) {
  const auto s = decode_gemini_sse(
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Hi\"}]}}]}\r\n\r\n"
      "data: {\"candidates\": [{\"finishReason\": \"SAFETY\"}]}\r\n\r\n"
      "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"late\"}]}}]}\r\n\r\n");
  ASSERT_TRUE(s.error.empty()) << s.error;
  EXPECT_EQ(joined(s.events, StreamEvent::Type::text_delta), "Hi");
  EXPECT_EQ(s.events.back().type, StreamEvent::Type::finish);  // no usage was ever reported
  EXPECT_EQ(s.events.back().finish, FinishReason::content_filter);
}

StreamEvent ev(StreamEvent::Type type, std::string text = {}, int index = 0) {
  StreamEvent e;
  e.type = type;
  e.text = std::move(text);
  e.index = index;
  return e;
}

StreamEvent call_start(int index, std::string name) {
  StreamEvent e = ev(StreamEvent::Type::tool_call_start, {}, index);
  e.id = "call_" + std::to_string(index);
  e.name = std::move(name);
  return e;
}

TEST(GeminiStreamEncoder, RoundTripsThroughTheDecoder) {
  StreamStart start;
  start.id = "resp-1";
  start.model = "gemini-2.0-flash";
  GeminiStreamEncoder encoder(start);

  std::vector<StreamEvent> in;
  StreamEvent s = ev(StreamEvent::Type::start);
  s.id = "resp-1";
  s.name = "gemini-2.0-flash";
  in.push_back(s);
  in.push_back(ev(StreamEvent::Type::reasoning_delta, "Let me think"));
  in.push_back(ev(StreamEvent::Type::text_delta, "Checking \"two\" cities\n"));
  in.push_back(call_start(0, "get_weather"));
  in.push_back(ev(StreamEvent::Type::tool_call_delta, R"({"city":)", 0));
  in.push_back(ev(StreamEvent::Type::tool_call_delta, R"("Paris"})", 0));
  in.push_back(call_start(1, "get_time"));
  in.push_back(ev(StreamEvent::Type::tool_call_delta, "", 1));
  StreamEvent fin = ev(StreamEvent::Type::finish);
  fin.finish = FinishReason::tool_calls;
  in.push_back(fin);
  StreamEvent usage = ev(StreamEvent::Type::usage);
  usage.usage = {.input_tokens = 12,
                 .output_tokens = 20,
                 .cache_read_tokens = 2,
                 .cache_write_tokens = 0,
                 .reasoning_tokens = 5,
                 .present = true};
  in.push_back(usage);

  std::string bytes;
  for (const auto& e : in) encoder.event(e, bytes);
  encoder.end(bytes);
  // One record per delta, one per completed call, one final record.
  std::size_t records = 0;
  for (std::size_t at = bytes.find("data: "); at != std::string::npos;
       at = bytes.find("data: ", at + 1)) {
    ++records;
  }
  EXPECT_EQ(records, 4u) << bytes;
  EXPECT_EQ(bytes.substr(bytes.size() - 4), "\r\n\r\n");

  const auto out = decode_gemini_sse(bytes, 7);
  ASSERT_TRUE(out.error.empty()) << out.error << "\n" << bytes;
  // The whole arguments arrive as one fragment; the canonical ids are renumbered identically.
  std::vector<StreamEvent> expected = {in[0], in[1], in[2], in[3]};
  expected.push_back(ev(StreamEvent::Type::tool_call_delta, R"({"city":"Paris"})", 0));
  expected.push_back(in[6]);
  expected.push_back(ev(StreamEvent::Type::tool_call_delta, "{}", 1));
  expected.push_back(fin);
  expected.push_back(usage);
  EXPECT_EQ(str(dump(out.events)), str(dump(expected)));
}

TEST(GeminiStreamEncoder, TextStreamEndsWithFinishReasonAndUsage) {
  StreamStart start;
  start.id = "r";
  start.model = "m";
  GeminiStreamEncoder encoder(start);
  std::string bytes;
  encoder.event(ev(StreamEvent::Type::start), bytes);
  EXPECT_TRUE(bytes.empty());
  encoder.event(ev(StreamEvent::Type::text_delta, ""), bytes);
  EXPECT_TRUE(bytes.empty());
  encoder.event(ev(StreamEvent::Type::text_delta, "Hi"), bytes);
  EXPECT_EQ(bytes,
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hi\"}],\"role\":"
            "\"model\"},\"index\":0}],\"modelVersion\":\"m\",\"responseId\":\"r\"}\r\n\r\n");
  bytes.clear();
  StreamEvent fin = ev(StreamEvent::Type::finish);
  fin.finish = FinishReason::length;
  encoder.event(fin, bytes);
  StreamEvent usage = ev(StreamEvent::Type::usage);
  usage.usage.input_tokens = 3;
  usage.usage.output_tokens = 1;
  usage.usage.present = true;
  encoder.event(usage, bytes);
  EXPECT_TRUE(bytes.empty());
  encoder.end(bytes);
  EXPECT_EQ(bytes,
            "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"\"}],\"role\":"
            "\"model\"},\"finishReason\":\"MAX_TOKENS\",\"index\":0}],\"usageMetadata\":{"
            "\"promptTokenCount\":3,\"candidatesTokenCount\":1,\"totalTokenCount\":4},"
            "\"modelVersion\":\"m\",\"responseId\":\"r\"}\r\n\r\n");
}

TEST(GeminiStreamEncoder, ErrorRecordAndMalformedCall) {
  StreamStart start;
  GeminiStreamEncoder encoder(start);
  std::string bytes;
  encoder.error(Error::make(ErrorKind::provider_overloaded, "the provider is overloaded"), bytes);
  EXPECT_EQ(bytes,
            "data: {\"error\":{\"code\":503,\"message\":\"the provider is overloaded\","
            "\"status\":\"UNAVAILABLE\"}}\r\n\r\n");
  // The SDK-facing error record decodes back to a typed error.
  EXPECT_EQ(decode_gemini_sse(bytes).kind, ErrorKind::provider_overloaded);

  GeminiStreamEncoder cut(start);
  bytes.clear();
  cut.event(call_start(0, "f"), bytes);
  cut.event(ev(StreamEvent::Type::tool_call_delta, R"({"a":)", 0), bytes);
  cut.end(bytes);
  EXPECT_NE(bytes.find("\"finishReason\":\"MALFORMED_FUNCTION_CALL\""), std::string::npos);
  EXPECT_EQ(bytes.find("functionCall"), std::string::npos);
}

}  // namespace
}  // namespace gw::gemini
