// OpenAIChunkDecoder over the recorded OpenAI SSE streams (framed by SseParser), the quirks of
// OpenAI-compatible servers, and OpenAIChunkEncoder: its SDK shape and its round trip back
// through the decoder.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "wire/openai/openai_chunk_decoder.h"
#include "wire/openai/openai_chunk_encoder.h"
#include "wire_test_util.h"

namespace gw::openai {
namespace {

namespace json = boost::json;
using test::dump;
using test::str;
using Type = StreamEvent::Type;

std::string concat(const std::vector<StreamEvent>& events, Type type, int index = -1) {
  std::string out;
  for (const auto& e : events) {
    if (e.type == type && (index < 0 || e.index == index)) out += e.text;
  }
  return out;
}

std::vector<const StreamEvent*> of_type(const std::vector<StreamEvent>& events, Type type) {
  std::vector<const StreamEvent*> out;
  for (const auto& e : events) {
    if (e.type == type) out.push_back(&e);
  }
  return out;
}

TEST(OpenAIStreamFixtures, ChatStream) {
  test::DecodedStream s = test::decode_openai_sse(test::fixture("openai/chat-stream.sse"));
  ASSERT_EQ(s.error, "");
  EXPECT_TRUE(s.done);
  ASSERT_FALSE(s.events.empty());
  const StreamEvent& start = s.events.front();
  EXPECT_EQ(start.type, Type::start);
  EXPECT_EQ(start.id, "chatcmpl-ABfw031mOJeYCSHe4yI2ZjOA6kMJL");
  EXPECT_EQ(start.name, "gpt-4o-2024-08-06");
  EXPECT_EQ(start.created, 1727346168);
  EXPECT_EQ(concat(s.events, Type::text_delta),
            "I'm unable to provide real-time weather updates. To get the current weather in San "
            "Francisco, I recommend checking a reliable weather website or a weather app.");
  auto finishes = of_type(s.events, Type::finish);
  ASSERT_EQ(finishes.size(), 1u);
  EXPECT_EQ(finishes[0]->finish, FinishReason::stop);
  auto usages = of_type(s.events, Type::usage);
  ASSERT_EQ(usages.size(), 1u);
  EXPECT_EQ(usages[0]->usage.input_tokens, 14);
  EXPECT_EQ(usages[0]->usage.output_tokens, 30);
  EXPECT_EQ(s.events.back().type, Type::usage);  // after finish, as on the wire
  EXPECT_TRUE(of_type(s.events, Type::tool_call_start).empty());
}

TEST(OpenAIStreamFixtures, ParallelToolCalls) {
  test::DecodedStream s =
      test::decode_openai_sse(test::fixture("openai/chat-stream-parallel-tools.sse"));
  ASSERT_EQ(s.error, "");
  EXPECT_TRUE(s.done);
  auto starts = of_type(s.events, Type::tool_call_start);
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[0]->index, 0);
  EXPECT_EQ(starts[0]->id, "call_JMW1whyEaYG438VE1OIflxA2");
  EXPECT_EQ(starts[0]->name, "GetWeatherArgs");
  EXPECT_EQ(starts[1]->index, 1);
  EXPECT_EQ(starts[1]->id, "call_DNYTawLBoN8fj3KN6qU9N1Ou");
  EXPECT_EQ(starts[1]->name, "get_stock_price");
  EXPECT_EQ(concat(s.events, Type::tool_call_delta, 0),
            R"({"city": "Edinburgh", "country": "GB", "units": "c"})");
  EXPECT_EQ(concat(s.events, Type::tool_call_delta, 1),
            R"({"ticker": "AAPL", "exchange": "NASDAQ"})");
  // The empty "" first fragment of each call produces no delta event.
  for (const auto* d : of_type(s.events, Type::tool_call_delta)) EXPECT_FALSE(d->text.empty());
  EXPECT_EQ(concat(s.events, Type::text_delta), "");  // content: null in the role chunk
  auto finishes = of_type(s.events, Type::finish);
  ASSERT_EQ(finishes.size(), 1u);
  EXPECT_EQ(finishes[0]->finish, FinishReason::tool_calls);
  auto usages = of_type(s.events, Type::usage);
  ASSERT_EQ(usages.size(), 1u);
  EXPECT_EQ(usages[0]->usage.input_tokens, 149);
  EXPECT_EQ(usages[0]->usage.output_tokens, 60);
}

TEST(OpenAIStreamFixtures, AnySplitGivesTheSameEvents) {
  for (const auto& path : test::fixture_files("openai", ".sse")) {
    SCOPED_TRACE(path.filename().string());
    const std::string bytes = test::read_file(path);
    test::DecodedStream whole = test::decode_openai_sse(bytes);
    for (std::size_t step : {1u, 7u, 64u}) {
      test::DecodedStream split = test::decode_openai_sse(bytes, step);
      EXPECT_EQ(split.error, "");
      EXPECT_TRUE(split.done);
      EXPECT_EQ(str(dump(split.events)), str(dump(whole.events)));
    }
  }
}

// Canonical events → OpenAIChunkEncoder → SSE bytes → decoder gives the same events back.
TEST(OpenAIStreamFixtures, EncoderRoundTrip) {
  for (const auto& path : test::fixture_files("openai", ".sse")) {
    SCOPED_TRACE(path.filename().string());
    test::DecodedStream original = test::decode_openai_sse(test::read_file(path));
    ASSERT_EQ(original.events.front().type, Type::start);
    const StreamEvent& start = original.events.front();
    OpenAIChunkEncoder encoder(start.id, start.name, start.created, /*include_usage=*/true);
    std::string wire;
    for (const auto& e : original.events) encoder.append(e, wire);
    encoder.done(wire);
    test::DecodedStream again = test::decode_openai_sse(wire);
    EXPECT_EQ(again.error, "");
    EXPECT_TRUE(again.done);
    EXPECT_EQ(str(dump(again.events)), str(dump(original.events)));
  }
}

// --- decoder quirks -----------------------------------------------------------------------------

std::vector<StreamEvent> decode_all(std::initializer_list<std::string_view> chunks,
                                    OpenAIChunkDecoder& d) {
  std::vector<StreamEvent> out;
  for (std::string_view c : chunks) {
    Status s = d.decode(c, out);
    EXPECT_TRUE(s.ok()) << c << ": " << (s.ok() ? "" : s.error().message);
  }
  return out;
}

TEST(OpenAIChunkDecoder, CurrentApiAndVllmExtras) {
  OpenAIChunkDecoder d;
  auto events = decode_all(
      {R"({"id":"c1","object":"chat.completion.chunk","created":5,"model":"m","service_tier":"default",
          "system_fingerprint":null,"choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},
          "logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"a3Kx"})",
       R"({"id":"c1","choices":[{"index":0,"delta":{"content":"Hi","reasoning_content":null,"tool_calls":[]},
          "logprobs":null,"finish_reason":null,"stop_reason":null,"token_ids":null}],"usage":null,"obfuscation":"Qz"})",
       R"({"id":"c1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":null})",
       R"({"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4,
          "prompt_tokens_details":{"cached_tokens":2}},"obfuscation":"x"})",
       " [DONE] "},
      d);
  EXPECT_TRUE(d.done());
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].type, Type::start);
  EXPECT_EQ(events[0].created, 5);
  EXPECT_EQ(events[1].type, Type::text_delta);
  EXPECT_EQ(events[1].text, "Hi");
  EXPECT_EQ(events[2].finish, FinishReason::length);
  EXPECT_EQ(events[3].usage.cache_read_tokens, 2);
  // Anything after [DONE] is ignored.
  std::vector<StreamEvent> after;
  EXPECT_TRUE(d.decode(R"({"choices":[{"index":0,"delta":{"content":"late"}}]})", after).ok());
  EXPECT_TRUE(after.empty());
}

