// decode_converse_response on the recorded Converse bodies, and encode_converse_response (the
// mock's renderer) back through the decoder.
#include "wire/bedrock/bedrock_response.h"

#include <gtest/gtest.h>

#include "bedrock_test_support.h"
#include "wire/bedrock/bedrock_fields.h"

namespace gw::bedrock {
namespace {

using bedrock_test::dump;
using bedrock_test::fixture;

ChatResponse decode_ok(std::string_view body) {
  Result<ChatResponse> r = decode_converse_response(body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : ChatResponse{};
}

TEST(BedrockResponseFixture, Converse) {
  const ChatResponse r = decode_ok(fixture("converse.response.json"));
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].type, BlockType::text);
  EXPECT_EQ(r.content[0].text,
            "Hello! How can I assist you today? Whether you have questions, need information, or "
            "just want to chat, I'm here to help.");
  EXPECT_EQ(r.finish, FinishReason::stop);
  EXPECT_TRUE(r.usage.present);
  EXPECT_EQ(r.usage.input_tokens, 7);
  EXPECT_EQ(r.usage.output_tokens, 30);
  EXPECT_EQ(r.id, "");  // Converse bodies carry no id; the pipeline names the response
}

TEST(BedrockResponseFixture, ToolUse) {
  const ChatResponse r = decode_ok(fixture("converse-tool-use.response.json"));
  ASSERT_EQ(r.content.size(), 1u);
  EXPECT_EQ(r.content[0].type, BlockType::tool_use);
  EXPECT_EQ(r.content[0].id, "tooluse_Mj06ft-ITJik1Otgpkc1uA");
  EXPECT_EQ(r.content[0].name, "temperature");
  EXPECT_EQ(boost::json::parse(r.content[0].arguments),
            boost::json::parse(R"({"city":"London","date":"2022-01-01"})"));
  EXPECT_EQ(r.finish, FinishReason::tool_calls);
  EXPECT_EQ(r.usage.input_tokens, 571);
  EXPECT_EQ(r.usage.output_tokens, 22);
}

TEST(BedrockResponse, CacheTokensAreAddedToInput) {
  const ChatResponse r = decode_ok(R"({"output":{"message":{"role":"assistant","content":[]}},
    "stopReason":"end_turn","usage":{"inputTokens":10,"outputTokens":5,"totalTokens":1515,
    "cacheReadInputTokens":1000,"cacheWriteInputTokens":500}})");
  EXPECT_EQ(r.usage.input_tokens, 1510);
  EXPECT_EQ(r.usage.cache_read_tokens, 1000);
  EXPECT_EQ(r.usage.cache_write_tokens, 500);
  EXPECT_EQ(r.usage.output_tokens, 5);
}

TEST(BedrockResponse, ReasoningThenText) {
  const ChatResponse r = decode_ok(R"({"output":{"message":{"role":"assistant","content":[
    {"reasoningContent":{"reasoningText":{"text":"Think.","signature":"abc"}}},
    {"reasoningContent":{"redactedContent":"ZW5j"}},
    {"text":"Answer."}]}},"stopReason":"end_turn"})");
  ASSERT_EQ(r.content.size(), 2u);
  EXPECT_EQ(r.content[0].type, BlockType::reasoning);
  EXPECT_EQ(r.content[0].text, "Think.");
  EXPECT_EQ(r.content[0].signature, "abc");
  EXPECT_EQ(r.content[1].text, "Answer.");
  EXPECT_FALSE(r.usage.present);
}

TEST(BedrockResponse, StopReasons) {
  const std::pair<const char*, FinishReason> cases[] = {
      {"end_turn", FinishReason::stop},
      {"stop_sequence", FinishReason::stop},
      {"max_tokens", FinishReason::length},
      {"model_context_window_exceeded", FinishReason::length},
      {"tool_use", FinishReason::tool_calls},
      {"guardrail_intervened", FinishReason::content_filter},
      {"content_filtered", FinishReason::content_filter},
      {"malformed_tool_use", FinishReason::error},
      {"", FinishReason::unset},
      {"something_new", FinishReason::stop},
  };
  for (const auto& [wire, expected] : cases) EXPECT_EQ(parse_stop_reason(wire), expected) << wire;
}

TEST(BedrockResponse, BadBodies) {
  for (const char* body :
       {"", "not json", "[]", R"({"output":{}})", R"({"stopReason":"end_turn"})"}) {
    Result<ChatResponse> r = decode_converse_response(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, ErrorKind::provider_bad_response) << body;
  }
}

TEST(BedrockResponse, EncodeDecodeRoundTrip) {
  ChatResponse r;
  ContentBlock thought;
  thought.type = BlockType::reasoning;
  thought.text = "Hmm.";
  thought.signature = "sig";
  r.content.push_back(thought);
  r.content.push_back(ContentBlock::make_text("Calling."));
  ContentBlock call;
  call.type = BlockType::tool_use;
  call.id = "tooluse_1";
  call.name = "f";
  call.arguments = R"({"x":[1,2]})";
  r.content.push_back(call);
  r.finish = FinishReason::tool_calls;
  r.usage.input_tokens = 120;
  r.usage.cache_read_tokens = 100;
  r.usage.output_tokens = 9;
  r.usage.present = true;
  const std::string body = encode_converse_response(r, 42);
  EXPECT_EQ(dump(decode_ok(body)), dump(r)) << body;
  EXPECT_NE(body.find(R"("inputTokens":20,"outputTokens":9,"totalTokens":129)"), std::string::npos)
      << body;
  EXPECT_EQ(body.rfind(R"({"metrics":{"latencyMs":42},"output":)", 0), 0u) << body;
}

TEST(BedrockResponse, EncodedFixtureShapeDecodesToTheSameResponse) {
  // The fixture decoded, rendered by the mock's encoder, decoded again: nothing is lost.
  const ChatResponse r = decode_ok(fixture("converse-tool-use.response.json"));
  EXPECT_EQ(dump(decode_ok(encode_converse_response(r))), dump(r));
}

}  // namespace
}  // namespace gw::bedrock
