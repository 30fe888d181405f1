// decode_chat_request / encode_chat_request: fixture round trips, OpenAI-style validation errors,
// and the encoding rules the adapters rely on.
#include <string>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "wire/openai/openai_request.h"
#include "wire_test_util.h"

namespace gw::openai {
namespace {

namespace json = boost::json;
using test::dump;
using test::str;

ChatRequest decode_ok(std::string_view body) {
  Result<ChatRequest> r = decode_chat_request(body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : ChatRequest{};
}

Error decode_err(std::string_view body) {
  Result<ChatRequest> r = decode_chat_request(body);
  EXPECT_FALSE(r.ok()) << "decoded: " << body;
  if (r.ok()) return Error{};
  EXPECT_EQ(r.error().kind, ErrorKind::caller_invalid_request);
  return std::move(r).error();
}

json::object encode_obj(const ChatRequest& r, const OpenAIEncodeOptions& o = {},
                        std::string_view model = "up-model") {
  return json::parse(encode_chat_request(r, model, o)).as_object();
}

std::vector<std::string> request_fixtures() {
  std::vector<std::string> out;
  for (const char* dir : {"openai", "vllm"}) {
    for (const auto& p : test::fixture_files(dir, ".request.json")) {
      if (p.filename().string().starts_with("embeddings")) continue;  // not a chat body
      out.push_back(std::string(dir) + "/" + p.filename().string());
    }
  }
  out.push_back("ollama/openai-compat-chat.request.json");
  return out;
}

TEST(OpenAIRequestFixtures, FoundTheFixtures) {
  EXPECT_GE(request_fixtures().size(), 6u);
}

TEST(OpenAIRequestFixtures, DecodeEncodeDecodeIsStable) {
  for (const std::string& name : request_fixtures()) {
    SCOPED_TRACE(name);
    ChatRequest first = decode_ok(test::fixture(name));
    ASSERT_FALSE(first.messages.empty());
    const std::string body = encode_chat_request(first, first.model, {});
    ChatRequest second = decode_ok(body);
    // The encoder always asks for usage when streaming; that is the one intended difference.
    if (first.stream) first.include_usage = true;
    EXPECT_EQ(str(dump(first)), str(dump(second)));
  }
}

TEST(OpenAIRequestFixtures, ParallelToolsRequest) {
  ChatRequest r = decode_ok(test::fixture("openai/chat-stream-parallel-tools.request.json"));
  EXPECT_EQ(r.model, "gpt-4o-2024-08-06");
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[1].content[0].text, "What's the price of AAPL?");
  ASSERT_EQ(r.tools.size(), 2u);
  EXPECT_EQ(r.tools[0].name, "GetWeatherArgs");
  EXPECT_EQ(r.tools[0].description, "Get the temperature for the given country/city combo");
  EXPECT_EQ(r.tools[0].strict, true);
  EXPECT_EQ(r.tools[1].name, "get_stock_price");
  EXPECT_EQ(r.tools[1].parameters.at("required").as_array().size(), 2u);
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
  EXPECT_TRUE(r.extra.empty());
}

TEST(OpenAIRequestFixtures, OllamaCompatSystemMessage) {
  ChatRequest r = decode_ok(test::fixture("ollama/openai-compat-chat.request.json"));
  ASSERT_EQ(r.system.size(), 1u);
  EXPECT_EQ(r.system[0].text, "あなたは優秀なアシスタントです");
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].role, Role::user);
  EXPECT_EQ(r.messages[0].content[0].text, "ありがとう！");
}

// --- decoding ---------------------------------------------------------------------------------

