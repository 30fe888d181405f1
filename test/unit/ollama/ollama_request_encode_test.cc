// Canonical ChatRequest → Ollama /api/chat body: the three recorded request fixtures rebuilt from
// canonical requests, and the mappings Ollama needs (images, tool calls as objects, tool_name,
// format, options, an explicit stream).
#include <gtest/gtest.h>

#include "ollama/ollama_test_util.h"
#include "wire/ollama/ollama_request.h"

namespace gw {
namespace {

namespace json = boost::json;
using test::ollama_fixture;
using test::same_json;

std::string encode_ok(const ChatRequest& r, std::string_view model = "llama3.2") {
  Result<std::string> body = ollama::encode_chat_request(r, model);
  EXPECT_TRUE(body.ok()) << (body.ok() ? "" : body.error().message);
  return body.ok() ? std::move(body).value() : "{}";
}

Error encode_fails(const ChatRequest& r) {
  Result<std::string> body = ollama::encode_chat_request(r, "m");
  EXPECT_FALSE(body.ok()) << (body.ok() ? body.value() : "");
  return body.ok() ? Error{} : body.error();
}

Message user(std::string text) {
  return Message{Role::user, {ContentBlock::make_text(std::move(text))}, ""};
}

ContentBlock tool_use(std::string id, std::string name, std::string arguments) {
  ContentBlock b;
  b.type = BlockType::tool_use;
  b.id = std::move(id);
  b.name = std::move(name);
  b.arguments = std::move(arguments);
  return b;
}

ContentBlock tool_result(std::string id, std::string text) {
  ContentBlock b;
  b.type = BlockType::tool_result;
  b.id = std::move(id);
  b.text = std::move(text);
  return b;
}

json::object encoded(const ChatRequest& r) {
  return json::parse(encode_ok(r, "m")).as_object();
}

// A fixture without "stream" means what Ollama reads it as: a streamed request. The encoder
// always writes the field, so the fixture gets it spelled out before comparing.
std::string with_explicit_stream(const std::string& fixture_text) {
  json::object o = json::parse(fixture_text).as_object();
  if (!o.contains("stream")) o["stream"] = true;
  return json::serialize(o);
}

TEST(OllamaRequestEncode, ChatFixture) {
  ChatRequest r;
  r.model = "alias-from-the-client";  // the route's upstream model is what Ollama gets
  r.messages.push_back(user("why is the sky blue?"));
  r.stream = false;
  EXPECT_TRUE(same_json(encode_ok(r), ollama_fixture("chat.request.json")));
}

TEST(OllamaRequestEncode, ChatStreamFixture) {
  ChatRequest r;
  r.messages.push_back(user("こんにちは"));
  r.stream = true;
  const std::string body = encode_ok(r);
  EXPECT_TRUE(same_json(body, with_explicit_stream(ollama_fixture("chat-stream.request.json"))));
  EXPECT_NE(body.find(R"("stream":true)"), std::string::npos);
}

TEST(OllamaRequestEncode, ChatToolsFixture) {
  ChatRequest r;
  r.messages.push_back(user("What is the weather today in Paris?"));
  r.stream = false;
  ToolSpec t;
  t.name = "get_current_weather";
  t.description = "Get the current weather for a location";
  t.parameters = json::parse(R"({
    "type": "object",
    "properties": {
      "location": {"type": "string",
                   "description": "The location to get the weather for, e.g. San Francisco, CA"},
      "format": {"type": "string",
                 "description": "The format to return the weather in, e.g. 'celsius' or 'fahrenheit'",
                 "enum": ["celsius", "fahrenheit"]}
    },
    "required": ["location", "format"]})");
  r.tools.push_back(t);
  EXPECT_TRUE(same_json(encode_ok(r), ollama_fixture("chat-tools.request.json")));
}

TEST(OllamaRequestEncode, EveryRequestFixtureSurvivesDecodeThenEncode) {
  for (const char* name :
       {"chat.request.json", "chat-stream.request.json", "chat-tools.request.json"}) {
    const std::string text = ollama_fixture(name);
    Result<ChatRequest> decoded = ollama::decode_chat_request(text);
    ASSERT_TRUE(decoded.ok()) << name << ": " << decoded.error().message;
    EXPECT_TRUE(same_json(encode_ok(*decoded, decoded->model), with_explicit_stream(text))) << name;
  }
}

TEST(OllamaRequestEncode, SystemBlocksLeadAsSystemMessages) {
  ChatRequest r;
  r.system.push_back(ContentBlock::make_text("Be brief."));
  r.system.push_back(ContentBlock::make_text("Answer in French."));
  r.messages.push_back(user("hi"));
  json::object body = encoded(r);
  EXPECT_EQ(body.at("messages"), json::parse(R"([{"role":"system","content":"Be brief."},
      {"role":"system","content":"Answer in French."},{"role":"user","content":"hi"}])"));
  EXPECT_EQ(body.at("stream"), json::value(false));  // explicit even when not streaming
}

TEST(OllamaRequestEncode, ImagesAreBareBase64) {
  ChatRequest r;
  Message m = user("What is in these pictures?");
  ContentBlock data;
  data.type = BlockType::image;
  data.media_type = "image/png";
  data.data = "iVBORw0KGgoAAAANSUhEUg==";
  m.content.push_back(data);
  ContentBlock data_url;
  data_url.type = BlockType::image;
  data_url.url = "data:image/jpeg;base64,/9j/4AAQSkZJRg==";
  m.content.push_back(data_url);
  m.content.push_back(ContentBlock::make_text("Be precise."));
  r.messages.push_back(m);
  EXPECT_EQ(encoded(r).at("messages"), json::parse(R"([{"role":"user",
      "content":"What is in these pictures?\nBe precise.",
      "images":["iVBORw0KGgoAAAANSUhEUg==","/9j/4AAQSkZJRg=="]}])"));
}

