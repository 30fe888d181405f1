// encode_messages_request (the anthropic provider): request fixtures survive ingress decode →
// provider encode, canonical requests from other dialects get Anthropic's shape (alternation,
// tool results first, signed thinking only), and every parameter mapping.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "anthropic/anthropic_test_util.h"
#include "wire/anthropic/anthropic_request.h"

namespace gw::anthropic {
namespace {

namespace json = boost::json;
using test::dump;
using test::str;

json::value encode_json(const ChatRequest& r, std::string_view model = "claude-x",
                        AnthropicEncodeOptions options = {}) {
  Result<std::string> body = encode_messages_request(r, model, options);
  EXPECT_TRUE(body.ok()) << (body.ok() ? "" : body.error().message);
  return body.ok() ? json::parse(*body) : json::value();
}

// The fixture as the provider encoder writes it: string message content as one text block and
// "stream": false left out (both mean the same to the API).
json::value normalized(json::value v) {
  json::object& o = v.as_object();
  if (const auto* s = o.if_contains("stream"); s != nullptr && s->is_bool() && !s->get_bool()) {
    o.erase("stream");
  }
  for (json::value& m : o["messages"].as_array()) {
    json::value& content = m.as_object()["content"];
    if (content.is_string()) {
      content = json::array{json::object{{"type", "text"}, {"text", content.as_string()}}};
    }
  }
  return v;
}

TEST(AnthropicRequestEncode, RequestFixturesRoundTrip) {
  const auto files = test::fixture_files("anthropic", ".request.json");
  ASSERT_EQ(files.size(), 6u);
  for (const auto& path : files) {
    const std::string text = test::read_file(path);
    Result<ChatRequest> decoded = decode_messages_request(text);
    ASSERT_TRUE(decoded.ok()) << path << ": " << decoded.error().message;
    const json::value original = json::parse(text);
    const std::string model(original.at("model").as_string());
    const json::value encoded = encode_json(*decoded, model);
    // Object member order is not significant (the recorded fixtures have sorted keys).
    EXPECT_EQ(encoded, normalized(original))
        << path << "\nencoded:  " << str(encoded) << "\nfixture:  " << str(normalized(original));
  }
}

ChatRequest base() {
  ChatRequest r;
  r.model = "alias";
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("hi")}, ""});
  return r;
}

ContentBlock block(BlockType type) {
  ContentBlock b;
  b.type = type;
  return b;
}

TEST(AnthropicRequestEncode, MinimalRequestGetsTheDefaultMaxTokens) {
  json::value body = encode_json(base(), "claude-haiku");
  EXPECT_EQ(
      str(body),
      R"({"model":"claude-haiku","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}]})");
  AnthropicEncodeOptions options;
  options.default_max_tokens = 777;
  EXPECT_EQ(encode_json(base(), "m", options).at("max_tokens").as_int64(), 777);
  ChatRequest r = base();
  r.max_tokens = 12;
  EXPECT_EQ(encode_json(r, "m", options).at("max_tokens").as_int64(), 12);
}

// An OpenAI-dialect conversation: tool messages, one per result, then a user turn.
TEST(AnthropicRequestEncode, ToolMessagesMergeIntoOneUserTurnWithResultsFirst) {
  ChatRequest r;
  r.model = "m";
  r.system = {ContentBlock::make_text("sys one"), ContentBlock::make_text("sys two")};
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("weather and time?")}, ""});
  Message a{Role::assistant, {}, ""};
  ContentBlock c1 = block(BlockType::tool_use);
  c1.id = "call_1";
  c1.name = "get_weather";
  c1.arguments = R"({"city":"Paris","n":1.5})";
  ContentBlock c2 = block(BlockType::tool_use);
  c2.id = "call_2";
  c2.name = "get_time";
  a.content = {c1, c2};
  r.messages.push_back(a);
  for (const char* id : {"call_1", "call_2"}) {
    ContentBlock res = block(BlockType::tool_result);
    res.id = id;
    res.text = std::string("result ") + id;
    res.is_error = std::string(id) == "call_2";
    r.messages.push_back(Message{Role::tool, {res}, ""});
  }
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("and?")}, ""});
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("hello?")}, ""});

  json::value body = encode_json(r);
  EXPECT_EQ(str(body.at("system")),
            R"([{"type":"text","text":"sys one"},{"type":"text","text":"sys two"}])");
  const json::array& m = body.at("messages").as_array();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(
      m[1],
      json::parse(
          R"({"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris","n":1.5}},{"type":"tool_use","id":"call_2","name":"get_time","input":{}}]})"));
  // Numbers are written the way the arguments had them, not as Boost's 1.5E0.
  EXPECT_NE(encode_messages_request(r, "m", {})->find(R"("n":1.5})"), std::string::npos);
  EXPECT_EQ(
      str(m[2]),
      R"({"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"result call_1"},{"type":"tool_result","tool_use_id":"call_2","content":"result call_2","is_error":true},{"type":"text","text":"and?"},{"type":"text","text":"hello?"}]})");
}