TEST(OpenAIChunkDecoder, ReasoningIsTakenOnceWhenBothNamesCarryIt) {
  OpenAIChunkDecoder d;
  auto events = decode_all(
      {R"({"choices":[{"index":0,"delta":{"reasoning_content":"think","reasoning":"think"}}]})",
       R"({"choices":[{"index":0,"delta":{"reasoning":"more"}}]})"},
      d);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(concat(events, Type::reasoning_delta), "thinkmore");
}

TEST(OpenAIChunkDecoder, ToolCallNumberingFollowsFirstAppearance) {
  OpenAIChunkDecoder d;
  // Provider indexes 3 then 1; a server reusing index 0 for a second call (new id); a call
  // with no index that continues the last one; arguments sent as an object.
  auto events = decode_all(
      {R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":3,"id":"a","type":"function","function":{"name":"fa","arguments":"{\"x\""}}]}}]})",
       R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"fb","arguments":""}}]}}]})",
       R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":3,"function":{"arguments":":1}"}},{"index":1,"function":{"arguments":"{}"}}]}}]})",
       R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"fc","arguments":"{"}}]}}]})",
       R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"d","function":{"name":"fd","arguments":{"k":2}}}]}}]})",
       R"({"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"!"}}]}}]})"},
      d);
  auto starts = of_type(events, Type::tool_call_start);
  ASSERT_EQ(starts.size(), 4u);
  EXPECT_EQ(starts[0]->id, "a");
  EXPECT_EQ(starts[0]->index, 0);
  EXPECT_EQ(starts[1]->id, "b");
  EXPECT_EQ(starts[1]->index, 1);
  EXPECT_EQ(starts[2]->id, "c");
  EXPECT_EQ(starts[2]->index, 2);
  EXPECT_EQ(starts[3]->id, "d");
  EXPECT_EQ(starts[3]->name, "fd");
  EXPECT_EQ(concat(events, Type::tool_call_delta, 0), R"({"x":1})");
  EXPECT_EQ(concat(events, Type::tool_call_delta, 1), "{}");
  EXPECT_EQ(concat(events, Type::tool_call_delta, 2), "{");
  EXPECT_EQ(concat(events, Type::tool_call_delta, 3), R"({"k":2}!)");
}

