// OllamaStreamDecoder over the recorded chat-stream.ndjson (split at every byte), tool-call
// lines, in-band errors, broken lines and streams cut before their done:true line.
#include <gtest/gtest.h>

#include "ollama/ollama_test_util.h"
#include "wire/ollama/ollama_chunk_decoder.h"

namespace gw {
namespace {

using test::decode_ollama;
using test::decode_ollama_pieces;
using test::dump;
using test::ollama_fixture;
using test::str;
using test::streamed_text;
using Type = StreamEvent::Type;

constexpr std::string_view kRecordedText =
    "こんにちは！どういたしまして？ (Ohayou gozaimasu!) Would you like to chat about something in "
    "particular or just have a casual conversation?";

TEST(OllamaStream, RecordedStream) {
  const std::string bytes = ollama_fixture("chat-stream.ndjson");
  test::OllamaDecoded d = decode_ollama(bytes);
  ASSERT_TRUE(d.feed_status.ok()) << d.feed_status.error().message;
  ASSERT_TRUE(d.finish_status.ok()) << d.finish_status.error().message;
  ASSERT_EQ(d.events.size(), 1u + 32u + 2u);  // start, 32 non-empty deltas, finish, usage
  const StreamEvent& start = d.events.front();
  EXPECT_EQ(start.type, Type::start);
  EXPECT_EQ(start.id, "");
  EXPECT_EQ(start.name, "llama3.2");
  EXPECT_EQ(start.created, 1739288008);  // 2025-02-11T15:33:28.0907887Z
  EXPECT_EQ(streamed_text(d.events), kRecordedText);
  EXPECT_EQ(d.events[1].text, "こんにちは");
  const StreamEvent& finish = d.events[d.events.size() - 2];
  EXPECT_EQ(finish.type, Type::finish);
  EXPECT_EQ(finish.finish, FinishReason::stop);
  const StreamEvent& usage = d.events.back();
  EXPECT_EQ(usage.type, Type::usage);
  EXPECT_TRUE(usage.usage.present);
  EXPECT_EQ(usage.usage.input_tokens, 26);
  EXPECT_EQ(usage.usage.output_tokens, 33);
}

TEST(OllamaStream, RecordedStreamSplitAtEveryByte) {
  const std::string bytes = ollama_fixture("chat-stream.ndjson");
  const std::string whole = str(dump(decode_ollama(bytes).events));
  for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
    const std::string_view all = bytes;
    test::OllamaDecoded d = decode_ollama_pieces({all.substr(0, cut), all.substr(cut)});
    ASSERT_TRUE(d.feed_status.ok() && d.finish_status.ok()) << "cut at " << cut;
    ASSERT_EQ(str(dump(d.events)), whole) << "cut at " << cut;
  }
  std::vector<std::string_view> bytewise;
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytewise.push_back(std::string_view(bytes).substr(i, 1));
  test::OllamaDecoded d = decode_ollama_pieces(bytewise);
  ASSERT_TRUE(d.finish_status.ok());
  EXPECT_EQ(str(dump(d.events)), whole);
}

TEST(OllamaStream, CutBeforeDoneLineIsInterrupted) {
  std::string bytes = ollama_fixture("chat-stream.ndjson");
  bytes.resize(bytes.rfind("{\"model\""));  // drop the done:true line
  test::OllamaDecoded d = decode_ollama(bytes);
  ASSERT_TRUE(d.feed_status.ok());
  ASSERT_FALSE(d.finish_status.ok());
  EXPECT_EQ(d.finish_status.error().kind, ErrorKind::provider_stream_interrupted);
  EXPECT_EQ(streamed_text(d.events).size() > 0, true);
  for (const StreamEvent& e : d.events) EXPECT_NE(e.type, Type::finish);
}

TEST(OllamaStream, LastLineWithoutNewlineAndCrlf) {
  const std::string bytes =
      "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"a\"},\"done\":false}\r\n"
      "\r\n"
      "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":"
      "\"length\",\"done\":true}";
  test::OllamaDecoded d = decode_ollama(bytes);
  ASSERT_TRUE(d.finish_status.ok()) << d.finish_status.error().message;
  ASSERT_EQ(d.events.size(), 3u);  // start, "a", finish (no counts → no usage event)
  EXPECT_EQ(d.events[1].text, "a");
  EXPECT_EQ(d.events[2].finish, FinishReason::length);
}

TEST(OllamaStream, ThinkingAndToolCallLines) {
  const std::string bytes =
      R"({"model":"qwen3","created_at":"2025-05-29T09:35:56Z","message":{"role":"assistant","content":"","thinking":"Let me"},"done":false})"
      "\n"
      R"({"model":"qwen3","created_at":"2025-05-29T09:35:56Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}},{"function":{"name":"get_time","arguments":{}}}]},"done":false})"
      "\n"
      R"({"model":"qwen3","created_at":"2025-05-29T09:35:57Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Oslo","t":1.5}}}]},"done":false})"
      "\n"
      R"({"model":"qwen3","created_at":"2025-05-29T09:35:57Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":7,"eval_count":9})"
      "\n";
  test::OllamaDecoded d = decode_ollama(bytes);
  ASSERT_TRUE(d.finish_status.ok()) << d.finish_status.error().message;
  const std::string expected =
      R"([{"type":0,"id":"","model":"qwen3","created":1748511356},)"
      R"({"type":2,"text":"Let me"},)"
      R"({"type":3,"index":0,"id":"call_0","name":"get_weather"},)"
      R"({"type":4,"index":0,"text":"{\"city\":\"Paris\"}"},)"
      R"({"type":3,"index":1,"id":"call_1","name":"get_time"},)"
      R"({"type":4,"index":1,"text":"{}"},)"
      R"({"type":3,"index":2,"id":"call_2","name":"get_weather"},)"
      R"({"type":4,"index":2,"text":"{\"city\":\"Oslo\",\"t\":1.5}"},)"
      R"({"type":5,"finish":3},)"
      R"({"type":6,"usage":{"input":7,"output":9,"cache_read":0,"cache_write":0,"reasoning":0,"present":true}}])";
  EXPECT_EQ(str(dump(d.events)), expected);
}