TEST(AnthropicRequestEncode, ResultsGoFirstEvenWhenTextPrecedesThem) {
  ChatRequest r;
  r.model = "m";
  ContentBlock res = block(BlockType::tool_result);
  res.id = "t1";
  res.text = "42";
  // A user message holding text and a result together (as an Anthropic client may send).
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("note"), res}, ""});
  json::value body = encode_json(r);
  EXPECT_EQ(
      str(body.at("messages").at(0).at("content")),
      R"([{"type":"tool_result","tool_use_id":"t1","content":"42"},{"type":"text","text":"note"}])");
}

TEST(AnthropicRequestEncode, ImagesReasoningAndToolResultImages) {
  ChatRequest r;
  r.model = "m";
  ContentBlock url = block(BlockType::image);
  url.url = "https://example.com/cat.png";
  ContentBlock data_url = block(BlockType::image);
  data_url.url = "data:image/jpeg;base64,/9j/4AAQ";
  ContentBlock b64 = block(BlockType::image);
  b64.media_type = "image/png";
  b64.data = "iVBOR";
  r.messages.push_back(Message{Role::user, {url, data_url, b64}, ""});
  ContentBlock signed_thinking = block(BlockType::reasoning);
  signed_thinking.text = "let me think";
  signed_thinking.signature = "sig";
  ContentBlock foreign = block(BlockType::reasoning);  // e.g. DeepSeek reasoning_content
  foreign.text = "unsigned thoughts";
  ContentBlock redacted = block(BlockType::reasoning);
  redacted.data = "opaque";
  ContentBlock call = block(BlockType::tool_use);
  call.id = "toolu_1";
  call.name = "look";
  r.messages.push_back(Message{Role::assistant, {signed_thinking, foreign, redacted, call}, ""});
  ContentBlock res = block(BlockType::tool_result);
  res.id = "toolu_1";
  res.text = "see image";
  r.messages.push_back(Message{Role::tool, {res, b64}, ""});

  json::value body = encode_json(r);
  const json::array& m = body.at("messages").as_array();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(
      str(m[0].at("content")),
      R"([{"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}}])");
  EXPECT_EQ(
      str(m[1].at("content")),
      R"([{"type":"thinking","thinking":"let me think","signature":"sig"},{"type":"redacted_thinking","data":"opaque"},{"type":"tool_use","id":"toolu_1","name":"look","input":{}}])");
  EXPECT_EQ(
      str(m[2].at("content")),
      R"([{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"see image"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}}]}])");
}