TEST(OpenAIChunkDecoder, InBandErrorIsAnError) {
  OpenAIChunkDecoder d;
  std::vector<StreamEvent> out;
  ASSERT_TRUE(d.decode(R"({"id":"c","choices":[{"index":0,"delta":{"content":"a"}}]})", out).ok());
  Status s = d.decode(
      R"({"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}})",
      out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::provider_server_error);
  EXPECT_EQ(s.error().upstream_status, 0);
  Status limited = OpenAIChunkDecoder().decode(
      R"({"error":{"message":"x","type":"tokens","code":"rate_limit_exceeded"}})", out);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(limited.error().code, "rate_limit_exceeded");
}

TEST(OpenAIChunkDecoder, GarbageIsABadResponse) {
  for (std::string_view data : {"{not json", "[1,2]", "\"text\"", "{\"a\":1} {"}) {
    OpenAIChunkDecoder d;
    std::vector<StreamEvent> out;
    Status s = d.decode(data, out);
    ASSERT_FALSE(s.ok()) << data;
    EXPECT_EQ(s.error().kind, ErrorKind::provider_bad_response);
  }
}

TEST(OpenAIChunkDecoder, LargeChunkBeyondTheArena) {
  std::string big(100000, 'x');
  OpenAIChunkDecoder d;
  std::vector<StreamEvent> out;
  ASSERT_TRUE(
      d.decode(R"({"choices":[{"index":0,"delta":{"content":")" + big + "\"}}]}", out).ok());
  EXPECT_EQ(concat(out, Type::text_delta), big);
}

// --- encoder ------------------------------------------------------------------------------------

