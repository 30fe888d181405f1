// encode_converse_request against the recorded Converse requests (test/fixtures/providers/bedrock)
// and the request shapes Converse requires: tool turns, merged roles, images, tool choice.
#include "wire/bedrock/bedrock_request.h"

#include <gtest/gtest.h>

#include "bedrock_test_support.h"

namespace gw::bedrock {
namespace {

namespace json = boost::json;
using bedrock_test::fixture;
using bedrock_test::fixture_json;
using bedrock_test::json_equivalent;

json::value encode(const ChatRequest& r) {
  Result<std::string> body = encode_converse_request(r);
  EXPECT_TRUE(body.ok()) << (body.ok() ? "" : body.error().message);
  return body.ok() ? json::parse(body.value()) : json::value();
}

Error encode_error(const ChatRequest& r) {
  Result<std::string> body = encode_converse_request(r);
  EXPECT_FALSE(body.ok()) << body.value();
  return body.ok() ? Error{} : body.error();
}

Message user(std::string text) {
  Message m;
  m.content.push_back(ContentBlock::make_text(std::move(text)));
  return m;
}

ChatRequest chat(std::string system, std::string text) {
  ChatRequest r;
  r.model = "us.amazon.nova-micro-v1:0";
  if (!system.empty()) r.system.push_back(ContentBlock::make_text(std::move(system)));
  r.messages.push_back(user(std::move(text)));
  return r;
}

void expect_fixture(const ChatRequest& r, const std::string& name) {
  const json::value expected = fixture_json(name);
  const json::value actual = encode(r);
  EXPECT_TRUE(json_equivalent(actual, expected))
      << "encoded:  " << json::serialize(actual) << "\nfixture: " << json::serialize(expected);
}

TEST(BedrockRequestFixture, Converse) {
  expect_fixture(chat("You are a chatbot.", "Hello!"), "converse.request.json");
}

TEST(BedrockRequestFixture, ConverseStream) {
  ChatRequest r = chat("You are a helpful chatbot.", "What is the capital of France?");
  r.stream = true;  // the operation is in the path; the body is the same
  r.temperature = 0.0;
  expect_fixture(r, "converse-stream.request.json");
}

TEST(BedrockRequestFixture, ErrorRequestWithEmptySystem) {
  expect_fixture(chat("", "hello"), "error-400-validation.request.json");
}

TEST(BedrockRequestFixture, ToolUse) {
  // Built from the fixture's own tool declarations, as the pipeline would hand them over.
  const json::value recorded = fixture_json("converse-tool-use.request.json");
  ChatRequest r =
      chat("You are a helpful chatbot.", "What was the temperature in London 1st January 2022?");
  for (const json::value& t : recorded.at("toolConfig").at("tools").as_array()) {
    const json::object& spec = t.at("toolSpec").as_object();
    ToolSpec tool;
    tool.name = std::string(spec.at("name").as_string());
    tool.description = std::string(spec.at("description").as_string());
    tool.parameters = spec.at("inputSchema").at("json");
    r.tools.push_back(std::move(tool));
  }
  r.tool_choice.mode = ToolChoice::Mode::required;
  expect_fixture(r, "converse-tool-use.request.json");
}

TEST(BedrockRequestFixture, EveryRequestFixtureSurvivesDecodeThenEncode) {
  for (const char* name : {"converse.request.json", "converse-stream.request.json",
                           "converse-tool-use.request.json", "error-400-validation.request.json"}) {
    Result<ChatRequest> decoded = decode_converse_request(fixture(name), "m", false);
    ASSERT_TRUE(decoded.ok()) << name << ": " << decoded.error().message;
    EXPECT_TRUE(json_equivalent(encode(decoded.value()), fixture_json(name))) << name;
  }
}

TEST(BedrockRequest, InferenceConfig) {
  ChatRequest r = chat("", "hi");
  r.max_tokens = 256;
  r.temperature = 0.5;
  r.top_p = 1.0;
  r.stop = {"END", "\n\n"};
  r.seed = 7;        // no Converse field
  r.user = "alice";  // no Converse field
  r.extra["presence_penalty"] = 0.5;
  const json::value body = encode(r);
  EXPECT_TRUE(json_equivalent(body.at("inferenceConfig"),
                              json::parse(R"({"maxTokens":256,"temperature":0.5,"topP":1,
                                              "stopSequences":["END","\n\n"]})")))
      << json::serialize(body);
  EXPECT_FALSE(body.as_object().contains("seed"));
  EXPECT_FALSE(body.as_object().contains("user"));
  EXPECT_FALSE(body.as_object().contains("presence_penalty"));
  EXPECT_FALSE(body.as_object().contains("toolConfig"));
}

// A tool round trip: the assistant's call, the tool's answer, a follow-up question.
ChatRequest tool_history() {
  ChatRequest r = chat("", "Weather in Paris and Rome?");
  Message a;
  a.role = Role::assistant;
  a.content.push_back(ContentBlock::make_text("Let me check."));
  for (const char* id : {"tooluse_1", "tooluse_2"}) {
    ContentBlock call;
    call.type = BlockType::tool_use;
    call.id = id;
    call.name = "get_weather";
    call.arguments = std::string(R"({"city":")") + (id[8] == '1' ? "Paris" : "Rome") + "\"}";
    a.content.push_back(std::move(call));
  }
  r.messages.push_back(std::move(a));
  for (const char* id : {"tooluse_1", "tooluse_2"}) {
    Message t;
    t.role = Role::tool;
    ContentBlock res;
    res.type = BlockType::tool_result;
    res.id = id;
    res.text = id[8] == '1' ? "18C" : "unknown city";
    res.is_error = id[8] == '2';
    t.content.push_back(std::move(res));
    r.messages.push_back(std::move(t));
  }
  r.messages.push_back(user("And tomorrow?"));
  ToolSpec tool;
  tool.name = "get_weather";
  tool.parameters = json::parse(R"({"type":"object","properties":{"city":{"type":"string"}}})");
  r.tools.push_back(std::move(tool));
  return r;
}

TEST(BedrockRequest, ToolTurnsBecomeOneUserMessageWithResultsFirst) {
  const json::value body = encode(tool_history());
  const json::value expected = json::parse(R"([
    {"role":"user","content":[{"text":"Weather in Paris and Rome?"}]},
    {"role":"assistant","content":[
      {"text":"Let me check."},
      {"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"city":"Paris"}}},
      {"toolUse":{"toolUseId":"tooluse_2","name":"get_weather","input":{"city":"Rome"}}}]},
    {"role":"user","content":[
      {"toolResult":{"toolUseId":"tooluse_1","content":[{"text":"18C"}]}},
      {"toolResult":{"toolUseId":"tooluse_2","content":[{"text":"unknown city"}],"status":"error"}},
      {"text":"And tomorrow?"}]}])");
  EXPECT_TRUE(json_equivalent(body.at("messages"), expected)) << json::serialize(body);
  EXPECT_TRUE(json_equivalent(
      body.at("toolConfig"),
      json::parse(R"({"tools":[{"toolSpec":{"name":"get_weather","inputSchema":{"json":
                       {"type":"object","properties":{"city":{"type":"string"}}}}}}]})")))
      << json::serialize(body);
}