TEST(AnthropicRequestEncode, ArgumentsThatAreNotAnObjectFailNamingTheBlock) {
  ChatRequest r = base();
  ContentBlock call = block(BlockType::tool_use);
  call.id = "c";
  call.name = "f";
  call.arguments = "{\"a\": ";  // truncated by the model that produced it
  r.messages.push_back(Message{Role::assistant, {ContentBlock::make_text("x"), call}, ""});
  Result<std::string> out = encode_messages_request(r, "m", {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, ErrorKind::caller_invalid_request);
  EXPECT_EQ(out.error().param, "messages.1.content.1.arguments");

  r.messages.back().content[1].arguments = "[1,2]";
  EXPECT_FALSE(encode_messages_request(r, "m", {}).ok());
}

TEST(AnthropicRequestEncode, ToolsChoiceAndParameters) {
  ChatRequest r = base();
  ToolSpec with_schema;
  with_schema.name = "search";
  with_schema.description = "Search the web";
  with_schema.parameters = json::parse(R"({"type":"object","properties":{"q":{"type":"string"}}})");
  ToolSpec no_params;
  no_params.name = "now";
  r.tools = {with_schema, no_params};
  r.stop = {"END"};
  r.temperature = 1.0;
  r.top_p = 0.25;
  r.seed = 7;  // no Anthropic field
  r.user = "user-9";
  r.stream = true;
  r.include_usage = true;
  r.response_format.type = ResponseFormat::Type::json_object;  // no Anthropic field
  r.extra =
      json::parse(
          R"({"top_k":5,"thinking":{"type":"enabled","budget_tokens":2000},"presence_penalty":0.5,
                    "service_tier":"flex","logprobs":true,"metadata":{"user_id":"other"}})")
          .as_object();

  json::value body = encode_json(r);
  EXPECT_EQ(
      str(body.at("tools")),
      R"([{"name":"search","description":"Search the web","input_schema":{"type":"object","properties":{"q":{"type":"string"}}}},{"name":"now","input_schema":{"type":"object","properties":{}}}])");
  EXPECT_FALSE(body.as_object().contains("tool_choice"));  // unset: Anthropic's default is auto
  EXPECT_EQ(str(body.at("stop_sequences")), R"(["END"])");
  EXPECT_EQ(str(body.at("temperature")), "1");
  EXPECT_EQ(body.at("top_p").as_double(), 0.25);
  EXPECT_EQ(str(body.at("metadata")), R"({"user_id":"user-9"})");
  EXPECT_TRUE(body.at("stream").as_bool());
  EXPECT_EQ(body.at("top_k").as_int64(), 5);
  EXPECT_EQ(body.at("thinking").at("budget_tokens").as_int64(), 2000);
  for (const char* dropped :
       {"seed", "response_format", "presence_penalty", "service_tier", "logprobs", "user"}) {
    EXPECT_FALSE(body.as_object().contains(dropped)) << dropped;
  }

  const std::vector<std::pair<ToolChoice, const char*>> choices = {
      {{ToolChoice::Mode::auto_, ""}, R"({"type":"auto"})"},
      {{ToolChoice::Mode::required, ""}, R"({"type":"any"})"},
      {{ToolChoice::Mode::none, ""}, R"({"type":"none"})"},
      {{ToolChoice::Mode::named, "search"}, R"({"type":"tool","name":"search"})"},
  };
  for (const auto& [choice, expected] : choices) {
    r.tool_choice = choice;
    EXPECT_EQ(str(encode_json(r).at("tool_choice")), expected);
  }
  r.parallel_tool_calls = false;
  r.tool_choice = {};
  EXPECT_EQ(str(encode_json(r).at("tool_choice")),
            R"({"type":"auto","disable_parallel_tool_use":true})");
  r.tool_choice = {ToolChoice::Mode::required, ""};
  EXPECT_EQ(str(encode_json(r).at("tool_choice")),
            R"({"type":"any","disable_parallel_tool_use":true})");
  r.tools.clear();  // no tools: no tool_choice at all
  EXPECT_FALSE(encode_json(r).as_object().contains("tool_choice"));
}

TEST(AnthropicRequestEncode, AnthropicServiceTierIsForwarded) {
  ChatRequest r = base();
  r.extra = json::parse(R"({"service_tier":"standard_only"})").as_object();
  EXPECT_EQ(encode_json(r).at("service_tier").as_string(), "standard_only");
}

// Any canonical request encodes to a body the ingress decoder reads back unchanged (modulo the
// wire's own rules: max_tokens filled in, tool turns split per result).
TEST(AnthropicRequestEncode, CanonicalRoundTripThroughTheIngressDecoder) {
  ChatRequest r;
  r.model = "claude-x";
  r.max_tokens = 64;
  r.system = {ContentBlock::make_text("be brief")};
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("use f")}, ""});
  ContentBlock call = block(BlockType::tool_use);
  call.id = "toolu_a";
  call.name = "f";
  call.arguments = R"({"x":[1,true,null,"s"],"y":{"z":-2}})";
  r.messages.push_back(Message{Role::assistant, {ContentBlock::make_text("ok"), call}, ""});
  ContentBlock res = block(BlockType::tool_result);
  res.id = "toolu_a";
  res.text = "done";
  res.is_error = true;
  r.messages.push_back(Message{Role::tool, {res}, ""});
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("thanks")}, ""});
  ToolSpec t;
  t.name = "f";
  t.parameters = json::parse(R"({"type":"object"})");
  r.tools = {t};
  r.tool_choice = {ToolChoice::Mode::named, "f"};
  r.parallel_tool_calls = false;
  r.stop = {"x"};
  r.temperature = 0.5;
  r.top_p = 0.5;
  r.user = "u";
  r.stream = true;
  r.include_usage = true;

  Result<std::string> body = encode_messages_request(r, "claude-x", {});
  ASSERT_TRUE(body.ok());
  Result<ChatRequest> back = decode_messages_request(*body);
  ASSERT_TRUE(back.ok()) << back.error().message;
  back->extra.erase("metadata");  // the ingress also keeps metadata as an Anthropic parameter
  EXPECT_EQ(str(dump(*back)), str(dump(r)));
}

}  // namespace
}  // namespace gw::anthropic
