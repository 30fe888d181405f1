// decode_messages_request (the Anthropic ingress): the recorded request fixtures, every block
// type, the tool_result split into Role::tool messages, and 400s that name the bad field.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "anthropic/anthropic_test_util.h"
#include "wire/anthropic/anthropic_request.h"

namespace gw::anthropic {
namespace {

namespace json = boost::json;

ChatRequest decode_ok(const std::string& body) {
  Result<ChatRequest> r = decode_messages_request(body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : ChatRequest{};
}

Error decode_err(const std::string& body) {
  Result<ChatRequest> r = decode_messages_request(body);
  EXPECT_FALSE(r.ok()) << "accepted: " << body;
  return r.ok() ? Error{} : r.error();
}

TEST(AnthropicRequestDecode, CacheFixture) {
  ChatRequest r = decode_ok(test::fixture("anthropic/messages-cache.request.json"));
  EXPECT_EQ(r.model, "claude-sonnet-4-5");
  EXPECT_EQ(r.max_tokens, 4096);
  ASSERT_EQ(r.system.size(), 1u);
  EXPECT_EQ(r.system[0].text, "You are a helpful assistant.");
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[0].role, Role::user);
  EXPECT_EQ(r.messages[1].role, Role::assistant);
  EXPECT_EQ(r.messages[2].role, Role::user);
  EXPECT_TRUE(r.messages[1].content[0].text.starts_with("# What is Python?"));
  EXPECT_FALSE(r.stream);
  EXPECT_FALSE(r.include_usage);
  // Top-level prompt caching has no canonical meaning: it travels in extra.
  ASSERT_TRUE(r.extra.contains("cache_control"));
  EXPECT_EQ(r.extra.at("cache_control").at("type").as_string(), "ephemeral");
}

TEST(AnthropicRequestDecode, ToolsFixtures) {
  ChatRequest r = decode_ok(test::fixture("anthropic/messages-parallel-tools.request.json"));
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tools[0].name, "retrieve_entity_info");
  EXPECT_EQ(r.tools[0].description, "Get the knowledge about the given entity.");
  EXPECT_EQ(r.tools[0].parameters.at("required").at(0).as_string(), "name");
  EXPECT_EQ(r.tool_choice.mode, ToolChoice::Mode::auto_);
  EXPECT_FALSE(r.parallel_tool_calls.has_value());
  ASSERT_EQ(r.system.size(), 1u);
  EXPECT_TRUE(r.system[0].text.find("retrieve_entity_info") != std::string::npos);

  ChatRequest s = decode_ok(test::fixture("anthropic/messages-stream-tool-use.request.json"));
  EXPECT_EQ(s.tool_choice.mode, ToolChoice::Mode::required);  // "any"
  EXPECT_TRUE(s.stream);
  EXPECT_TRUE(s.include_usage);  // Anthropic streams always carry usage
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0].content[0].text, "What is the weather like in San Francisco?");
}

TEST(AnthropicRequestDecode, ErrorRequestFixturesKeepUnknownParametersInExtra) {
  ChatRequest r = decode_ok(test::fixture("anthropic/error-400-invalid-request.request.json"));
  EXPECT_EQ(r.extra.at("output_config").at("effort").as_string(), "xhigh");
  ChatRequest s = decode_ok(test::fixture("anthropic/error-429-rate-limit.request.json"));
  EXPECT_EQ(s.extra.at("output_config").at("format").at("type").as_string(), "json_schema");
  EXPECT_EQ(s.max_tokens, 1024);
}

