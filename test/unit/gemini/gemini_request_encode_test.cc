// Gemini provider side: canonical ChatRequest → GenerateContentRequest, checked against the
// recorded request fixtures (decode with the ingress decoder, re-encode, compare) and the rules
// Gemini imposes (one user turn per batch of tool results, no call ids, objects only).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "gemini_test_util.h"
#include "wire/gemini/gemini_request.h"

namespace gw::gemini {
namespace {

namespace json = boost::json;
using test::gemini_fixture;

json::value encode(const ChatRequest& r) {
  auto body = encode_generate_request(r);
  EXPECT_TRUE(body.ok()) << body.error().message;
  return body.ok() ? json::parse(body.value()) : json::value();
}

ChatRequest decoded(const std::string& body) {
  auto r = decode_generate_request(body, IngressContext{"gemini-2.0-flash", false});
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : ChatRequest{};
}

// The function declarations of a body, whichever way its tools are written.
json::value declarations(const json::value& body) {
  const json::value& tools = body.at("tools");
  const json::value& tool = tools.is_array() ? tools.at(0) : tools;
  const json::object& o = tool.as_object();
  return o.contains("functionDeclarations") ? o.at("functionDeclarations")
                                            : o.at("function_declarations");
}

TEST(GeminiRequestEncode, RequestFixturesReencodeEquivalently) {
  for (const char* name :
       {"generate-content.request.json", "generate-content-function-call.request.json",
        "stream-generate-content.request.json"}) {
    SCOPED_TRACE(name);
    const std::string original = gemini_fixture(name);
    const ChatRequest first = decoded(original);
    const json::value ours = encode(first);
    const json::value theirs = json::parse(original);
    // Same turns, roles and parts (object member order aside).
    EXPECT_EQ(ours.at("contents"), theirs.at("contents"));
    if (theirs.as_object().contains("tools")) {
      EXPECT_EQ(declarations(ours), declarations(theirs));
    } else {
      EXPECT_FALSE(ours.as_object().contains("tools"));
    }
    // And the canonical form survives the trip.
    const ChatRequest second = decoded(json::serialize(ours));
    EXPECT_EQ(test::str(test::dump(second)), test::str(test::dump(first)));
  }
}

ContentBlock tool_use(std::string id, std::string name, std::string arguments) {
  ContentBlock b;
  b.type = BlockType::tool_use;
  b.id = std::move(id);
  b.name = std::move(name);
  b.arguments = std::move(arguments);
  return b;
}

ContentBlock tool_result(std::string id, std::string text, bool is_error = false) {
  ContentBlock b;
  b.type = BlockType::tool_result;
  b.id = std::move(id);
  b.text = std::move(text);
  b.is_error = is_error;
  return b;
}

Message message(Role role, std::vector<ContentBlock> content) {
  Message m;
  m.role = role;
  m.content = std::move(content);
  return m;
}

// An OpenAI-shaped history: one tool message per result.
ChatRequest openai_style_history() {
  ChatRequest r;
  r.system.push_back(ContentBlock::make_text("You are terse."));
  r.system.push_back(ContentBlock::make_text("Use tools."));
  r.messages.push_back(
      message(Role::user, {ContentBlock::make_text("Weather in Paris and time?")}));
  r.messages.push_back(
      message(Role::assistant, {ContentBlock::make_text("Checking."),
                                tool_use("call_abc", "get_weather", R"({"city":"Paris"})"),
                                tool_use("call_def", "get_time", "")}));
  r.messages.push_back(message(Role::tool, {tool_result("call_abc", R"({"temp":21})")}));
  r.messages.push_back(message(Role::tool, {tool_result("call_def", "noon")}));
  r.messages.push_back(message(Role::tool, {tool_result("call_abc", "again", true)}));
  return r;
}

TEST(GeminiRequestEncode, ToolResultsShareOneUserTurnAndAreNamedByTheirCall) {
  const json::value body = encode(openai_style_history());
  EXPECT_EQ(body.at("systemInstruction"),
            json::parse(R"({"parts":[{"text":"You are terse."},{"text":"Use tools."}]})"));
  const json::array& contents = body.at("contents").as_array();
  ASSERT_EQ(contents.size(), 3u);
  EXPECT_EQ(contents[1], json::parse(R"({"role":"model","parts":[{"text":"Checking."},
      {"functionCall":{"name":"get_weather","args":{"city":"Paris"}}},
      {"functionCall":{"name":"get_time","args":{}}}]})"));
  EXPECT_EQ(contents[2], json::parse(R"({"role":"user","parts":[
      {"functionResponse":{"name":"get_weather","response":{"temp":21}}},
      {"functionResponse":{"name":"get_time","response":{"content":"noon"}}},
      {"functionResponse":{"name":"get_weather","response":{"error":"again"}}}]})"));
  // Call ids never reach Gemini.
  EXPECT_EQ(json::serialize(body).find("call_abc"), std::string::npos);
}

TEST(GeminiRequestEncode, AdjacentUserTurnsMergeAndRepeatedIdsUseTheLatestCall) {
  ChatRequest r;
  r.messages.push_back(message(Role::user, {ContentBlock::make_text("a")}));
  r.messages.push_back(message(Role::assistant, {tool_use("call_0", "first", "{}")}));
  r.messages.push_back(message(Role::tool, {tool_result("call_0", "1")}));
  r.messages.push_back(message(Role::user, {ContentBlock::make_text("b")}));
  // Providers without ids number calls per answer, so "call_0" comes back in a later turn.
  r.messages.push_back(message(Role::assistant, {tool_use("call_0", "second", "{}")}));
  r.messages.push_back(
      message(Role::user, {tool_result("call_0", "2"), ContentBlock::make_text("")}));
  const json::array contents = encode(r).at("contents").as_array();
  ASSERT_EQ(contents.size(), 5u);
  EXPECT_EQ(contents[2].at("parts").as_array().size(), 2u);  // result + "b"
  EXPECT_EQ(contents[4].at("parts").at(0).at("functionResponse").at("name").as_string(), "second");
  EXPECT_EQ(contents[4].at("parts").as_array().size(), 1u);  // the empty text is dropped
}