TEST(OllamaStream, InBandErrorKeepsEarlierEventsOfTheSameFeed) {
  const std::string bytes =
      R"({"model":"m","message":{"role":"assistant","content":"partial"},"done":false})"
      "\n"
      R"({"error":"an error was encountered while running the model: unexpected EOF"})"
      "\n";
  ollama::OllamaStreamDecoder decoder;
  std::vector<StreamEvent> out;
  Status s = decoder.feed(bytes, out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::provider_server_error);
  EXPECT_EQ(s.error().message, "an error was encountered while running the model: unexpected EOF");
  EXPECT_EQ(s.error().upstream_status, 0);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].text, "partial");
  // The decoder stays failed.
  std::vector<StreamEvent> more;
  EXPECT_FALSE(decoder.feed("{}\n", more).ok());
  EXPECT_FALSE(decoder.finish(more).ok());
  EXPECT_TRUE(more.empty());
}

TEST(OllamaStream, InBandToolSupportErrorIsTyped) {
  test::OllamaDecoded d =
      decode_ollama(R"({"error":"registry.ollama.ai/library/gemma:2b does not support tools"})"
                    "\n");
  ASSERT_FALSE(d.feed_status.ok());
  EXPECT_EQ(d.feed_status.error().kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(d.feed_status.error().code, "tools_unsupported");
}

TEST(OllamaStream, BrokenLinesAreBadResponses) {
  for (std::string_view line : {"{\"model\": broken json\n", "[1,2]\n", "\"text\"\n"}) {
    test::OllamaDecoded d = decode_ollama(line);
    ASSERT_FALSE(d.feed_status.ok()) << line;
    EXPECT_EQ(d.feed_status.error().kind, ErrorKind::provider_bad_response) << line;
  }
}

TEST(OllamaStream, LinesAfterDoneAreIgnored) {
  ollama::OllamaChunkDecoder chunks;
  std::vector<StreamEvent> out;
  ASSERT_TRUE(chunks.decode(R"({"model":"m","message":{"content":""},"done":true})", out).ok());
  EXPECT_TRUE(chunks.done());
  const std::size_t n = out.size();
  ASSERT_TRUE(
      chunks.decode(R"({"model":"m","message":{"content":"late"},"done":false})", out).ok());
  ASSERT_TRUE(chunks.decode("not even json", out).ok());
  EXPECT_EQ(out.size(), n);
}

TEST(OllamaStream, EmptyBodyIsInterrupted) {
  test::OllamaDecoded d = decode_ollama("");
  ASSERT_FALSE(d.finish_status.ok());
  EXPECT_EQ(d.finish_status.error().kind, ErrorKind::provider_stream_interrupted);
  EXPECT_TRUE(d.events.empty());
}

}  // namespace
}  // namespace gw
