// Ollama /api/chat body → canonical ChatRequest (what the mock's Ollama dialect reads): the
// recorded request fixtures, tool-call linking, and Ollama-worded errors for broken bodies.
#include <gtest/gtest.h>

#include "ollama/ollama_test_util.h"
#include "wire/ollama/ollama_request.h"

namespace gw {
namespace {

namespace json = boost::json;
using test::dump;
using test::ollama_fixture;
using test::str;

ChatRequest decode_ok(std::string_view body) {
  Result<ChatRequest> r = ollama::decode_chat_request(body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : ChatRequest{};
}

Error decode_fails(std::string_view body) {
  Result<ChatRequest> r = ollama::decode_chat_request(body);
  EXPECT_FALSE(r.ok()) << body;
  if (r.ok()) return Error{};
  EXPECT_EQ(r.error().kind, ErrorKind::caller_invalid_request) << body;
  return r.error();
}

TEST(OllamaRequestDecode, ChatFixtures) {
  ChatRequest chat = decode_ok(ollama_fixture("chat.request.json"));
  EXPECT_EQ(chat.model, "llama3.2");
  EXPECT_FALSE(chat.stream);
  ASSERT_EQ(chat.messages.size(), 1u);
  EXPECT_EQ(chat.messages[0].role, Role::user);
  EXPECT_EQ(chat.messages[0].content[0].text, "why is the sky blue?");

  // No "stream" field: Ollama streams.
  ChatRequest streamed = decode_ok(ollama_fixture("chat-stream.request.json"));
  EXPECT_TRUE(streamed.stream);
  EXPECT_TRUE(streamed.include_usage);
  EXPECT_EQ(streamed.messages[0].content[0].text, "こんにちは");

  ChatRequest tools = decode_ok(ollama_fixture("chat-tools.request.json"));
  ASSERT_EQ(tools.tools.size(), 1u);
  EXPECT_EQ(tools.tools[0].name, "get_current_weather");
  EXPECT_EQ(tools.tools[0].description, "Get the current weather for a location");
  EXPECT_EQ(tools.tools[0].parameters.at("required"), json::parse(R"(["location","format"])"));
  EXPECT_EQ(tools.tool_choice.mode, ToolChoice::Mode::unset);
}

TEST(OllamaRequestDecode, ConversationWithToolsImagesAndSystem) {
  ChatRequest r = decode_ok(R"({
    "model": "qwen3",
    "messages": [
      {"role": "system", "content": "Be brief."},
      {"role": "user", "content": "Look", "images": ["iVBORw0KGgoAAAANSUhEUg==", "/9j/4A=="]},
      {"role": "assistant", "content": "", "thinking": "two calls",
       "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Paris"}}},
                      {"function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}]},
      {"role": "tool", "content": "12 C", "tool_name": "get_weather"},
      {"role": "tool", "content": "3 C", "tool_name": "get_weather"},
      {"role": "assistant", "content": "Paris 12, Oslo 3."}
    ],
    "format": "json",
    "options": {"temperature": 0.2, "num_predict": -1, "seed": 7, "stop": ["x"], "num_ctx": 8192},
    "keep_alive": "5m",
    "think": false
  })");
  EXPECT_EQ(r.model, "qwen3");
  ASSERT_EQ(r.system.size(), 1u);
  EXPECT_EQ(r.system[0].text, "Be brief.");
  ASSERT_EQ(r.messages.size(), 5u);

  const Message& look = r.messages[0];
  ASSERT_EQ(look.content.size(), 3u);
  EXPECT_EQ(look.content[0].text, "Look");
  EXPECT_EQ(look.content[1].type, BlockType::image);
  EXPECT_EQ(look.content[1].media_type, "image/png");
  EXPECT_EQ(look.content[1].data, "iVBORw0KGgoAAAANSUhEUg==");
  EXPECT_EQ(look.content[2].media_type, "image/jpeg");

  const Message& calls = r.messages[1];
  ASSERT_EQ(calls.content.size(), 3u);
  EXPECT_EQ(calls.content[0].type, BlockType::reasoning);
  EXPECT_EQ(calls.content[1].id, "call_0");
  EXPECT_EQ(calls.content[1].arguments, R"({"city":"Paris"})");
  EXPECT_EQ(calls.content[2].id, "call_1");

