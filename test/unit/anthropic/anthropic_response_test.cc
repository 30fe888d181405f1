// Message responses: the recorded fixtures decode (content, tool calls, stop reason, usage with
// cache tokens), every block and stop_reason mapping, and the ingress encoder's SDK shape and
// its round trip back through the decoder.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "anthropic/anthropic_test_util.h"
#include "wire/anthropic/anthropic_fields.h"
#include "wire/anthropic/anthropic_response.h"

namespace gw::anthropic {
namespace {

namespace json = boost::json;
using test::dump;
using test::str;

ChatResponse decode_ok(std::string_view body) {
  Result<ChatResponse> r = decode_messages_response(body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : ChatResponse{};
}

TEST(AnthropicResponse, CacheFixtureCountsCachedPromptTokens) {
  ChatResponse r = decode_ok(test::fixture("anthropic/messages-cache.response.json"));
  EXPECT_EQ(r.id, "msg_01KPaKTJSqAKoZri7Ujrny58");
  EXPECT_EQ(r.model, "claude-sonnet-4-5-20250929");
  EXPECT_EQ(r.created, 0);
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].type, BlockType::text);
  EXPECT_TRUE(r.content[0].text.starts_with("Python is a beginner-friendly"));
  EXPECT_EQ(r.finish, FinishReason::stop);
  EXPECT_TRUE(r.usage.present);
  EXPECT_EQ(r.usage.input_tokens, 3 + 418 + 1111);  // canonical input counts cached tokens too
  EXPECT_EQ(r.usage.cache_read_tokens, 1111);
  EXPECT_EQ(r.usage.cache_write_tokens, 418);
  EXPECT_EQ(r.usage.output_tokens, 33);
}

TEST(AnthropicResponse, ParallelToolsFixture) {
  ChatResponse r = decode_ok(test::fixture("anthropic/messages-parallel-tools.response.json"));
  ASSERT_EQ(r.content.size(), 5u);
  EXPECT_EQ(r.content[0].type, BlockType::text);
  const std::vector<std::string> names = {"Alice", "Bob", "Charlie", "Daisy"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    const ContentBlock& b = r.content[i + 1];
    EXPECT_EQ(b.type, BlockType::tool_use);
    EXPECT_EQ(b.name, "retrieve_entity_info");
    EXPECT_EQ(b.arguments, R"({"name":")" + names[i] + R"("})");
  }
  EXPECT_EQ(r.content[1].id, "toolu_0167cfEnoQaPviGdVXA95zcu");
  EXPECT_EQ(r.content[4].id, "toolu_013mnQZbgtK2oe3Mo3XKJsx3");
  EXPECT_EQ(r.finish, FinishReason::tool_calls);
  EXPECT_EQ(r.usage.input_tokens, 423);
  EXPECT_EQ(r.usage.output_tokens, 202);
  EXPECT_EQ(r.usage.cache_read_tokens, 0);
}

TEST(AnthropicResponse, ThinkingRedactedAndServerToolBlocks) {
  ChatResponse r = decode_ok(R"({"id":"msg_1","type":"message","role":"assistant","model":"c",
    "content":[{"type":"thinking","thinking":"step 1","signature":"EqQB"},
               {"type":"redacted_thinking","data":"EmwK"},
               {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"q"}},
               {"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[]},
               {"type":"text","text":"answer","citations":null},
               {"type":"tool_use","id":"toolu_9","name":"f","input":{"n":2.5,"s":"x"}}],
    "stop_reason":"max_tokens","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":7}})");
  ASSERT_EQ(r.content.size(), 4u);
  EXPECT_EQ(r.content[0].type, BlockType::reasoning);
  EXPECT_EQ(r.content[0].text, "step 1");
  EXPECT_EQ(r.content[0].signature, "EqQB");
  EXPECT_EQ(r.content[1].type, BlockType::reasoning);
  EXPECT_EQ(r.content[1].data, "EmwK");
  EXPECT_EQ(r.content[2].text, "answer");
  EXPECT_EQ(r.content[3].arguments, R"({"n":2.5,"s":"x"})");
  EXPECT_EQ(r.finish, FinishReason::length);
}

TEST(AnthropicResponse, StopReasons) {
  const std::vector<std::pair<const char*, FinishReason>> cases = {
      {"end_turn", FinishReason::stop},
      {"stop_sequence", FinishReason::stop},
      {"pause_turn", FinishReason::stop},
      {"max_tokens", FinishReason::length},
      {"tool_use", FinishReason::tool_calls},
      {"refusal", FinishReason::content_filter},
      {"", FinishReason::unset},
  };
  for (const auto& [wire, canonical] : cases) EXPECT_EQ(parse_stop_reason(wire), canonical) << wire;
  EXPECT_EQ(stop_reason_name(FinishReason::stop, false), "end_turn");
  EXPECT_EQ(stop_reason_name(FinishReason::length, false), "max_tokens");
  EXPECT_EQ(stop_reason_name(FinishReason::tool_calls, false), "tool_use");
  EXPECT_EQ(stop_reason_name(FinishReason::content_filter, false), "refusal");
  EXPECT_EQ(stop_reason_name(FinishReason::unset, true), "tool_use");
  EXPECT_EQ(stop_reason_name(FinishReason::unset, false), "end_turn");
  EXPECT_EQ(stop_reason_name(FinishReason::error, false), "end_turn");
}