TEST(GeminiRequestEncode, ImagesReasoningAndSignatures) {
  ChatRequest r;
  ContentBlock inline_image;
  inline_image.type = BlockType::image;
  inline_image.media_type = "image/png";
  inline_image.data = "iVBORw0KGgo=";
  ContentBlock data_url;
  data_url.type = BlockType::image;
  data_url.url = "data:image/jpeg;base64,/9j/4AAQ";
  ContentBlock remote;
  remote.type = BlockType::image;
  remote.url = "https://example.com/photo.JPG?size=2";
  r.messages.push_back(message(Role::user, {inline_image, data_url, remote}));
  ContentBlock thought;
  thought.type = BlockType::reasoning;
  thought.text = "hmm";
  thought.signature = "c2ln";
  ContentBlock call = tool_use("x", "now", "{}");
  call.signature = "c2ln2";
  r.messages.push_back(message(Role::assistant, {thought, call}));

  const json::array contents = encode(r).at("contents").as_array();
  EXPECT_EQ(contents[0], json::parse(R"({"role":"user","parts":[
      {"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}},
      {"inlineData":{"mimeType":"image/jpeg","data":"/9j/4AAQ"}},
      {"fileData":{"fileUri":"https://example.com/photo.JPG?size=2","mimeType":"image/jpeg"}}]})"));
  EXPECT_EQ(contents[1], json::parse(R"({"role":"model","parts":[
      {"text":"hmm","thought":true,"thoughtSignature":"c2ln"},
      {"functionCall":{"name":"now","args":{}},"thoughtSignature":"c2ln2"}]})"));
}

TEST(GeminiRequestEncode, ToolsChoiceAndGenerationConfig) {
  ChatRequest r;
  r.messages.push_back(message(Role::user, {ContentBlock::make_text("hi")}));
  ToolSpec weather;
  weather.name = "get_weather";
  weather.description = "Weather";
  weather.parameters = json::parse(R"({"type":"object","properties":{"city":{"type":"string"}}})");
  ToolSpec bare;
  bare.name = "ping";
  r.tools = {weather, bare};
  r.tool_choice.mode = ToolChoice::Mode::named;
  r.tool_choice.name = "ping";
  r.parallel_tool_calls = false;  // Gemini has no such switch
  r.max_tokens = 256;
  r.temperature = 1.0;
  r.top_p = 0.9;
  r.seed = 7;
  r.stop = {"END"};
  r.extra["top_k"] = 32;
  r.extra["frequency_penalty"] = 0.25;
  r.extra["logprobs"] = true;  // an OpenAI extra: not Gemini's, not sent
  r.response_format.type = ResponseFormat::Type::json_schema;
  r.response_format.schema = json::parse(R"({"type":"object"})");

  const json::value body = encode(r);
  EXPECT_EQ(body.at("tools"), json::parse(R"([{"functionDeclarations":[
      {"name":"get_weather","description":"Weather",
       "parameters":{"type":"object","properties":{"city":{"type":"string"}}}},
      {"name":"ping"}]}])"));
  EXPECT_EQ(body.at("toolConfig"), json::parse(R"({"functionCallingConfig":
      {"mode":"ANY","allowedFunctionNames":["ping"]}})"));
  EXPECT_EQ(body.at("generationConfig"), json::parse(R"({"stopSequences":["END"],
      "maxOutputTokens":256,"temperature":1,"topP":0.9,"topK":32,"seed":7,
      "frequencyPenalty":0.25,"responseMimeType":"application/json",
      "responseSchema":{"type":"object"}})"));
  EXPECT_FALSE(body.as_object().contains("logprobs"));
  EXPECT_FALSE(body.as_object().contains("model"));

  r.tool_choice.mode = ToolChoice::Mode::required;
  EXPECT_EQ(encode(r).at("toolConfig"), json::parse(R"({"functionCallingConfig":{"mode":"ANY"}})"));
  r.tool_choice.mode = ToolChoice::Mode::none;
  EXPECT_EQ(encode(r).at("toolConfig"),
            json::parse(R"({"functionCallingConfig":{"mode":"NONE"}})"));
  r.response_format = {};
  r.response_format.type = ResponseFormat::Type::json_object;
  EXPECT_EQ(encode(r).at("generationConfig").at("responseMimeType"), "application/json");
}

TEST(GeminiRequestEncode, HistoryGeminiCannotCarryIsACallerError) {
  ChatRequest orphan;
  orphan.messages.push_back(message(Role::tool, {tool_result("nope", "x")}));
  auto e = encode_generate_request(orphan);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, ErrorKind::caller_invalid_request);
  EXPECT_EQ(e.error().param, "messages[0].content[0]");

  ChatRequest bad_args;
  bad_args.messages.push_back(message(Role::assistant, {tool_use("c", "f", "[1,2]")}));
  auto e2 = encode_generate_request(bad_args);
  ASSERT_FALSE(e2.ok());
  EXPECT_EQ(e2.error().param, "messages[0].content[0].arguments");
}

}  // namespace
}  // namespace gw::gemini