std::vector<json::value> records(const std::string& wire) {
  std::vector<json::value> out;
  std::size_t pos = 0;
  while (pos < wire.size()) {
    EXPECT_EQ(wire.compare(pos, 6, "data: "), 0) << wire.substr(pos);
    const std::size_t end = wire.find("\n\n", pos);
    EXPECT_NE(end, std::string::npos);
    const std::string data = wire.substr(pos + 6, end - pos - 6);
    out.push_back(data == "[DONE]" ? json::value("[DONE]") : json::parse(data));
    pos = end + 2;
  }
  return out;
}

StreamEvent event(Type type) {
  StreamEvent e;
  e.type = type;
  return e;
}

TEST(OpenAIChunkEncoder, SdkShapeWithUsage) {
  OpenAIChunkEncoder enc("chatcmpl-9", "alias", 1700000000, true);
  std::string wire;
  StreamEvent text = event(Type::text_delta);
  text.text = "he said \"hi\"\n";
  enc.append(text, wire);  // no start event first: the role chunk is still sent first
  StreamEvent start = event(Type::tool_call_start);
  start.index = 0;
  start.id = "call_1";
  start.name = "f";
  enc.append(start, wire);
  StreamEvent args = event(Type::tool_call_delta);
  args.text = R"({"a":)";
  enc.append(args, wire);
  StreamEvent finish = event(Type::finish);
  finish.finish = FinishReason::tool_calls;
  enc.append(finish, wire);
  StreamEvent usage = event(Type::usage);
  usage.usage.present = true;
  usage.usage.input_tokens = 10;
  usage.usage.output_tokens = 3;
  enc.append(usage, wire);
  enc.done(wire);

  auto r = records(wire);
  ASSERT_EQ(r.size(), 7u);
  auto expect = [&](std::size_t i, const char* choices, const char* usage_json) {
    SCOPED_TRACE(i);
    json::value want =
        json::parse(std::string(R"({"id":"chatcmpl-9","object":"chat.completion.chunk",)") +
                    R"("created":1700000000,"model":"alias","choices":)" + choices +
                    R"(,"usage":)" + usage_json + "}");
    EXPECT_EQ(str(r[i]), str(want));
  };
  expect(
      0,
      R"([{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}])",
      "null");
  expect(
      1,
      R"([{"index":0,"delta":{"content":"he said \"hi\"\n"},"logprobs":null,"finish_reason":null}])",
      "null");
  expect(
      2,
      R"([{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"logprobs":null,"finish_reason":null}])",
      "null");
  expect(
      3,
      R"([{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]},"logprobs":null,"finish_reason":null}])",
      "null");
  expect(4, R"([{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}])", "null");
  expect(
      5, "[]",
      R"({"prompt_tokens":10,"completion_tokens":3,"total_tokens":13,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}})");
  EXPECT_EQ(r[6], json::value("[DONE]"));
}

TEST(OpenAIChunkEncoder, WithoutIncludeUsage) {
  OpenAIChunkEncoder enc("id", "m", 1, false);
  std::string wire;
  enc.append(event(Type::start), wire);
  enc.append(event(Type::start), wire);  // a second start does not repeat the role chunk
  StreamEvent empty = event(Type::text_delta);
  enc.append(empty, wire);  // empty deltas write nothing
  StreamEvent usage = event(Type::usage);
  usage.usage.present = true;
  enc.append(usage, wire);
  auto r = records(wire);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].as_object().contains("usage"));
}

TEST(OpenAIChunkEncoder, ErrorRecord) {
  OpenAIChunkEncoder enc("id", "m", 1, true);
  std::string wire;
  Error e = Error::make(ErrorKind::provider_stream_interrupted, "stream ended before [DONE]");
  enc.error(e, wire);
  EXPECT_EQ(wire,
            "data: {\"error\":{\"message\":\"stream ended before [DONE]\",\"type\":\"api_error\","
            "\"param\":null,\"code\":null}}\n\n");
  // The decoder side recognises it as an error.
  test::DecodedStream s = test::decode_openai_sse(wire);
  EXPECT_FALSE(s.error.empty());
}

}  // namespace
}  // namespace gw::openai