TEST(BedrockRequest, ToolHistoryRoundTripsThroughTheMockDecoder) {
  const ChatRequest original = tool_history();
  Result<std::string> body = encode_converse_request(original);
  ASSERT_TRUE(body.ok());
  Result<ChatRequest> decoded = decode_converse_request(body.value(), "m", false);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  // The two tool messages merged into one user turn, with the question, on the wire.
  ASSERT_EQ(decoded->messages.size(), 3u);
  EXPECT_EQ(decoded->messages[2].content.size(), 3u);
  EXPECT_TRUE(decoded->messages[2].content[1].is_error);
  Result<std::string> again = encode_converse_request(decoded.value());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(json_equivalent(json::parse(again.value()), json::parse(body.value())));
}

TEST(BedrockRequest, AdjacentSameRoleMessagesAreMerged) {
  ChatRequest r = chat("", "one");
  r.messages.push_back(user("two"));
  const json::value body = encode(r);
  EXPECT_TRUE(json_equivalent(
      body.at("messages"),
      json::parse(R"([{"role":"user","content":[{"text":"one"},{"text":"two"}]}])")));
}

TEST(BedrockRequest, ToolChoiceModes) {
  struct Case {
    ToolChoice::Mode mode;
    const char* expected;  // toolChoice, or "" when it must be absent
  };
  const Case cases[] = {
      {ToolChoice::Mode::unset, ""},
      {ToolChoice::Mode::auto_, R"({"auto":{}})"},
      {ToolChoice::Mode::required, R"({"any":{}})"},
      {ToolChoice::Mode::named, R"({"tool":{"name":"get_weather"}})"},
      {ToolChoice::Mode::none, ""},
  };
  for (const Case& c : cases) {
    ChatRequest r = tool_history();
    r.tool_choice.mode = c.mode;
    r.tool_choice.name = "get_weather";
    const json::value body = encode(r);
    const json::object& config = body.at("toolConfig").as_object();
    EXPECT_EQ(config.at("tools").as_array().size(), 1u)
        << "tools kept for mode " << static_cast<int>(c.mode);
    if (*c.expected == '\0') {
      EXPECT_FALSE(config.contains("toolChoice")) << static_cast<int>(c.mode);
    } else {
      EXPECT_EQ(config.at("toolChoice"), json::parse(c.expected)) << static_cast<int>(c.mode);
    }
  }
}

