// decode_converse_request (the mock provider's reader of Converse bodies): what it keeps, and the
// ValidationExceptions Bedrock answers malformed conversations with.
#include <gtest/gtest.h>

#include "bedrock_test_support.h"
#include "wire/bedrock/bedrock_request.h"

namespace gw::bedrock {
namespace {

ChatRequest decode_ok(std::string_view body, bool stream = false) {
  Result<ChatRequest> r =
      decode_converse_request(body, "anthropic.claude-3-haiku-20240307-v1:0", stream);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : ChatRequest{};
}

Error decode_error(std::string_view body) {
  Result<ChatRequest> r = decode_converse_request(body, "m", false);
  EXPECT_FALSE(r.ok()) << body;
  return r.ok() ? Error{} : r.error();
}

TEST(BedrockRequestDecode, ReadsTheStreamFixture) {
  const ChatRequest r = decode_ok(bedrock_test::fixture("converse-stream.request.json"), true);
  EXPECT_EQ(r.model, "anthropic.claude-3-haiku-20240307-v1:0");
  EXPECT_TRUE(r.stream);
  ASSERT_EQ(r.system.size(), 1u);
  EXPECT_EQ(r.system[0].text, "You are a helpful chatbot.");
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].role, Role::user);
  EXPECT_EQ(r.messages[0].content[0].text, "What is the capital of France?");
  ASSERT_TRUE(r.temperature.has_value());
  EXPECT_EQ(*r.temperature, 0.0);
}

TEST(BedrockRequestDecode, ReadsTheToolFixture) {
  const ChatRequest r = decode_ok(bedrock_test::fixture("converse-tool-use.request.json"));
  ASSERT_EQ(r.tools.size(), 2u);
  EXPECT_EQ(r.tools[0].name, "temperature");
  EXPECT_EQ(r.tools[1].name, "final_result");
  EXPECT_TRUE(r.tools[0].parameters.is_object());
  EXPECT_EQ(r.tool_choice.mode, ToolChoice::Mode::required);
}

TEST(BedrockRequestDecode, ToolResultTurnBecomesToolMessages) {
  const ChatRequest r = decode_ok(R"({"messages":[
    {"role":"user","content":[{"text":"hi"}]},
    {"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"f","input":{"a":1}}}]},
    {"role":"user","content":[{"toolResult":{"toolUseId":"t1","content":[{"json":{"ok":true}},
                                                                         {"text":"done"}],
                                              "status":"error"}}]}],
    "toolConfig":{"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{"type":"object"}}}}],
                  "toolChoice":{"tool":{"name":"f"}}}})");
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[1].content[0].arguments, R"({"a":1})");
  EXPECT_EQ(r.messages[2].role, Role::tool);
  EXPECT_EQ(r.messages[2].content[0].text, "{\"ok\":true}\ndone");
  EXPECT_TRUE(r.messages[2].content[0].is_error);
  EXPECT_EQ(r.tool_choice.mode, ToolChoice::Mode::named);
  EXPECT_EQ(r.tool_choice.name, "f");
}

TEST(BedrockRequestDecode, ImagesAndReasoning) {
  const ChatRequest r = decode_ok(R"({"messages":[
    {"role":"user","content":[{"image":{"format":"webp","source":{"bytes":"UklGR"}}}]},
    {"role":"assistant","content":[{"reasoningContent":{"reasoningText":{"text":"hm","signature":"s"}}},
                                   {"text":"a cat"}]},
    {"role":"user","content":[{"cachePoint":{"type":"default"}},{"text":"sure?"}]}]})");
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[0].content[0].media_type, "image/webp");
  EXPECT_EQ(r.messages[0].content[0].data, "UklGR");
  EXPECT_EQ(r.messages[1].content[0].type, BlockType::reasoning);
  EXPECT_EQ(r.messages[1].content[0].signature, "s");
  ASSERT_EQ(r.messages[2].content.size(), 1u);  // the cache point has no canonical block
}

TEST(BedrockRequestDecode, ValidationErrors) {
  struct Case {
    const char* body;
    const char* message_part;
    const char* param;
  };
  const Case cases[] = {
      {"not json", "invalid JSON", ""},
      {"[]", "Malformed input request", ""},
      {"{}", "Value null at 'messages'", "messages"},
      {R"({"messages":[{"role":"system","content":[]}]})",
       "Member must satisfy enum value set: [user, assistant]", "messages[0].role"},
      {R"({"messages":[{"role":"user"}]})", "Value null at 'messages.1.member.content'",
       "messages[0].content"},
      {R"({"messages":[{"role":"assistant","content":[{"text":"hi"}]}]})",
       "A conversation must start with a user message", "messages[0].role"},
      {R"({"messages":[{"role":"user","content":[{"text":"a"}]},
                       {"role":"user","content":[{"text":"b"}]}]})",
       "A conversation must alternate between user and assistant roles", "messages[1].role"},
      {R"({"messages":[{"role":"user","content":[{"text":"a"}]},
                       {"role":"assistant","content":[{"toolUse":{"toolUseId":"t","name":"f","input":{}}}]}]})",
       "The toolConfig field must be defined", "toolConfig"},
      {R"({"messages":[{"role":"user","content":[{"toolUse":{"toolUseId":"t","name":"f"}}]}]})",
       "toolUse blocks can only appear in assistant messages", "messages[0].content[0]"},
      {R"({"messages":[{"role":"user","content":[{"image":{"format":"bmp","source":{"bytes":"x"}}}]}]})",
       "[gif, jpeg, png, webp]", "messages[0].content[0]"},
      {R"({"messages":[{"role":"user","content":[{"text":"a"}]}],"inferenceConfig":{"maxTokens":0}})",
       "greater than or equal to 1", "inferenceConfig.maxTokens"},
      {R"({"messages":[{"role":"user","content":[{"text":"a"}]}],"inferenceConfig":{"temperature":1.5}})",
       "less than or equal to 1", "inferenceConfig.temperature"},
      {R"({"messages":[{"role":"user","content":[{"text":"a"}]}],"toolConfig":{"tools":[]}})",
       "length greater than or equal to 1", "toolConfig.tools"},
      {R"({"messages":[{"role":"user","content":[{"text":"a"}]}],
           "toolConfig":{"tools":[{"toolSpec":{"name":"f"}}]}})",
       "inputSchema' failed", "toolConfig.tools[0].toolSpec.inputSchema"},
  };
  for (const Case& c : cases) {
    const Error e = decode_error(c.body);
    EXPECT_EQ(e.kind, ErrorKind::caller_invalid_request) << c.body;
    EXPECT_NE(e.message.find(c.message_part), std::string::npos) << c.body << "\n" << e.message;
    EXPECT_EQ(e.param, c.param) << c.body;
  }
}

}  // namespace
}  // namespace gw::bedrock