TEST(OpenAIRequestDecode, FullConversation) {
  ChatRequest r = decode_ok(R"({
    "model": "gpt-4o", "user": "u-1", "seed": 7, "temperature": 0.5, "top_p": 1,
    "max_tokens": 100, "stop": "END", "parallel_tool_calls": false,
    "n": 1, "presence_penalty": 0.25, "logprobs": true, "metadata": {"a": "b"},
    "messages": [
      {"role": "developer", "content": "be brief"},
      {"role": "system", "content": [{"type": "text", "text": "p1"}, {"type": "text", "text": "p2"}]},
      {"role": "user", "name": "ann", "content": [
        {"type": "text", "text": "look"},
        {"type": "image_url", "image_url": {"url": "https://x/y.png", "detail": "low"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]},
      {"role": "assistant", "content": null, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]},
      {"role": "tool", "tool_call_id": "call_1", "content": "42"},
      {"role": "assistant", "content": "done", "refusal": null}
    ],
    "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
    "tool_choice": {"type": "function", "function": {"name": "f"}},
    "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": {"type": "object"}, "strict": true}}
  })");
  EXPECT_EQ(r.model, "gpt-4o");
  ASSERT_EQ(r.system.size(), 3u);
  EXPECT_EQ(r.system[0].text, "be brief");
  EXPECT_EQ(r.system[2].text, "p2");
  ASSERT_EQ(r.messages.size(), 4u);

  const Message& user = r.messages[0];
  EXPECT_EQ(user.name, "ann");
  ASSERT_EQ(user.content.size(), 3u);
  EXPECT_EQ(user.content[1].type, BlockType::image);
  EXPECT_EQ(user.content[1].url, "https://x/y.png");
  EXPECT_EQ(user.content[1].detail, "low");
  EXPECT_EQ(user.content[2].url, "");
  EXPECT_EQ(user.content[2].media_type, "image/png");
  EXPECT_EQ(user.content[2].data, "iVBORw0KGgo=");

  const Message& call = r.messages[1];
  EXPECT_EQ(call.role, Role::assistant);
  ASSERT_EQ(call.content.size(), 1u);
  EXPECT_EQ(call.content[0].type, BlockType::tool_use);
  EXPECT_EQ(call.content[0].id, "call_1");
  EXPECT_EQ(call.content[0].name, "f");
  EXPECT_EQ(call.content[0].arguments, "{\"a\":1}");

  const Message& result = r.messages[2];
  EXPECT_EQ(result.role, Role::tool);
  ASSERT_EQ(result.content.size(), 1u);
  EXPECT_EQ(result.content[0].type, BlockType::tool_result);
  EXPECT_EQ(result.content[0].id, "call_1");
  EXPECT_EQ(result.content[0].text, "42");

  EXPECT_EQ(r.messages[3].content[0].text, "done");
  EXPECT_EQ(r.tool_choice.mode, ToolChoice::Mode::named);
  EXPECT_EQ(r.tool_choice.name, "f");
  EXPECT_EQ(r.parallel_tool_calls, false);
  EXPECT_EQ(r.response_format.type, ResponseFormat::Type::json_schema);
  EXPECT_EQ(r.response_format.name, "s");
  EXPECT_EQ(r.response_format.strict, true);
  EXPECT_EQ(r.max_tokens, 100);
  EXPECT_EQ(r.temperature, 0.5);
  EXPECT_EQ(r.top_p, 1.0);
  EXPECT_EQ(r.seed, 7);
  ASSERT_EQ(r.stop.size(), 1u);
  EXPECT_EQ(r.stop[0], "END");
  EXPECT_EQ(r.user, "u-1");
  EXPECT_FALSE(r.stream);
  // Parameters with no canonical meaning are kept exactly.
  EXPECT_EQ(r.extra.size(), 4u);
  EXPECT_EQ(r.extra.at("n"), json::value(1));
  EXPECT_EQ(r.extra.at("presence_penalty"), json::value(0.25));
  EXPECT_EQ(r.extra.at("logprobs"), json::value(true));
  EXPECT_EQ(r.extra.at("metadata"), json::parse(R"({"a":"b"})"));
}

TEST(OpenAIRequestDecode, MaxCompletionTokensWinsAndNullsAreAbsent) {
  ChatRequest r = decode_ok(R"({"model":"m","messages":[{"role":"user","content":"hi"}],
    "max_tokens": 5, "max_completion_tokens": 9, "temperature": null, "tools": null, "stop": null})");
  EXPECT_EQ(r.max_tokens, 9);
  EXPECT_FALSE(r.temperature.has_value());
  EXPECT_TRUE(r.stop.empty());
  EXPECT_TRUE(r.extra.empty());
}

TEST(OpenAIRequestDecode, ToolOptionsWithoutToolsAreDropped) {
  ChatRequest r = decode_ok(R"({"model":"m","messages":[{"role":"user","content":"hi"}],
    "tool_choice": "none", "parallel_tool_calls": true})");
  EXPECT_EQ(r.tool_choice.mode, ToolChoice::Mode::unset);
  EXPECT_FALSE(r.parallel_tool_calls.has_value());
  Error e = decode_err(R"({"model":"m","messages":[{"role":"user","content":"hi"}],
    "tool_choice": "required"})");
  EXPECT_EQ(e.param, "tool_choice");
}

