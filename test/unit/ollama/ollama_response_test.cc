// Ollama non-streamed answers: the recorded chat and chat-tools fixtures, the shapes around them
// (thinking, length, counts left out, errors in a 200), and encode → decode round trips.
#include <gtest/gtest.h>

#include "ollama/ollama_test_util.h"
#include "wire/ollama/ollama_response.h"

namespace gw {
namespace {

using test::dump;
using test::ollama_fixture;
using test::str;

ChatResponse decode_ok(std::string_view body) {
  Result<ChatResponse> r = ollama::decode_chat_response(body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : ChatResponse{};
}

Error decode_fails(std::string_view body) {
  Result<ChatResponse> r = ollama::decode_chat_response(body);
  EXPECT_FALSE(r.ok()) << body;
  return r.ok() ? Error{} : r.error();
}

TEST(OllamaResponse, ChatFixture) {
  ChatResponse r = decode_ok(ollama_fixture("chat.response.json"));
  EXPECT_EQ(r.id, "");  // Ollama answers carry no id; the pipeline names the response
  EXPECT_EQ(r.model, "llama3.2");
  EXPECT_EQ(r.created, 1702390423);  // 2023-12-12T14:13:43.416799Z
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].type, BlockType::text);
  EXPECT_EQ(r.content[0].text, "Hello! How are you today?");
  // No done_reason in this (older) example: a finished answer is a stop.
  EXPECT_EQ(r.finish, FinishReason::stop);
  EXPECT_TRUE(r.usage.present);
  EXPECT_EQ(r.usage.input_tokens, 26);
  EXPECT_EQ(r.usage.output_tokens, 298);
}

TEST(OllamaResponse, ChatToolsFixture) {
  ChatResponse r = decode_ok(ollama_fixture("chat-tools.response.json"));
  EXPECT_EQ(r.model, "llama3.2");
  EXPECT_EQ(r.created, 1721680408);
  // content "" is no block; the call gets a synthesized id and its object arguments as text.
  ASSERT_EQ(r.content.size(), 1u);
  const ContentBlock& call = r.content[0];
  EXPECT_EQ(call.type, BlockType::tool_use);
  EXPECT_EQ(call.id, "call_0");
  EXPECT_EQ(call.name, "get_current_weather");
  EXPECT_EQ(call.arguments, R"({"format":"celsius","location":"Paris, FR"})");
  // done_reason is "stop" on the wire; the canonical reason says a tool was called.
  EXPECT_EQ(r.finish, FinishReason::tool_calls);
  EXPECT_EQ(r.usage.input_tokens, 122);
  EXPECT_EQ(r.usage.output_tokens, 33);
}

TEST(OllamaResponse, ThinkingComesFirstAndParallelCallsAreNumbered) {
  ChatResponse r = decode_ok(
      R"({"model":"qwen3","created_at":"2025-05-29T09:35:56.012222Z","message":{"role":"assistant",)"
      R"("content":"Checking.","thinking":"The user wants two cities.","tool_calls":[)"
      R"({"function":{"name":"get_weather","arguments":{"city":"Paris","days":2,"hot":0.5}}},)"
      R"({"function":{"name":"get_weather","arguments":{"city":"Oslo"}}}]},)"
      R"("done_reason":"stop","done":true,"prompt_eval_count":10,"eval_count":20})");
  ASSERT_EQ(r.content.size(), 4u);
  EXPECT_EQ(r.content[0].type, BlockType::reasoning);
  EXPECT_EQ(r.content[0].text, "The user wants two cities.");
  EXPECT_EQ(r.content[1].text, "Checking.");
  EXPECT_EQ(r.content[2].id, "call_0");
  // Numbers keep their natural spelling (Boost.JSON alone would write 5E-1).
  EXPECT_EQ(r.content[2].arguments, R"({"city":"Paris","days":2,"hot":0.5})");
  EXPECT_EQ(r.content[3].id, "call_1");
  EXPECT_EQ(r.content[3].arguments, R"({"city":"Oslo"})");
  EXPECT_EQ(r.finish, FinishReason::tool_calls);
}

TEST(OllamaResponse, ServerIdsAndStringArgumentsAreKept) {
  ChatResponse r =
      decode_ok(R"({"model":"m","message":{"role":"assistant","content":"","tool_calls":[)"
                R"({"id":"call_abc","function":{"name":"f","arguments":"{\"a\":1}"}},)"
                R"({"function":{"name":"g"}}]},"done":true})");
  ASSERT_EQ(r.content.size(), 2u);
  EXPECT_EQ(r.content[0].id, "call_abc");
  EXPECT_EQ(r.content[0].arguments, R"({"a":1})");
  EXPECT_EQ(r.content[1].id, "call_1");
  EXPECT_EQ(r.content[1].arguments, "{}");
}