TEST(AnthropicRequestDecode, ToolResultsBecomeToolMessagesInOrder) {
  ChatRequest r = decode_ok(R"({"model":"m","max_tokens":10,"messages":[
    {"role":"user","content":"weather?"},
    {"role":"assistant","content":[{"type":"text","text":"checking"},
      {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris","days":2,"t":5.5}},
      {"type":"tool_use","id":"toolu_2","name":"get_time","input":{}}]},
    {"role":"user","content":[
      {"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"sunny"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},
        {"type":"text","text":"22C"}]},
      {"type":"tool_result","tool_use_id":"toolu_2","content":"failed","is_error":true},
      {"type":"text","text":"thanks"}]}]})");
  ASSERT_EQ(r.messages.size(), 5u);
  const Message& a = r.messages[1];
  EXPECT_EQ(a.role, Role::assistant);
  ASSERT_EQ(a.content.size(), 3u);
  EXPECT_EQ(a.content[1].type, BlockType::tool_use);
  EXPECT_EQ(a.content[1].id, "toolu_1");
  EXPECT_EQ(a.content[1].arguments, R"({"city":"Paris","days":2,"t":5.5})");
  EXPECT_EQ(a.content[2].arguments, "{}");

  const Message& t1 = r.messages[2];
  EXPECT_EQ(t1.role, Role::tool);
  ASSERT_EQ(t1.content.size(), 2u);
  EXPECT_EQ(t1.content[0].type, BlockType::tool_result);
  EXPECT_EQ(t1.content[0].id, "toolu_1");
  EXPECT_EQ(t1.content[0].text, "sunny\n22C");
  EXPECT_FALSE(t1.content[0].is_error);
  EXPECT_EQ(t1.content[1].type, BlockType::image);  // the result's image stays with it
  EXPECT_EQ(t1.content[1].media_type, "image/png");
  EXPECT_EQ(t1.content[1].data, "iVBOR");

  const Message& t2 = r.messages[3];
  EXPECT_EQ(t2.role, Role::tool);
  EXPECT_EQ(t2.content[0].id, "toolu_2");
  EXPECT_EQ(t2.content[0].text, "failed");
  EXPECT_TRUE(t2.content[0].is_error);

  EXPECT_EQ(r.messages[4].role, Role::user);
  ASSERT_EQ(r.messages[4].content.size(), 1u);
  EXPECT_EQ(r.messages[4].content[0].text, "thanks");
}

TEST(AnthropicRequestDecode, UserTurnOfOnlyToolResultsLeavesNoUserMessage) {
  ChatRequest r = decode_ok(R"({"model":"m","max_tokens":10,"messages":[
    {"role":"user","content":"x"},
    {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]},
    {"role":"user","content":[{"type":"tool_result","tool_use_id":"t"}]}]})");
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[2].role, Role::tool);
  EXPECT_EQ(r.messages[2].content[0].text, "");
}

TEST(AnthropicRequestDecode, ImagesThinkingAndParameters) {
  ChatRequest r = decode_ok(R"({"model":"claude","max_tokens":50,
    "system":[{"type":"text","text":"one","cache_control":{"type":"ephemeral"}},{"type":"text","text":"two"}],
    "messages":[
      {"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x/y.png"}},
                                {"type":"text","text":"what is this"}]},
      {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig=="},
                                     {"type":"redacted_thinking","data":"EncRypted"},
                                     {"type":"text","text":"a cat"}]},
      {"role":"user","content":"thanks"}],
    "temperature":0.5,"top_p":0.9,"top_k":40,"stop_sequences":["END","STOP"],
    "metadata":{"user_id":"u-1"},"stream":true,"thinking":{"type":"enabled","budget_tokens":1024},
    "tools":[{"name":"f","input_schema":{"type":"object"},"type":"custom"}],
    "tool_choice":{"type":"tool","name":"f","disable_parallel_tool_use":true}})");
  ASSERT_EQ(r.system.size(), 2u);
  EXPECT_EQ(r.system[1].text, "two");
  EXPECT_EQ(r.messages[0].content[0].type, BlockType::image);
  EXPECT_EQ(r.messages[0].content[0].url, "https://x/y.png");
  const auto& a = r.messages[1].content;
  EXPECT_EQ(a[0].type, BlockType::reasoning);
  EXPECT_EQ(a[0].text, "hmm");
  EXPECT_EQ(a[0].signature, "sig==");
  EXPECT_EQ(a[1].type, BlockType::reasoning);
  EXPECT_EQ(a[1].text, "");
  EXPECT_EQ(a[1].data, "EncRypted");
  EXPECT_EQ(r.temperature, 0.5);
  EXPECT_EQ(r.top_p, 0.9);
  EXPECT_EQ(r.stop, (std::vector<std::string>{"END", "STOP"}));
  EXPECT_EQ(r.user, "u-1");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
  EXPECT_EQ(r.extra.at("top_k").as_int64(), 40);
  EXPECT_TRUE(r.extra.contains("metadata"));
  EXPECT_TRUE(r.extra.contains("thinking"));
  EXPECT_EQ(r.tool_choice.mode, ToolChoice::Mode::named);
  EXPECT_EQ(r.tool_choice.name, "f");
  EXPECT_EQ(r.parallel_tool_calls, false);
}