TEST(OllamaRequestEncode, ImageUrlsAreRefusedNamingTheLimitation) {
  ChatRequest r;
  Message m = user("look");
  ContentBlock img;
  img.type = BlockType::image;
  img.url = "https://example.com/cat.png";
  m.content.push_back(img);
  r.messages.push_back(user("first"));
  r.messages.push_back(m);
  Error e = encode_fails(r);
  EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(http_status(e.kind), 400);
  EXPECT_EQ(e.code, "image_url_unsupported");
  EXPECT_EQ(e.param, "messages[1].content[1]");
  EXPECT_NE(e.message.find("Ollama cannot fetch image URLs"), std::string::npos);
  EXPECT_EQ(e.retry, RetryClass::fallback_only);

  m.content[1].url = "data:image/svg+xml,<svg/>";
  r.messages[1] = m;
  EXPECT_EQ(encode_fails(r).code, "image_data_not_base64");
}

TEST(OllamaRequestEncode, ToolCallsAndResults) {
  ChatRequest r;
  r.messages.push_back(user("Weather in Paris and Oslo?"));
  Message assistant{Role::assistant, {}, ""};
  ContentBlock thinking;
  thinking.type = BlockType::reasoning;
  thinking.text = "Two calls.";
  assistant.content.push_back(thinking);
  assistant.content.push_back(tool_use("call_a", "get_weather", R"({"city":"Paris","days":1.5})"));
  assistant.content.push_back(tool_use("call_b", "get_time", ""));
  r.messages.push_back(assistant);
  r.messages.push_back(Message{Role::tool, {tool_result("call_a", "12 C")}, ""});
  // An Anthropic-style user turn: results and text together; the results go first.
  Message mixed = user("Thanks, and?");
  mixed.content.insert(mixed.content.begin(), tool_result("call_b", "09:00"));
  mixed.content.push_back(tool_result("unknown", "orphan"));
  r.messages.push_back(mixed);
  EXPECT_EQ(encoded(r).at("messages"), json::parse(R"([
      {"role":"user","content":"Weather in Paris and Oslo?"},
      {"role":"assistant","content":"","thinking":"Two calls.","tool_calls":[
        {"function":{"name":"get_weather","arguments":{"city":"Paris","days":1.5}}},
        {"function":{"name":"get_time","arguments":{}}}]},
      {"role":"tool","content":"12 C","tool_name":"get_weather"},
      {"role":"tool","content":"09:00","tool_name":"get_time"},
      {"role":"tool","content":"orphan"},
      {"role":"user","content":"Thanks, and?"}])"));
}