  // Results name a tool, not a call: they answer that tool's calls in order.
  EXPECT_EQ(r.messages[2].role, Role::tool);
  EXPECT_EQ(r.messages[2].content[0].type, BlockType::tool_result);
  EXPECT_EQ(r.messages[2].content[0].id, "call_0");
  EXPECT_EQ(r.messages[2].content[0].text, "12 C");
  EXPECT_EQ(r.messages[3].content[0].id, "call_1");
  EXPECT_EQ(r.messages[4].content[0].text, "Paris 12, Oslo 3.");

  EXPECT_EQ(r.response_format.type, ResponseFormat::Type::json_object);
  EXPECT_EQ(r.temperature, 0.2);
  EXPECT_FALSE(r.max_tokens.has_value());  // -1: no limit
  EXPECT_EQ(r.seed, 7);
  EXPECT_EQ(r.stop, std::vector<std::string>{"x"});
  EXPECT_EQ(r.extra.at("options"), json::parse(R"({"num_ctx":8192})"));
  EXPECT_EQ(r.extra.at("keep_alive"), "5m");
  EXPECT_EQ(r.extra.at("think"), false);
}

TEST(OllamaRequestDecode, ToolCallIdsWhenGiven) {
  ChatRequest r = decode_ok(R"({"model":"m","messages":[
      {"role":"assistant","tool_calls":[{"id":"call_x","function":{"name":"f","arguments":{}}}]},
      {"role":"tool","content":"a","tool_call_id":"call_x"},
      {"role":"tool","content":"b"}]})");
  EXPECT_EQ(r.messages[0].content[0].id, "call_x");
  EXPECT_EQ(r.messages[1].content[0].id, "call_x");
  // Nothing left to answer and no tool named: no link.
  EXPECT_EQ(r.messages[2].content[0].id, "");
}

TEST(OllamaRequestDecode, JsonSchemaFormatAndMaxTokens) {
  ChatRequest r = decode_ok(
      R"({"model":"m","format":{"type":"object"},"options":{"num_predict":64,"top_p":0.9},)"
      R"("stream":false})");
  EXPECT_EQ(r.response_format.type, ResponseFormat::Type::json_schema);
  EXPECT_EQ(r.response_format.schema, json::parse(R"({"type":"object"})"));
  EXPECT_EQ(r.max_tokens, 64);
  EXPECT_EQ(r.top_p, 0.9);
  EXPECT_TRUE(r.messages.empty());
  EXPECT_EQ(decode_ok(R"({"model":"m","format":""})").response_format.type,
            ResponseFormat::Type::unset);
}

