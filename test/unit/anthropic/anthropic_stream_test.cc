// AnthropicStreamDecoder over the recorded SSE streams (identical at every split), the protocol
// details the fixtures do not show, and AnthropicStreamEncoder: its exact bytes and its round
// trip back through the decoder.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "anthropic/anthropic_test_util.h"
#include "wire/anthropic/anthropic_stream_encoder.h"

namespace gw::anthropic {
namespace {

namespace json = boost::json;
using test::concat;
using test::dump;
using test::of_type;
using test::str;
using Type = StreamEvent::Type;

// Decodes at every split size and checks all agree; returns the whole-body result.
test::AnthropicDecoded decode_all_splits(const std::string& bytes) {
  const test::AnthropicDecoded whole = test::decode_anthropic_sse(bytes);
  for (std::size_t step = 1; step < bytes.size(); ++step) {
    const test::AnthropicDecoded split = test::decode_anthropic_sse(bytes, step);
    EXPECT_EQ(str(dump(split.events)), str(dump(whole.events))) << "step " << step;
    EXPECT_EQ(split.ok, whole.ok) << "step " << step;
    if (!split.ok) EXPECT_EQ(split.error.kind, whole.error.kind) << "step " << step;
  }
  return whole;
}

TEST(AnthropicStreamFixtures, BasicStream) {
  test::AnthropicDecoded s = decode_all_splits(test::fixture("anthropic/messages-stream.sse"));
  ASSERT_TRUE(s.ok) << s.error.message;
  ASSERT_FALSE(s.events.empty());
  EXPECT_EQ(s.events.front().type, Type::start);
  EXPECT_EQ(s.events.front().id, "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY");
  EXPECT_EQ(s.events.front().name, "claude-opus-4-1-20250805");
  EXPECT_EQ(concat(s.events, Type::text_delta), "Hello!");
  ASSERT_GE(s.events.size(), 2u);
  const StreamEvent& finish = s.events[s.events.size() - 2];
  EXPECT_EQ(finish.type, Type::finish);
  EXPECT_EQ(finish.finish, FinishReason::stop);
  const StreamEvent& usage = s.events.back();
  ASSERT_EQ(usage.type, Type::usage);
  EXPECT_EQ(usage.usage.input_tokens, 25);
  EXPECT_EQ(usage.usage.output_tokens, 15);  // message_delta's cumulative count wins
  EXPECT_TRUE(usage.usage.present);
}

TEST(AnthropicStreamFixtures, ToolUseStream) {
  test::AnthropicDecoded s =
      decode_all_splits(test::fixture("anthropic/messages-stream-tool-use.sse"));
  ASSERT_TRUE(s.ok) << s.error.message;
  EXPECT_EQ(concat(s.events, Type::text_delta),
            "Okay, let's check the weather for San Francisco, CA:");
  auto starts = of_type(s.events, Type::tool_call_start);
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->index, 0);
  EXPECT_EQ(starts[0]->id, "toolu_01T1x1fJ34qAmk2tNTrN7Up6");
  EXPECT_EQ(starts[0]->name, "get_weather");
  // The fragments reassemble into the JSON the model wrote; the empty first one is skipped.
  for (const auto* d : of_type(s.events, Type::tool_call_delta)) EXPECT_FALSE(d->text.empty());
  const std::string args = concat(s.events, Type::tool_call_delta, 0);
  EXPECT_EQ(json::parse(args),
            json::parse(R"({"location":"San Francisco, CA","unit":"fahrenheit"})"));
  auto finishes = of_type(s.events, Type::finish);
  ASSERT_EQ(finishes.size(), 1u);
  EXPECT_EQ(finishes[0]->finish, FinishReason::tool_calls);
  auto usages = of_type(s.events, Type::usage);
  ASSERT_EQ(usages.size(), 1u);
  EXPECT_EQ(usages[0]->usage.input_tokens, 472);
  EXPECT_EQ(usages[0]->usage.output_tokens, 89);
}

TEST(AnthropicStreamFixtures, OverloadedErrorMidStream) {
  const std::string bytes = test::fixture("anthropic/messages-stream-overloaded-error.sse");
  test::AnthropicDecoded s = decode_all_splits(bytes);
  ASSERT_FALSE(s.ok);
  EXPECT_EQ(s.error.kind, ErrorKind::provider_overloaded);
  EXPECT_EQ(s.error.message, "Overloaded");
  // What came before the error record is kept.
  EXPECT_EQ(s.events.front().type, Type::start);
  EXPECT_EQ(concat(s.events, Type::text_delta), "Hello");
  EXPECT_TRUE(of_type(s.events, Type::finish).empty());

  // Fed in one piece, the events decoded before the error are in `out` and the error comes back
  // from the same feed; afterwards the decoder keeps returning it.
  AnthropicStreamDecoder decoder;
  std::vector<StreamEvent> out;
  Status st = decoder.feed(bytes, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::provider_overloaded);
  EXPECT_EQ(concat(out, Type::text_delta), "Hello");
  EXPECT_EQ(decoder.feed("event: ping\ndata: {}\n\n", out).error().kind,
            ErrorKind::provider_overloaded);
  EXPECT_EQ(decoder.finish(out).error().kind, ErrorKind::provider_overloaded);
}

TEST(AnthropicStreamDecoder, MissingMessageStopIsAnInterruption) {
  std::string bytes = test::fixture("anthropic/messages-stream.sse");
  bytes.resize(bytes.find("event: message_stop"));
  test::AnthropicDecoded s = test::decode_anthropic_sse(bytes);
  ASSERT_FALSE(s.ok);
  EXPECT_EQ(s.error.kind, ErrorKind::provider_stream_interrupted);
  EXPECT_EQ(concat(s.events, Type::text_delta), "Hello!");
  EXPECT_TRUE(of_type(s.events, Type::finish).empty());  // no finish without message_stop

  test::AnthropicDecoded empty = test::decode_anthropic_sse("");
  EXPECT_EQ(empty.error.kind, ErrorKind::provider_stream_interrupted);
}

TEST(AnthropicStreamDecoder, DataLinesWithTrailingSpacesAndCrlf) {
  std::string bytes;
  for (
      const char* line :
      {"event: message_start",
       R"(data: {"type":"message_start","message":{"id":"msg_x","model":"c","usage":{"input_tokens":3,"cache_read_input_tokens":4,"cache_creation_input_tokens":5,"output_tokens":1}}}   )",
       "", "event: content_block_start",
       R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}  )",
       "", "event: content_block_delta",
       R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}} )",
       "", "event: message_delta",
       R"(data: {"type":"message_delta","delta":{"stop_reason":"stop_sequence"},"usage":{"output_tokens":9}}  )",
       "", "event: message_stop", R"(data: {"type":"message_stop"}    )", ""}) {
    bytes += line;
    bytes += "\r\n";
  }
  test::AnthropicDecoded s = decode_all_splits(bytes);
  ASSERT_TRUE(s.ok) << s.error.message;
  EXPECT_EQ(concat(s.events, Type::text_delta), "hi");
  const Usage& u = s.events.back().usage;
  EXPECT_EQ(u.input_tokens, 12);
  EXPECT_EQ(u.cache_read_tokens, 4);
  EXPECT_EQ(u.cache_write_tokens, 5);
  EXPECT_EQ(u.output_tokens, 9);
  EXPECT_EQ(s.events[s.events.size() - 2].finish, FinishReason::stop);
}