TEST(BedrockRequest, ToolWithoutParametersGetsAnEmptyObjectSchema) {
  ChatRequest r = chat("", "time?");
  ToolSpec t;
  t.name = "now";
  t.description = "Current time";
  r.tools.push_back(t);
  EXPECT_EQ(encode(r).at("toolConfig").at("tools").at(0),
            json::parse(R"({"toolSpec":{"name":"now","description":"Current time",
                             "inputSchema":{"json":{"type":"object","properties":{}}}}})"));
}

TEST(BedrockRequest, Base64ImagesAndDataUrls) {
  ChatRequest r = chat("", "what is this?");
  ContentBlock img;
  img.type = BlockType::image;
  img.media_type = "image/png";
  img.data = "iVBORw0KGgo=";
  r.messages[0].content.push_back(img);
  ContentBlock url_img;
  url_img.type = BlockType::image;
  url_img.url = "data:image/jpeg;base64,/9j/4AAQ";
  r.messages[0].content.push_back(url_img);
  const json::value body = encode(r);
  const json::value& content = body.at("messages").at(0).at("content");
  EXPECT_EQ(content.at(1),
            json::parse(R"({"image":{"format":"png","source":{"bytes":"iVBORw0KGgo="}}})"));
  EXPECT_EQ(content.at(2),
            json::parse(R"({"image":{"format":"jpeg","source":{"bytes":"/9j/4AAQ"}}})"));
}

TEST(BedrockRequest, ImageUrlsAreRejectedNamingTheBlock) {
  ChatRequest r = chat("", "what is this?");
  ContentBlock img;
  img.type = BlockType::image;
  img.url = "https://example.com/cat.png";
  r.messages[0].content.push_back(img);
  const Error e = encode_error(r);
  EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(e.code, "unsupported_content");
  EXPECT_EQ(e.param, "messages[0].content[1]");
  EXPECT_NE(e.message.find("not by URL"), std::string::npos) << e.message;
}

TEST(BedrockRequest, UnsupportedImageTypeIsRejected) {
  ChatRequest r = chat("", "what is this?");
  ContentBlock img;
  img.type = BlockType::image;
  img.media_type = "image/bmp";
  img.data = "Qk0=";
  r.messages[0].content.push_back(img);
  const Error e = encode_error(r);
  EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request);
  EXPECT_NE(e.message.find("image/bmp"), std::string::npos) << e.message;
}

TEST(BedrockRequest, ToolArgumentsMustBeAJsonObject) {
  for (const char* args : {"not json", "[1,2]", "\"text\""}) {
    ChatRequest r = tool_history();
    r.messages[1].content[1].arguments = args;
    const Error e = encode_error(r);
    EXPECT_EQ(e.kind, ErrorKind::caller_invalid_request) << args;
    EXPECT_EQ(e.param, "messages[1].content[1]") << args;
  }
  ChatRequest empty_args = tool_history();
  empty_args.messages[1].content[1].arguments = "";
  EXPECT_EQ(encode(empty_args).at("messages").at(1).at("content").at(1).at("toolUse").at("input"),
            json::object());
}

TEST(BedrockRequest, ReasoningBlocksKeepTheirSignature) {
  ChatRequest r = chat("", "think");
  Message a;
  a.role = Role::assistant;
  ContentBlock thought;
  thought.type = BlockType::reasoning;
  thought.text = "Let me think.";
  thought.signature = "sig==";
  a.content.push_back(thought);
  a.content.push_back(ContentBlock::make_text("Done."));
  r.messages.push_back(std::move(a));
  r.messages.push_back(user("again"));
  EXPECT_EQ(encode(r).at("messages").at(1).at("content").at(0),
            json::parse(R"({"reasoningContent":{"reasoningText":{"text":"Let me think.",
                                                                 "signature":"sig=="}}})"));
}

}  // namespace
}  // namespace gw::bedrock
