// Canonical events → Ollama NDJSON lines (the mock's stream renderer), checked line by line and
// by decoding the bytes back with OllamaStreamDecoder.
#include <gtest/gtest.h>

#include "ollama/ollama_test_util.h"
#include "wire/ollama/ollama_chunk_encoder.h"

namespace gw {
namespace {

using test::decode_ollama;
using test::dump;
using test::str;
using Type = StreamEvent::Type;

StreamEvent text(Type type, std::string t) {
  StreamEvent e;
  e.type = type;
  e.text = std::move(t);
  return e;
}

StreamEvent call_start(int index, std::string name) {
  StreamEvent e;
  e.type = Type::tool_call_start;
  e.index = index;
  e.id = "toolu_" + std::to_string(index);
  e.name = std::move(name);
  return e;
}

StreamEvent call_delta(int index, std::string fragment) {
  StreamEvent e;
  e.type = Type::tool_call_delta;
  e.index = index;
  e.text = std::move(fragment);
  return e;
}

StreamEvent finish(FinishReason r) {
  StreamEvent e;
  e.type = Type::finish;
  e.finish = r;
  return e;
}

StreamEvent usage(std::int64_t in, std::int64_t out) {
  StreamEvent e;
  e.type = Type::usage;
  e.usage.input_tokens = in;
  e.usage.output_tokens = out;
  e.usage.present = true;
  return e;
}

std::string render(const std::vector<StreamEvent>& events) {
  ollama::OllamaChunkEncoder encoder("llama3.2", 1700000000);
  std::string out;
  for (const StreamEvent& e : events) encoder.event(e, out);
  encoder.end(out);
  return out;
}

TEST(OllamaChunkEncoder, TextLinesAndTheDoneLine) {
  StreamEvent start;
  start.type = Type::start;
  start.name = "other";
  const std::string out =
      render({start, text(Type::text_delta, "Hel"), text(Type::text_delta, ""),
              text(Type::reasoning_delta, "hm"), text(Type::text_delta, "lo\n\"x\""),
              finish(FinishReason::stop), usage(5, 3)});
  EXPECT_EQ(
      out,
      R"({"model":"llama3.2","created_at":"2023-11-14T22:13:20Z","message":{"role":"assistant","content":"Hel"},"done":false})"
      "\n"
      R"({"model":"llama3.2","created_at":"2023-11-14T22:13:20Z","message":{"role":"assistant","content":"","thinking":"hm"},"done":false})"
      "\n"
      R"({"model":"llama3.2","created_at":"2023-11-14T22:13:20Z","message":{"role":"assistant","content":"lo\n\"x\""},"done":false})"
      "\n"
      R"({"model":"llama3.2","created_at":"2023-11-14T22:13:20Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":5,"eval_count":3})"
      "\n");
}

TEST(OllamaChunkEncoder, ToolCallsGoWholeAndDecodeBack) {
  const std::vector<StreamEvent> events = {
      call_start(0, "get_weather"), call_delta(0, R"({"city")"),      call_delta(0, R"(:"Paris"})"),
      call_start(1, "get_time"),    finish(FinishReason::tool_calls), usage(9, 4)};
  const std::string out = render(events);
  // One line per completed call, then the done line (tool calls are reported as "stop").
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 3);
  EXPECT_NE(
      out.find(
          R"("tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}])"),
      std::string::npos);
  EXPECT_NE(out.find(R"("tool_calls":[{"function":{"name":"get_time","arguments":{}}}])"),
            std::string::npos);
  EXPECT_NE(out.find(R"("done_reason":"stop","done":true)"), std::string::npos);

  test::OllamaDecoded d = decode_ollama(out);
  ASSERT_TRUE(d.finish_status.ok()) << d.finish_status.error().message;
  EXPECT_EQ(
      str(dump(d.events)),
      R"([{"type":0,"id":"","model":"llama3.2","created":1700000000},)"
      R"({"type":3,"index":0,"id":"call_0","name":"get_weather"},)"
      R"({"type":4,"index":0,"text":"{\"city\":\"Paris\"}"},)"
      R"({"type":3,"index":1,"id":"call_1","name":"get_time"},)"
      R"({"type":4,"index":1,"text":"{}"},)"
      R"({"type":5,"finish":3},)"
      R"({"type":6,"usage":{"input":9,"output":4,"cache_read":0,"cache_write":0,"reasoning":0,"present":true}}])");
}

TEST(OllamaChunkEncoder, WithoutFinishOrUsage) {
  const std::string out = render({text(Type::text_delta, "a")});
  EXPECT_TRUE(out.ends_with(R"("done_reason":"stop","done":true})"
                            "\n"));
  test::OllamaDecoded d = decode_ollama(out);
  ASSERT_TRUE(d.finish_status.ok());
  EXPECT_EQ(d.events.back().type, Type::finish);  // no counts, no usage event
  EXPECT_EQ(
      render({finish(FinishReason::length)}).find(R"("done_reason":"length")") != std::string::npos,
      true);
}

TEST(OllamaChunkEncoder, ErrorLineDecodesToTheError) {
  ollama::OllamaChunkEncoder encoder("m", 0);
  std::string out;
  encoder.event(text(Type::text_delta, "x"), out);
  encoder.error(Error::make(ErrorKind::provider_server_error, "runner \"crashed\""), out);
  EXPECT_TRUE(out.ends_with(R"({"error":"runner \"crashed\""})"
                            "\n"));
  test::OllamaDecoded d = decode_ollama(out);
  ASSERT_FALSE(d.feed_status.ok());
  EXPECT_EQ(d.feed_status.error().kind, ErrorKind::provider_server_error);
  EXPECT_EQ(d.feed_status.error().message, "runner \"crashed\"");
}

}  // namespace
}  // namespace gw