std::string sse(std::string_view type, std::string_view data) {
  return "event: " + std::string(type) + "\ndata: " + std::string(data) + "\n\n";
}

TEST(AnthropicStreamDecoder, ThinkingParallelToolsAndNewerUsage) {
  std::string bytes =
      sse("message_start",
          R"({"type":"message_start","message":{"id":"msg_t","model":"c","usage":{"input_tokens":10,"output_tokens":1}}})") +
      sse("content_block_start",
          R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})") +
      sse("content_block_delta",
          R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"plan"}})") +
      sse("content_block_delta",
          R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQ"}})") +
      sse("content_block_stop", R"({"type":"content_block_stop","index":0})") +
      sse("content_block_start",
          R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_a","name":"f","input":{}}})") +
      sse("content_block_delta",
          R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}})") +
      sse("content_block_delta",
          R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"1}"}})") +
      sse("content_block_stop", R"({"type":"content_block_stop","index":1})") +
      // A start that already carries the input and sends no delta (as some proxies do).
      sse("content_block_start",
          R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_b","name":"g","input":{"b":2.5}}})") +
      sse("content_block_stop", R"({"type":"content_block_stop","index":2})") +
      sse("future_event", R"({"type":"future_event","x":1})") + sse("ping", R"({"type":"ping"})") +
      // Newer API versions repeat the cumulative input counts in message_delta.
      sse("message_delta",
          R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"input_tokens":12,"cache_read_input_tokens":100,"output_tokens":30}})") +
      sse("message_stop", R"({"type":"message_stop"})") +
      sse("content_block_start", "after the end: ignored");
  test::AnthropicDecoded s = decode_all_splits(bytes);
  ASSERT_TRUE(s.ok) << s.error.message;
  EXPECT_EQ(concat(s.events, Type::reasoning_delta), "plan");
  auto starts = of_type(s.events, Type::tool_call_start);
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_EQ(starts[0]->index, 0);
  EXPECT_EQ(starts[1]->index, 1);
  EXPECT_EQ(starts[1]->id, "toolu_b");
  EXPECT_EQ(concat(s.events, Type::tool_call_delta, 0), R"({"a":1})");
  EXPECT_EQ(concat(s.events, Type::tool_call_delta, 1), R"({"b":2.5})");
  const Usage& u = s.events.back().usage;
  EXPECT_EQ(u.input_tokens, 112);
  EXPECT_EQ(u.cache_read_tokens, 100);
  EXPECT_EQ(u.output_tokens, 30);
}