TEST(OllamaResponse, LengthAndMissingCounts) {
  ChatResponse r =
      decode_ok(R"({"model":"m","created_at":"bad","message":{"role":"assistant","content":"cut"},)"
                R"("done_reason":"length","done":true,"eval_count":5})");
  EXPECT_EQ(r.finish, FinishReason::length);
  EXPECT_EQ(r.created, 0);
  // A fully cached prompt has no prompt_eval_count; the usage is still reported.
  EXPECT_TRUE(r.usage.present);
  EXPECT_EQ(r.usage.input_tokens, 0);
  EXPECT_EQ(r.usage.output_tokens, 5);

  ChatResponse none = decode_ok(R"({"model":"m","message":{"content":"x"},"done":true})");
  EXPECT_FALSE(none.usage.present);
}

TEST(OllamaResponse, BrokenBodies) {
  EXPECT_EQ(decode_fails("not json").kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(decode_fails("[1]").kind, ErrorKind::provider_bad_response);
  Error no_message = decode_fails(R"({"model":"m","done":true})");
  EXPECT_EQ(no_message.kind, ErrorKind::provider_bad_response);
  EXPECT_NE(no_message.message.find("message"), std::string::npos);
  // An error object in a 200 answer is the provider's error.
  Error in_band = decode_fails(R"({"error":"model 'x' not found"})");
  EXPECT_EQ(in_band.kind, ErrorKind::provider_not_found);
  EXPECT_EQ(in_band.message, "model 'x' not found");
}

TEST(OllamaResponse, EncodeHasOllamasLayout) {
  ChatResponse r;
  r.model = "ignored";
  r.created = 1700000000;
  r.content.push_back(ContentBlock::make_text("Hello"));
  r.content.push_back(ContentBlock::make_text(" there"));
  r.finish = FinishReason::stop;
  r.usage.input_tokens = 3;
  r.usage.output_tokens = 2;
  r.usage.present = true;
  EXPECT_EQ(ollama::encode_chat_response(r, "llama3.2"),
            R"({"model":"llama3.2","created_at":"2023-11-14T22:13:20Z","message":{"role":)"
            R"("assistant","content":"Hello there"},"done_reason":"stop","done":true,)"
            R"("prompt_eval_count":3,"eval_count":2})");
  r.usage.present = false;
  r.finish = FinishReason::length;
  const std::string body = ollama::encode_chat_response(r, "m");
  EXPECT_EQ(body.find("eval_count"), std::string::npos);
  EXPECT_NE(body.find(R"("done_reason":"length")"), std::string::npos);
}

TEST(OllamaResponse, EncodeThenDecodeGivesTheSameAnswer) {
  ChatResponse r;
  r.model = "llama3.2";
  r.created = 1721680408;
  ContentBlock thinking;
  thinking.type = BlockType::reasoning;
  thinking.text = "hmm";
  r.content.push_back(thinking);
  r.content.push_back(ContentBlock::make_text("Calling."));
  for (int i = 0; i < 2; ++i) {
    ContentBlock call;
    call.type = BlockType::tool_use;
    call.id = "call_" + std::to_string(i);
    call.name = "get_current_weather";
    call.arguments = R"({"location":"Paris","n":)" + std::to_string(i) + "}";
    r.content.push_back(call);
  }
  r.finish = FinishReason::tool_calls;
  r.usage.input_tokens = 12;
  r.usage.output_tokens = 34;
  r.usage.present = true;
  ChatResponse back = decode_ok(ollama::encode_chat_response(r, r.model));
  EXPECT_EQ(str(dump(back)), str(dump(r)));
}

TEST(OllamaResponse, EncodeKeepsArgumentsThatAreNotAnObject) {
  ChatResponse r;
  ContentBlock call;
  call.type = BlockType::tool_use;
  call.name = "f";
  call.arguments = "not json";
  r.content.push_back(call);
  ChatResponse back = decode_ok(ollama::encode_chat_response(r, "m"));
  ASSERT_EQ(back.content.size(), 1u);
  EXPECT_EQ(back.content[0].arguments, "not json");
  EXPECT_EQ(back.finish, FinishReason::tool_calls);  // unset finish with calls
}

}  // namespace
}  // namespace gw