TEST(OllamaRequestDecode, ErrorsReadLikeOllamas) {
  EXPECT_EQ(decode_fails("").message, "missing request body");
  EXPECT_EQ(decode_fails("{").code, "invalid_json");
  EXPECT_EQ(decode_fails("[]").message,
            "json: cannot unmarshal array into Go value of type api.ChatRequest");
  Error no_model = decode_fails(R"({"messages":[]})");
  EXPECT_EQ(no_model.message, "model is required");
  EXPECT_EQ(no_model.param, "model");

  Error content = decode_fails(R"({"model":"m","messages":[{"role":"user","content":5}]})");
  EXPECT_EQ(content.message,
            "json: cannot unmarshal number into Go struct field ChatRequest.messages.content of "
            "type string");
  EXPECT_EQ(content.param, "messages[0].content");

  EXPECT_EQ(decode_fails(R"({"model":"m","messages":{}})").param, "messages");
  EXPECT_EQ(decode_fails(R"({"model":"m","stream":"yes"})").param, "stream");
  EXPECT_EQ(decode_fails(R"({"model":7})").param, "model");

  Error role = decode_fails(R"({"model":"m","messages":[{"role":"robot","content":"x"}]})");
  EXPECT_EQ(role.param, "messages[0].role");
  EXPECT_NE(role.message.find("robot"), std::string::npos);

  Error image =
      decode_fails(R"({"model":"m","messages":[{"role":"user","content":"x","images":["ab$d"]}]})");
  EXPECT_EQ(image.message, "illegal base64 data at input byte 2");
  EXPECT_EQ(image.param, "messages[0].images[0]");
  EXPECT_EQ(decode_fails(R"({"model":"m","messages":[{"role":"user","images":["abc"]}]})").message,
            "illegal base64 data at input byte 0");

  Error args = decode_fails(R"({"model":"m","messages":[{"role":"assistant","tool_calls":[)"
                            R"({"function":{"name":"f","arguments":"{}"}}]}]})");
  EXPECT_EQ(args.param, "messages[0].tool_calls[0].function.arguments");

  Error format = decode_fails(R"({"model":"m","format":"yaml"})");
  EXPECT_EQ(format.message, R"(invalid format: "yaml"; expected "json" or a valid JSON Schema)");
  EXPECT_EQ(format.param, "format");

  Error option = decode_fails(R"({"model":"m","options":{"temperature":"hot"}})");
  EXPECT_EQ(option.message, R"(option "temperature" must be of type float32)");
  EXPECT_EQ(option.param, "options.temperature");
  EXPECT_EQ(decode_fails(R"({"model":"m","options":{"seed":1.5}})").param, "options.seed");
  EXPECT_EQ(decode_fails(R"({"model":"m","options":{"stop":"x"}})").param, "options.stop");

  EXPECT_EQ(decode_fails(R"({"model":"m","tools":[{"type":"function"}]})").param,
            "tools[0].function");
  EXPECT_EQ(decode_fails(R"({"model":"m","tools":[{"function":{"name":""}}]})").param,
            "tools[0].function.name");
}

TEST(OllamaRequestDecode, NestingIsBounded) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  Error e = decode_fails(R"({"model":"m","x":)" + deep + "}");
  EXPECT_EQ(e.code, "json_too_deep");
}

// The encoder's round-trip check: everything Ollama can carry comes back as it went.
TEST(OllamaRequestDecode, EncodeThenDecodeGivesTheSameRequest) {
  ChatRequest r;
  r.model = "llama3.2";
  r.system.push_back(ContentBlock::make_text("You are terse."));
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("Weather in Paris?")}, ""});
  ContentBlock img;
  img.type = BlockType::image;
  img.media_type = "image/png";
  img.data = "iVBORw0KGgoAAAANSUhEUg==";
  r.messages.back().content.push_back(img);
  Message assistant{Role::assistant, {}, ""};
  ContentBlock thinking;
  thinking.type = BlockType::reasoning;
  thinking.text = "call it";
  assistant.content.push_back(thinking);
  assistant.content.push_back(ContentBlock::make_text("Checking."));
  ContentBlock call;
  call.type = BlockType::tool_use;
  call.id = "call_0";
  call.name = "get_weather";
  call.arguments = R"({"city":"Paris","days":2.5})";
  assistant.content.push_back(call);
  r.messages.push_back(assistant);
  ContentBlock result;
  result.type = BlockType::tool_result;
  result.id = "call_0";
  result.name = "get_weather";
  result.text = "12 C";
  r.messages.push_back(Message{Role::tool, {result}, ""});
  ToolSpec tool;
  tool.name = "get_weather";
  tool.description = "Weather by city";
  tool.parameters = json::parse(R"({"type":"object","properties":{"city":{"type":"string"}}})");
  r.tools.push_back(tool);
  r.response_format.type = ResponseFormat::Type::json_schema;
  r.response_format.schema = json::parse(R"({"type":"object"})");
  r.temperature = 0.5;
  r.top_p = 0.25;
  r.seed = 3;
  r.max_tokens = 50;
  r.stop = {"END"};
  r.stream = true;
  r.include_usage = true;

  Result<std::string> body = ollama::encode_chat_request(r, r.model);
  ASSERT_TRUE(body.ok()) << body.error().message;
  ChatRequest back = decode_ok(*body);
  EXPECT_EQ(str(dump(back)), str(dump(r)));
}

}  // namespace
}  // namespace gw