TEST(OpenAIRequestDecode, StreamOptions) {
  ChatRequest r = decode_ok(R"({"model":"m","messages":[{"role":"user","content":"hi"}],
    "stream": true, "stream_options": {"include_usage": true}})");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
}

// --- validation errors ------------------------------------------------------------------------

std::string nested(int depth) {
  // The top-level object is depth 1; "extra_field" holds depth-1 nested arrays.
  std::string s = R"({"model":"m","messages":[{"role":"user","content":"hi"}],"x":)";
  for (int i = 1; i < depth; ++i) s += '[';
  for (int i = 1; i < depth; ++i) s += ']';
  return s + "}";
}

TEST(OpenAIRequestErrors, DepthLimitIs64) {
  ChatRequest ok = decode_ok(nested(64));
  EXPECT_TRUE(ok.extra.contains("x"));
  Error e = decode_err(nested(65));
  EXPECT_EQ(e.code, "json_too_deep");
  EXPECT_EQ(e.message, "JSON nesting depth exceeds 64");
}

TEST(OpenAIRequestErrors, InvalidJson) {
  Error e = decode_err(R"({"model": "m", "messages": [}")");
  EXPECT_EQ(e.code, "invalid_json");
  EXPECT_TRUE(e.message.starts_with("invalid JSON: ")) << e.message;
  EXPECT_NE(e.message.find("at offset 28"), std::string::npos) << e.message;
  EXPECT_EQ(decode_err("").code, "invalid_json");
  EXPECT_EQ(decode_err(R"({"model":"m"} trailing)").code, "invalid_json");
}

TEST(OpenAIRequestErrors, NanAndInfinityLiteralsAreInvalid) {
  EXPECT_EQ(
      decode_err(R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":NaN})")
          .code,
      "invalid_json");
  EXPECT_EQ(
      decode_err(
          R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":Infinity})")
          .code,
      "invalid_json");
  EXPECT_EQ(
      decode_err(
          R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":-Infinity})")
          .code,
      "invalid_json");
  // A finite literal too large for a double parses as infinity: rejected by value.
  Error e = decode_err(R"({"model":"m","messages":[{"role":"user","content":"x"}],"x":[1e999]})");
  EXPECT_EQ(e.param, "x[0]");
}

TEST(OpenAIRequestErrors, InvalidUtf8AndNul) {
  Error utf8 = decode_err("{\"model\":\"m\xff\",\"messages\":[]}");
  EXPECT_EQ(utf8.code, "invalid_json");
  Error nul = decode_err(R"({"model":"m","messages":[{"role":"user","content":"a\u0000b"}]})");
  EXPECT_EQ(nul.param, "messages[0].content");
  EXPECT_EQ(nul.code, "invalid_value");
}

TEST(OpenAIRequestErrors, TopLevelMustBeAnObject) {
  EXPECT_EQ(decode_err("[1,2]").code, "invalid_type");
  EXPECT_EQ(decode_err("\"hi\"").code, "invalid_type");
}

TEST(OpenAIRequestErrors, RequiredFields) {
  Error no_model = decode_err(R"({"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(no_model.param, "model");
  EXPECT_EQ(no_model.code, "missing_required_parameter");
  Error no_messages = decode_err(R"({"model":"m"})");
  EXPECT_EQ(no_messages.param, "messages");
  Error empty = decode_err(R"({"model":"m","messages":[]})");
  EXPECT_EQ(empty.param, "messages");
  EXPECT_EQ(empty.code, "empty_array");
}

struct WrongTypeCase {
  const char* body;
  const char* param;
};

TEST(OpenAIRequestErrors, WrongTypesNameTheField) {
  const WrongTypeCase cases[] = {
      {R"({"model":1,"messages":[{"role":"user","content":"x"}]})", "model"},
      {R"({"model":"m","messages":{}})", "messages"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"},{"role":"user","content":"y"},{"role":"user","content":5}]})",
       "messages[2].content"},
      {R"({"model":"m","messages":["hi"]})", "messages[0]"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":3}]}]})",
       "messages[0].content[0].text"},
      {R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":{}}}]}]})",
       "messages[0].tool_calls[0].function.arguments"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"})",
       "temperature"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1.5})",
       "max_tokens"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"})", "stream"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":[1]})", "stop[0]"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":[]}}]})",
       "tools[0].function.parameters"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":1}})",
       "stream_options.include_usage"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    Error e = decode_err(c.body);
    EXPECT_EQ(e.param, c.param);
    EXPECT_EQ(e.code, "invalid_type");
    EXPECT_NE(e.message.find(std::string("'") + c.param + "'"), std::string::npos) << e.message;
  }
}