TEST(AnthropicRequestDecode, FinalAssistantPrefillMayBeEmpty) {
  ChatRequest r = decode_ok(
      R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":""}]})");
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_TRUE(r.messages[1].content.empty());
}

TEST(AnthropicRequestDecode, NullMeansNotGiven) {
  ChatRequest r = decode_ok(
      R"({"model":"m","max_tokens":5,"temperature":null,"system":null,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_FALSE(r.temperature.has_value());
  EXPECT_TRUE(r.system.empty());
}

struct BadCase {
  const char* param;
  const char* code;
};

std::string with_messages(const std::string& messages, const std::string& more = "") {
  return R"({"model":"m","max_tokens":10,"messages":)" + messages + more + "}";
}

TEST(AnthropicRequestDecode, BadRequestsNameTheField) {
  const std::string user = R"([{"role":"user","content":"hi"}])";
  const std::vector<std::pair<std::string, BadCase>> cases = {
      {R"({"max_tokens":10,"messages":[{"role":"user","content":"hi"}]})",
       {"model", "missing_required_parameter"}},
      {R"({"model":"m","messages":[{"role":"user","content":"hi"}]})",
       {"max_tokens", "missing_required_parameter"}},
      {R"({"model":"m","max_tokens":10})", {"messages", "missing_required_parameter"}},
      {with_messages("[]"), {"messages", "empty_array"}},
      {R"({"model":"","max_tokens":10,"messages":[{"role":"user","content":"hi"}]})",
       {"model", "invalid_value"}},
      {R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"hi"}]})",
       {"max_tokens", "invalid_value"}},
      {R"({"model":"m","max_tokens":"10","messages":[{"role":"user","content":"hi"}]})",
       {"max_tokens", "invalid_type"}},
      {with_messages(R"([{"role":"system","content":"hi"}])"),
       {"messages.0.role", "invalid_value"}},
      {with_messages(R"([{"role":"user"}])"), {"messages.0.content", "missing_required_parameter"}},
      {with_messages(R"([{"role":"user","content":42}])"), {"messages.0.content", "invalid_type"}},
      {with_messages(R"([{"role":"user","content":""}])"), {"messages.0", "invalid_value"}},
      {with_messages(
           R"([{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":[{"type":"video"}]}])"),
       {"messages.2.content.0.type", "invalid_value"}},
      {with_messages(R"([{"role":"user","content":[{"type":"document","source":{}}]}])"),
       {"messages.0.content.0.type", "unsupported_value"}},
      {with_messages(R"([{"role":"user","content":[{"text":"no type"}]}])"),
       {"messages.0.content.0.type", "missing_required_parameter"}},
      {with_messages(R"([{"role":"user","content":[{"type":"text"}]}])"),
       {"messages.0.content.0.text", "missing_required_parameter"}},
      {with_messages(
           R"([{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"x"}}]}])"),
       {"messages.0.content.0.source.media_type", "invalid_value"}},
      {with_messages(
           R"([{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}])"),
       {"messages.0.content.0.source.type", "unsupported_value"}},
      {with_messages(
           R"([{"role":"user","content":[{"type":"tool_use","id":"a","name":"b","input":{}}]}])"),
       {"messages.0.content.0.type", "invalid_value"}},
      {with_messages(
           R"([{"role":"assistant","content":[{"type":"tool_use","id":"a","name":"b","input":"{}"}]}])"),
       {"messages.0.content.0.input", "invalid_type"}},
      {with_messages(
           R"([{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"tool_use"}]}]}])"),
       {"messages.0.content.0.content.0.type", "invalid_value"}},
      {with_messages(R"([{"role":"user","content":[{"type":"tool_result","content":"x"}]}])"),
       {"messages.0.content.0.tool_use_id", "missing_required_parameter"}},
      {with_messages(R"([{"role":"assistant","content":[{"type":"thinking","thinking":"x"}]}])"),
       {"messages.0.content.0.signature", "missing_required_parameter"}},
      {with_messages(user, R"(,"tools":[{"type":"web_search_20250305","name":"web_search"}])"),
       {"tools.0.type", "unsupported_value"}},
      {with_messages(user, R"(,"tools":[{"name":"bad name","input_schema":{}}])"),
       {"tools.0.name", "invalid_value"}},
      {with_messages(user, R"(,"tools":[{"name":"f"}])"),
       {"tools.0.input_schema", "missing_required_parameter"}},
      {with_messages(user, R"(,"tool_choice":{"type":"any"})"), {"tool_choice", "invalid_value"}},
      {with_messages(user,
                     R"(,"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"some"})"),
       {"tool_choice.type", "invalid_value"}},
      {with_messages(user,
                     R"(,"tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"tool"})"),
       {"tool_choice.name", "missing_required_parameter"}},
      {with_messages(user, R"(,"temperature":1.5)"), {"temperature", "invalid_value"}},
      {with_messages(user, R"(,"temperature":1e999)"), {"temperature", "invalid_value"}},
      {with_messages(user, R"(,"top_k":-1)"), {"top_k", "invalid_value"}},
      {with_messages(user, R"(,"stop_sequences":"END")"), {"stop_sequences", "invalid_type"}},
      {with_messages(user, R"(,"stream":"yes")"), {"stream", "invalid_type"}},
      {with_messages(user, R"(,"metadata":{"user_id":7})"), {"metadata.user_id", "invalid_type"}},
      {with_messages(user, R"(,"system":[{"type":"image"}])"), {"system.0.type", "invalid_value"}},
      {with_messages(R"([{"role":"user","content":"a\u0000b"}])"),
       {"messages.0.content", "invalid_value"}},
  };
  for (const auto& [body, expect] : cases) {
    Error e = decode_err(body);
    EXPECT_EQ(e.kind, ErrorKind::caller_invalid_request) << body;
    EXPECT_EQ(e.param, expect.param) << body << " → " << e.message;
    EXPECT_EQ(e.code, expect.code) << body << " → " << e.message;
    // The message names the field first, as the Messages API does.
    EXPECT_TRUE(e.message.starts_with(std::string(expect.param) + ": ")) << e.message;
  }
}

TEST(AnthropicRequestDecode, BodyThatIsNotAnObjectOrNotJson) {
  Error not_json = decode_err("{\"model\":");
  EXPECT_EQ(not_json.kind, ErrorKind::caller_invalid_request);
  EXPECT_EQ(not_json.code, "invalid_json");
  Error array = decode_err("[1]");
  EXPECT_EQ(array.code, "invalid_type");

  std::string deep =
      R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"x":)";
  for (int i = 0; i < 70; ++i) deep += "[";
  for (int i = 0; i < 70; ++i) deep += "]";
  deep += "}";
  EXPECT_EQ(decode_err(deep).code, "json_too_deep");
}

}  // namespace
}  // namespace gw::anthropic