TEST(OllamaRequestEncode, ArgumentsMustBeAnObject) {
  ChatRequest r;
  r.messages.push_back(Message{Role::assistant, {tool_use("c", "f", "[1,2]")}, ""});
  Error e = encode_fails(r);
  EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(e.code, "tool_arguments_not_object");
  EXPECT_EQ(e.param, "messages[0].content[0]");
  r.messages[0].content[0].arguments = "{broken";
  EXPECT_EQ(encode_fails(r).code, "tool_arguments_not_object");
}

TEST(OllamaRequestEncode, ToolChoice) {
  ChatRequest r;
  r.messages.push_back(user("hi"));
  ToolSpec bare;
  bare.name = "ping";
  r.tools.push_back(bare);
  // A tool without parameters still gets an object schema.
  EXPECT_EQ(encoded(r).at("tools"), json::parse(R"([{"type":"function","function":{"name":"ping",
      "parameters":{"type":"object","properties":{}}}}])"));
  r.tool_choice.mode = ToolChoice::Mode::none;
  EXPECT_FALSE(encoded(r).contains("tools"));
  // Ollama cannot force a tool: the tools go, the model decides.
  r.tool_choice.mode = ToolChoice::Mode::named;
  r.tool_choice.name = "ping";
  r.parallel_tool_calls = false;
  json::object body = encoded(r);
  EXPECT_TRUE(body.contains("tools"));
  EXPECT_FALSE(body.contains("tool_choice"));
  EXPECT_FALSE(body.contains("parallel_tool_calls"));
  r.tool_choice.mode = ToolChoice::Mode::required;
  EXPECT_TRUE(encoded(r).contains("tools"));
}

TEST(OllamaRequestEncode, Format) {
  ChatRequest r;
  r.messages.push_back(user("hi"));
  r.response_format.type = ResponseFormat::Type::text;
  EXPECT_FALSE(encoded(r).contains("format"));
  r.response_format.type = ResponseFormat::Type::json_object;
  EXPECT_EQ(encoded(r).at("format"), "json");
  r.response_format.type = ResponseFormat::Type::json_schema;
  r.response_format.name = "answer";
  r.response_format.schema =
      json::parse(R"({"type":"object","properties":{"a":{"type":"integer"}}})");
  EXPECT_EQ(encoded(r).at("format"), r.response_format.schema);
  r.response_format.schema = nullptr;
  EXPECT_EQ(encoded(r).at("format"), "json");
}

TEST(OllamaRequestEncode, OptionsAndWhatIsDropped) {
  ChatRequest r;
  r.messages.push_back(user("hi"));
  r.messages.back().name = "alice";
  r.temperature = 0.7;
  r.top_p = 1.0;
  r.seed = 42;
  r.max_tokens = 100;
  r.stop = {"\n\n", "END"};
  r.user = "u-1";
  r.extra["presence_penalty"] = 0.5;
  r.stream = true;
  r.include_usage = false;
  const std::string body = encode_ok(r, "m");
  EXPECT_TRUE(same_json(body, R"({"model":"m","messages":[{"role":"user","content":"hi"}],
      "options":{"temperature":0.7,"top_p":1,"seed":42,"num_predict":100,"stop":["\n\n","END"]},
      "stream":true})"));
  // Numbers are written the way Go writes them.
  EXPECT_NE(body.find(R"("temperature":0.7)"), std::string::npos);
  EXPECT_EQ(body.find("think"), std::string::npos);
}

TEST(OllamaRequestEncode, EmptyMessagesAndEmptyUserContent) {
  ChatRequest r;
  r.messages.push_back(Message{Role::user, {}, ""});
  r.messages.push_back(Message{Role::assistant, {ContentBlock::make_text("")}, ""});
  EXPECT_EQ(encoded(r).at("messages"), json::parse(R"([{"role":"user","content":""},
      {"role":"assistant","content":""}])"));
}

}  // namespace
}  // namespace gw