TEST(OpenAIRequestErrors, InvalidValues) {
  Error fn =
      decode_err(R"({"model":"m","messages":[{"role":"function","name":"f","content":"x"}]})");
  EXPECT_EQ(fn.param, "messages[0].role");
  Error role = decode_err(R"({"model":"m","messages":[{"role":"robot","content":"x"}]})");
  EXPECT_EQ(role.param, "messages[0].role");
  EXPECT_EQ(role.code, "invalid_value");
  Error temp =
      decode_err(R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":3})");
  EXPECT_EQ(temp.code, "decimal_above_max_value");
  Error tokens =
      decode_err(R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0})");
  EXPECT_EQ(tokens.code, "integer_below_min_value");
  Error name = decode_err(
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"bad name"}}]})");
  EXPECT_EQ(name.param, "tools[0].function.name");
  Error part = decode_err(
      R"({"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]})");
  EXPECT_EQ(part.param, "messages[0].content[0].type");
  Error tool = decode_err(R"({"model":"m","messages":[{"role":"tool","content":"x"}]})");
  EXPECT_EQ(tool.param, "messages[0].tool_call_id");
  Error assistant = decode_err(R"({"model":"m","messages":[{"role":"assistant"}]})");
  EXPECT_EQ(assistant.param, "messages[0].content");
  Error format = decode_err(
      R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"yaml"}})");
  EXPECT_EQ(format.param, "response_format.type");
}

// --- encoding ---------------------------------------------------------------------------------

TEST(OpenAIRequestEncode, SystemBlocksLeadAsSystemMessages) {
  ChatRequest r;
  r.system = {ContentBlock::make_text("a"), ContentBlock::make_text("b")};
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("hi")}, ""});
  json::object body = encode_obj(r);
  EXPECT_EQ(body.at("model"), "up-model");
  const json::array& m = body.at("messages").as_array();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0], json::parse(R"({"role":"system","content":"a"})"));
  EXPECT_EQ(m[1], json::parse(R"({"role":"system","content":"b"})"));
  EXPECT_EQ(m[2], json::parse(R"({"role":"user","content":"hi"})"));
  EXPECT_FALSE(body.contains("stream"));
}

TEST(OpenAIRequestEncode, ToolResultsInAUserTurnBecomeToolMessagesFirst) {
  ChatRequest r;
  ContentBlock use;
  use.type = BlockType::tool_use;
  use.id = "toolu_1";
  use.name = "f";
  use.arguments = R"({"x":1})";
  r.messages.push_back(Message{Role::assistant, {use}, ""});
  ContentBlock result;
  result.type = BlockType::tool_result;
  result.id = "toolu_1";
  result.text = "ok";
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("and now?"), result}, ""});
  json::object body = encode_obj(r);
  const json::array& m = body.at("messages").as_array();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0], json::parse(R"({"role":"assistant","content":null,"tool_calls":[
    {"id":"toolu_1","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]})"));
  EXPECT_EQ(m[1], json::parse(R"({"role":"tool","tool_call_id":"toolu_1","content":"ok"})"));
  EXPECT_EQ(m[2], json::parse(R"({"role":"user","content":"and now?"})"));
}

TEST(OpenAIRequestEncode, ImagesAndReasoning) {
  ChatRequest r;
  ContentBlock img;
  img.type = BlockType::image;
  img.media_type = "image/jpeg";
  img.data = "AAAA";
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("what?"), img}, ""});
  ContentBlock thinking;
  thinking.type = BlockType::reasoning;
  thinking.text = "hmm";
  r.messages.push_back(Message{Role::assistant, {thinking, ContentBlock::make_text("a cat")}, ""});
  json::object body = encode_obj(r);
  const json::array& m = body.at("messages").as_array();
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0], json::parse(R"({"role":"user","content":[{"type":"text","text":"what?"},
    {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,AAAA"}}]})"));
  EXPECT_EQ(m[1], json::parse(R"({"role":"assistant","content":"a cat"})"));
}