TEST(AnthropicStreamDecoder, BrokenRecords) {
  const std::string start =
      sse("message_start", R"({"type":"message_start","message":{"id":"m"}})");
  test::AnthropicDecoded bad =
      test::decode_anthropic_sse(start + sse("content_block_delta", R"({"type": broken)"));
  ASSERT_FALSE(bad.ok);
  EXPECT_EQ(bad.error.kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(bad.events.size(), 1u);  // the start before it is kept

  // An error record is an error whatever its data.
  test::AnthropicDecoded err = test::decode_anthropic_sse(start + sse("error", "oops"));
  ASSERT_FALSE(err.ok);
  EXPECT_EQ(err.error.kind, ErrorKind::provider_server_error);

  test::AnthropicDecoded typed = test::decode_anthropic_sse(
      start + sse("error",
                  R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})"));
  EXPECT_EQ(typed.error.kind, ErrorKind::provider_rate_limited);
  EXPECT_EQ(typed.error.message, "slow down");
  EXPECT_EQ(typed.error.upstream_status, 0);
}

StreamEvent ev(Type type, std::string text = "", int index = 0) {
  StreamEvent e;
  e.type = type;
  e.text = std::move(text);
  e.index = index;
  return e;
}

StreamStart stream_start() {
  StreamStart s;
  s.id = "chatcmpl-9";
  s.model = "claude-shown";
  s.created = 1700000000;
  return s;
}

TEST(AnthropicStreamEncoder, ExactBytes) {
  AnthropicStreamEncoder enc(stream_start());
  std::string out;
  StreamEvent start = ev(Type::start);
  start.id = "chatcmpl-9";
  enc.event(start, out);
  enc.event(ev(Type::text_delta, "Hi"), out);
  StreamEvent finish = ev(Type::finish);
  finish.finish = FinishReason::stop;
  enc.event(finish, out);
  StreamEvent usage = ev(Type::usage);
  usage.usage.input_tokens = 7;
  usage.usage.output_tokens = 2;
  usage.usage.present = true;
  enc.event(usage, out);
  enc.end(out);
  EXPECT_EQ(
      out,
      "event: message_start\n"
      R"(data: {"type":"message_start","message":{"id":"msg_chatcmpl-9","type":"message","role":"assistant","model":"claude-shown","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}})"
      "\n\n"
      "event: content_block_start\n"
      R"(data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"
      "\n\n"
      "event: content_block_delta\n"
      R"(data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}})"
      "\n\n"
      "event: content_block_stop\n"
      R"(data: {"type":"content_block_stop","index":0})"
      "\n\n"
      "event: message_delta\n"
      R"(data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":7,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":2}})"
      "\n\n"
      "event: message_stop\n"
      R"(data: {"type":"message_stop"})"
      "\n\n");
}