TEST(AnthropicResponse, BrokenBodies) {
  EXPECT_EQ(decode_messages_response("<html>").error().kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(decode_messages_response("[]").error().kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(decode_messages_response(R"({"type":"message","id":"x"})").error().kind,
            ErrorKind::provider_bad_response);
  // A 200 whose body is an error object is the provider's error, not a broken response.
  Result<ChatResponse> err =
      decode_messages_response(test::fixture("anthropic/error-529-overloaded.json"));
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error().kind, ErrorKind::provider_overloaded);
  // No usage object: usage is not present (not zero-and-present).
  ChatResponse r = decode_ok(R"({"type":"message","content":[],"stop_reason":"end_turn"})");
  EXPECT_FALSE(r.usage.present);
}

ChatResponse sample_response() {
  ChatResponse r;
  r.id = "chatcmpl-123";
  r.model = "upstream-model";
  r.created = 1700000000;
  ContentBlock thinking;
  thinking.type = BlockType::reasoning;
  thinking.text = "thinking \"hard\"";
  thinking.signature = "sig";
  ContentBlock redacted;
  redacted.type = BlockType::reasoning;
  redacted.data = "opaque";
  ContentBlock call;
  call.type = BlockType::tool_use;
  call.id = "call_1";
  call.name = "get_weather";
  call.arguments = R"({"city": "Paris", "n": 1.5})";
  r.content = {thinking, redacted, ContentBlock::make_text("Let me check.\n"), call};
  r.finish = FinishReason::tool_calls;
  r.usage.input_tokens = 100;
  r.usage.cache_read_tokens = 60;
  r.usage.cache_write_tokens = 10;
  r.usage.output_tokens = 20;
  r.usage.present = true;
  return r;
}

TEST(AnthropicResponse, EncodeHasTheSdkShape) {
  const std::string body = encode_messages_response(sample_response(), "claude-shown");
  EXPECT_EQ(
      body,
      R"({"id":"msg_chatcmpl-123","type":"message","role":"assistant","model":"claude-shown","content":[)"
      R"({"type":"thinking","thinking":"thinking \"hard\"","signature":"sig"},)"
      R"({"type":"redacted_thinking","data":"opaque"},)"
      R"({"type":"text","text":"Let me check.\n"},)"
      R"({"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris","n":1.5}}],)"
      R"("stop_reason":"tool_use","stop_sequence":null,)"
      R"("usage":{"input_tokens":30,"cache_creation_input_tokens":10,"cache_read_input_tokens":60,"output_tokens":20}})");
}

TEST(AnthropicResponse, EncodeThenDecodeGivesTheSameResponse) {
  ChatResponse original = sample_response();
  original.id = "msg_abc";  // already prefixed: kept as is
  ChatResponse back = decode_ok(encode_messages_response(original, original.model));
  original.created = 0;  // Anthropic messages carry no timestamp
  original.content[3].arguments = R"({"city":"Paris","n":1.5})";  // re-written compactly
  EXPECT_EQ(str(dump(back)), str(dump(original)));
}

TEST(AnthropicResponse, FixturesSurviveDecodeEncodeDecode) {
  for (const char* name : {"anthropic/messages-cache.response.json",
                           "anthropic/messages-parallel-tools.response.json"}) {
    ChatResponse first = decode_ok(test::fixture(name));
    ChatResponse second = decode_ok(encode_messages_response(first, first.model));
    EXPECT_EQ(str(dump(second)), str(dump(first))) << name;
  }
}

TEST(AnthropicResponse, EncodeEdgeCases) {
  ChatResponse r;
  r.id = "";
  ContentBlock broken;
  broken.type = BlockType::tool_use;
  broken.id = "c";
  broken.name = "f";
  broken.arguments = "{\"a\":";  // a model's truncated arguments: kept, as a string
  r.content = {broken};
  const json::value body = json::parse(encode_messages_response(r, "m"));
  EXPECT_EQ(body.at("id").as_string(), "msg_");
  EXPECT_EQ(body.at("content").at(0).at("input").as_string(), "{\"a\":");
  EXPECT_EQ(body.at("stop_reason").as_string(), "tool_use");  // unset + tool calls
  // Usage is always there (the SDKs read it), zeros when the provider reported none.
  EXPECT_EQ(
      str(body.at("usage")),
      R"({"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0})");

  ChatResponse empty_args;
  ContentBlock call;
  call.type = BlockType::tool_use;
  empty_args.content = {call};
  EXPECT_EQ(
      str(json::parse(encode_messages_response(empty_args, "m")).at("content").at(0).at("input")),
      "{}");
}

}  // namespace
}  // namespace gw::anthropic