TEST(OpenAIRequestEncode, StreamingAlwaysAsksForUsage) {
  ChatRequest r =
      decode_ok(R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":true})");
  EXPECT_FALSE(r.include_usage);
  json::object body = encode_obj(r);
  EXPECT_EQ(body.at("stream"), json::value(true));
  EXPECT_EQ(body.at("stream_options"), json::parse(R"({"include_usage":true})"));
  OpenAIEncodeOptions no_usage;
  no_usage.stream_usage = false;
  EXPECT_FALSE(encode_obj(r, no_usage).contains("stream_options"));
}

TEST(OpenAIRequestEncode, OptionsShapeTheBody) {
  ChatRequest r = decode_ok(R"({"model":"m","messages":[{"role":"user","content":"x"}],
    "max_tokens": 50, "temperature": 1, "user": "u", "n": 2, "logit_bias": {"1": 5},
    "tools": [{"type":"function","function":{"name":"f"}}], "tool_choice": "auto",
    "parallel_tool_calls": false})");
  json::object plain = encode_obj(r);
  EXPECT_EQ(plain.at("max_tokens"), json::value(50));
  EXPECT_EQ(plain.at("temperature"), json::value(1));  // written as 1, not 1e0
  EXPECT_EQ(plain.at("n"), json::value(2));
  EXPECT_EQ(plain.at("tool_choice"), "auto");
  EXPECT_EQ(plain.at("parallel_tool_calls"), json::value(false));
  EXPECT_EQ(plain.at("tools"), json::parse(R"([{"type":"function","function":{"name":"f"}}])"));

  OpenAIEncodeOptions o;
  o.max_tokens_field = "max_completion_tokens";
  o.drop_fields = {"user", "parallel_tool_calls", "logit_bias"};
  json::object shaped = encode_obj(r, o);
  EXPECT_FALSE(shaped.contains("max_tokens"));
  EXPECT_EQ(shaped.at("max_completion_tokens"), json::value(50));
  EXPECT_FALSE(shaped.contains("user"));
  EXPECT_FALSE(shaped.contains("parallel_tool_calls"));
  EXPECT_FALSE(shaped.contains("logit_bias"));
  EXPECT_TRUE(shaped.contains("n"));

  OpenAIEncodeOptions no_extra;
  no_extra.forward_extra = false;
  EXPECT_FALSE(encode_obj(r, no_extra).contains("n"));
}

TEST(OpenAIRequestEncode, ExtraNeverOverridesACanonicalField) {
  ChatRequest r;
  r.model = "m";
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("x")}, ""});
  r.max_tokens = 10;
  r.extra["model"] = "evil";
  r.extra["messages"] = json::array{};
  r.extra["max_tokens"] = 99999;
  OpenAIEncodeOptions o;
  o.max_tokens_field = "max_completion_tokens";
  json::object body = encode_obj(r, o);
  EXPECT_EQ(body.at("model"), "up-model");
  EXPECT_EQ(body.at("messages").as_array().size(), 1u);
  EXPECT_FALSE(body.contains("max_tokens"));
  EXPECT_EQ(body.at("max_completion_tokens"), json::value(10));
}

TEST(OpenAIRequestEncode, ToolChoiceAndResponseFormat) {
  ChatRequest r = decode_ok(R"({"model":"m","messages":[{"role":"user","content":"x"}],
    "tools":[{"type":"function","function":{"name":"f","description":"d","parameters":{"type":"object"},"strict":false}}],
    "tool_choice":{"type":"function","function":{"name":"f"}},
    "response_format":{"type":"json_schema","json_schema":{"name":"n","description":"dd","schema":{"type":"object"},"strict":true}}})");
  json::object body = encode_obj(r);
  EXPECT_EQ(body.at("tool_choice"), json::parse(R"({"type":"function","function":{"name":"f"}})"));
  EXPECT_EQ(body.at("tools"), json::parse(R"([{"type":"function","function":{"name":"f",
    "description":"d","parameters":{"type":"object"},"strict":false}}])"));
  EXPECT_EQ(body.at("response_format"), json::parse(R"({"type":"json_schema","json_schema":{
    "name":"n","schema":{"type":"object"},"strict":true,"description":"dd"}})"));
}

}  // namespace
}  // namespace gw::openai