// Canonical events → bytes → the decoder → the same events.
TEST(AnthropicStreamEncoder, RoundTripThroughTheDecoder) {
  std::vector<StreamEvent> events;
  StreamEvent start = ev(Type::start);
  start.id = "msg_round";
  start.name = "claude-shown";
  events.push_back(start);
  events.push_back(ev(Type::reasoning_delta, "mull"));
  events.push_back(ev(Type::reasoning_delta, " it over"));
  events.push_back(ev(Type::text_delta, "Line 1\n\"quoted\" ünïcode"));
  StreamEvent call0 = ev(Type::tool_call_start, "", 0);
  call0.id = "toolu_0";
  call0.name = "f";
  events.push_back(call0);
  events.push_back(ev(Type::tool_call_delta, R"({"a":)", 0));
  events.push_back(ev(Type::tool_call_delta, R"( [1, 2]})", 0));
  StreamEvent call1 = ev(Type::tool_call_start, "", 1);
  call1.id = "toolu_1";
  call1.name = "g";
  events.push_back(call1);
  events.push_back(ev(Type::tool_call_delta, "{}", 1));
  StreamEvent finish = ev(Type::finish);
  finish.finish = FinishReason::tool_calls;
  StreamEvent usage = ev(Type::usage);
  usage.usage.input_tokens = 50;
  usage.usage.cache_read_tokens = 20;
  usage.usage.cache_write_tokens = 5;
  usage.usage.output_tokens = 9;
  usage.usage.present = true;
  // Usage may come before finish; the encoder writes both at end().
  events.push_back(usage);
  events.push_back(finish);

  StreamStart s;
  s.id = "msg_round";
  s.model = "claude-shown";
  AnthropicStreamEncoder enc(s);
  std::string out;
  for (const auto& e : events) enc.event(e, out);
  enc.end(out);
  test::AnthropicDecoded back = decode_all_splits(out);
  ASSERT_TRUE(back.ok) << back.error.message;

  std::vector<StreamEvent> expected(events.begin(), events.end() - 2);
  expected.push_back(finish);
  expected.push_back(usage);
  EXPECT_EQ(str(dump(back.events)), str(dump(expected)));
}

TEST(AnthropicStreamEncoder, InterleavedToolDeltasKeepTheirBlockIndex) {
  AnthropicStreamEncoder enc(stream_start());
  std::string out;
  StreamEvent a = ev(Type::tool_call_start, "", 0);
  a.id = "ta";
  a.name = "a";
  StreamEvent b = ev(Type::tool_call_start, "", 1);
  b.id = "tb";
  b.name = "b";
  enc.event(a, out);
  enc.event(b, out);
  enc.event(ev(Type::tool_call_delta, "{}", 0), out);  // for the first, already closed, block
  enc.event(ev(Type::tool_call_delta, "{\"x\":1}", 1), out);
  enc.end(out);
  EXPECT_NE(
      out.find(
          R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}})"),
      std::string::npos);
  test::AnthropicDecoded back = test::decode_anthropic_sse(out);
  ASSERT_TRUE(back.ok);
  EXPECT_EQ(concat(back.events, Type::tool_call_delta, 0), "{}");
  EXPECT_EQ(concat(back.events, Type::tool_call_delta, 1), "{\"x\":1}");
  EXPECT_EQ(of_type(back.events, Type::finish)[0]->finish, FinishReason::tool_calls);
}

TEST(AnthropicStreamEncoder, EndWithoutEventsAndEmptyDeltas) {
  AnthropicStreamEncoder enc(stream_start());
  std::string out;
  enc.event(ev(Type::text_delta, ""), out);
  enc.end(out);
  test::AnthropicDecoded back = test::decode_anthropic_sse(out);
  ASSERT_TRUE(back.ok);
  EXPECT_EQ(out.find("content_block_start"), std::string::npos);
  EXPECT_EQ(back.events.size(), 3u);  // start, finish, usage (zeros)
  std::string more;
  enc.end(more);  // ended: nothing more
  enc.event(ev(Type::text_delta, "late"), more);
  EXPECT_EQ(more, "");
}

TEST(AnthropicStreamEncoder, ErrorRecordDecodesToItsKind) {
  AnthropicStreamEncoder enc(stream_start());
  std::string out;
  enc.event(ev(Type::text_delta, "partial"), out);
  std::string err;
  enc.error(Error::make(ErrorKind::provider_overloaded, "Overloaded"), err);
  EXPECT_EQ(err,
            "event: error\n"
            R"(data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"
            "\n\n");
  std::string after;
  enc.end(after);
  EXPECT_EQ(after, "");  // nothing follows an error record
  test::AnthropicDecoded back = test::decode_anthropic_sse(out + err);
  ASSERT_FALSE(back.ok);
  EXPECT_EQ(back.error.kind, ErrorKind::provider_overloaded);
  EXPECT_EQ(concat(back.events, Type::text_delta), "partial");
}

TEST(AnthropicStreamEncoder, WithoutUsageLeavesUsageOut) {
  AnthropicStreamEncoder enc(stream_start(), /*with_usage=*/false);
  std::string out;
  enc.event(ev(Type::text_delta, "x"), out);
  enc.end(out);
  EXPECT_EQ(out.find("usage"), std::string::npos);
  test::AnthropicDecoded back = test::decode_anthropic_sse(out);
  ASSERT_TRUE(back.ok);
  EXPECT_TRUE(of_type(back.events, Type::usage).empty());
}

}  // namespace
}  // namespace gw::anthropic
