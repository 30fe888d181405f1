// Gemini ingress: GenerateContentRequest bodies → canonical ChatRequest, against the recorded
// request fixtures and the validation Google applies (400s naming the field).
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "gemini_test_util.h"
#include "wire/gemini/gemini_request.h"

namespace gw::gemini {
namespace {

using test::gemini_fixture;

Result<ChatRequest> decode(std::string_view body, std::string_view model = "gemini-2.0-flash",
                           bool stream = false) {
  return decode_generate_request(body, IngressContext{model, stream});
}

ChatRequest ok(std::string_view body) {
  auto r = decode(body);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return r.ok() ? std::move(r).value() : ChatRequest{};
}

// The 400 a bad body gets: its param (field path) and message.
Error rejected(std::string_view body) {
  auto r = decode(body);
  EXPECT_FALSE(r.ok()) << body;
  if (r.ok()) return Error{};
  EXPECT_EQ(r.error().kind, ErrorKind::caller_invalid_request);
  EXPECT_EQ(http_status(r.error().kind), 400);
  if (!r.error().param.empty()) {
    EXPECT_NE(r.error().message.find(r.error().param.substr(0, r.error().param.find('.'))),
              std::string::npos)
        << "the message names the field: " << r.error().message;
  }
  return r.error();
}

TEST(GeminiRequestDecode, FunctionHistoryFixture) {
  const ChatRequest r = ok(gemini_fixture("generate-content.request.json"));
  EXPECT_EQ(r.model, "gemini-2.0-flash");
  EXPECT_FALSE(r.stream);
  EXPECT_TRUE(r.include_usage);
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[0].role, Role::user);
  EXPECT_EQ(r.messages[0].content[0].text, "What is the capital of France?");
  EXPECT_EQ(r.messages[1].role, Role::assistant);
  const ContentBlock& call = r.messages[1].content[0];
  EXPECT_EQ(call.type, BlockType::tool_use);
  EXPECT_EQ(call.id, "call_0");
  EXPECT_EQ(call.name, "get_capital");
  EXPECT_EQ(call.arguments, R"({"country":"France"})");
  EXPECT_EQ(r.messages[2].role, Role::tool);
  const ContentBlock& result = r.messages[2].content[0];
  EXPECT_EQ(result.type, BlockType::tool_result);
  EXPECT_EQ(result.id, "call_0");
  EXPECT_EQ(result.text, R"({"return_value":"Paris"})");
  EXPECT_FALSE(result.is_error);
  // tools given as one object with snake_case function_declarations.
  ASSERT_EQ(r.tools.size(), 1u);
  EXPECT_EQ(r.tools[0].name, "get_capital");
  EXPECT_EQ(r.tools[0].description, "Get the capital of a country.");
  EXPECT_EQ(r.tools[0].parameters.at("type").as_string(), "object");
  EXPECT_EQ(r.tools[0].parameters.at("required").at(0).as_string(), "country");
}

TEST(GeminiRequestDecode, ToolsFixtureAndStreamFixture) {
  const ChatRequest tools = ok(gemini_fixture("generate-content-function-call.request.json"));
  ASSERT_EQ(tools.messages.size(), 1u);
  ASSERT_EQ(tools.tools.size(), 1u);
  EXPECT_EQ(tools.tool_choice.mode, ToolChoice::Mode::unset);

  auto s = decode(gemini_fixture("stream-generate-content.request.json"), "gemini-2.0-flash", true);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(s->stream);
  EXPECT_TRUE(s->include_usage);
  EXPECT_EQ(s->messages[0].content[0].text, "What is the capital of Wyoming?");
}

TEST(GeminiRequestDecode, SnakeCaseAndCamelCaseAreTheSame) {
  const ChatRequest camel = ok(R"({
    "systemInstruction": {"parts": [{"text": "Be brief."}]},
    "contents": [{"role": "user", "parts": [
      {"text": "Look"},
      {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
      {"fileData": {"mimeType": "image/jpeg", "fileUri": "https://example.com/cat.jpg"}}]}],
    "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["f"]}},
    "tools": [{"functionDeclarations": [{"name": "f", "parametersJsonSchema": {"type": "object"}}]}],
    "generationConfig": {"maxOutputTokens": 100, "topP": 0.5, "stopSequences": ["END"]}})");
  const ChatRequest snake = ok(R"({
    "system_instruction": {"parts": [{"text": "Be brief."}]},
    "contents": [{"role": "user", "parts": [
      {"text": "Look"},
      {"inline_data": {"mime_type": "image/png", "data": "iVBORw0KGgo="}},
      {"file_data": {"mime_type": "image/jpeg", "file_uri": "https://example.com/cat.jpg"}}]}],
    "tool_config": {"function_calling_config": {"mode": "ANY", "allowed_function_names": ["f"]}},
    "tools": [{"function_declarations": [{"name": "f", "parameters_json_schema": {"type": "object"}}]}],
    "generation_config": {"max_output_tokens": 100, "top_p": 0.5, "stop_sequences": ["END"]}})");
  EXPECT_EQ(test::str(test::dump(camel)), test::str(test::dump(snake)));
  ASSERT_EQ(camel.system.size(), 1u);
  EXPECT_EQ(camel.system[0].text, "Be brief.");
  const auto& parts = camel.messages[0].content;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].type, BlockType::image);
  EXPECT_EQ(parts[1].media_type, "image/png");
  EXPECT_EQ(parts[1].data, "iVBORw0KGgo=");
  EXPECT_EQ(parts[2].type, BlockType::image);
  EXPECT_EQ(parts[2].url, "https://example.com/cat.jpg");
  EXPECT_EQ(camel.tool_choice.mode, ToolChoice::Mode::named);
  EXPECT_EQ(camel.tool_choice.name, "f");
  EXPECT_EQ(camel.max_tokens, 100);
  EXPECT_EQ(camel.top_p, 0.5);
  EXPECT_EQ(camel.stop, std::vector<std::string>{"END"});
}

TEST(GeminiRequestDecode, ResponsesAnswerTheOldestCallOfTheirName) {
  const ChatRequest r = ok(R"({"contents": [
    {"role": "user", "parts": [{"text": "weather in A and B, then time"}]},
    {"role": "model", "parts": [
      {"functionCall": {"name": "weather", "args": {"city": "A"}}},
      {"functionCall": {"name": "weather", "args": {"city": "B"}}},
      {"functionCall": {"name": "time"}}]},
    {"role": "function", "parts": [
      {"functionResponse": {"name": "time", "response": {"content": "noon"}}},
      {"functionResponse": {"name": "weather", "response": {"error": "no data for A"}}},
      {"functionResponse": {"name": "weather", "response": {"temp": 21.5}}}]},
    {"role": "model", "parts": [{"functionCall": {"id": "own", "name": "time"}}]},
    {"role": "user", "parts": [
      {"functionResponse": {"id": "own", "name": "time", "response": {"content": "one"}}},
      {"text": "thanks"}]}]})");
  ASSERT_EQ(r.messages.size(), 6u);
  const auto& calls = r.messages[1].content;
  EXPECT_EQ(calls[0].id, "call_0");
  EXPECT_EQ(calls[1].id, "call_1");
  EXPECT_EQ(calls[2].id, "call_2");
  EXPECT_EQ(calls[2].arguments, "{}");
  const auto& results = r.messages[2].content;
  ASSERT_EQ(r.messages[2].role, Role::tool);
  EXPECT_EQ(results[0].id, "call_2");
  EXPECT_EQ(results[0].text, "noon");
  EXPECT_EQ(results[1].id, "call_0");
  EXPECT_EQ(results[1].text, "no data for A");
  EXPECT_TRUE(results[1].is_error);
  EXPECT_EQ(results[2].id, "call_1");
  EXPECT_EQ(results[2].text, R"({"temp":21.5})");
  EXPECT_EQ(r.messages[3].content[0].id, "own");
  // A user turn with results and text: the results first, as a tool message, then the text.
  EXPECT_EQ(r.messages[4].role, Role::tool);
  EXPECT_EQ(r.messages[4].content[0].id, "own");
  EXPECT_EQ(r.messages[5].role, Role::user);
  EXPECT_EQ(r.messages[5].content[0].text, "thanks");
}

TEST(GeminiRequestDecode, ThoughtsKeepTheirSignatures) {
  const ChatRequest r = ok(R"({"contents": [
    {"role": "user", "parts": [{"text": "q"}]},
    {"role": "model", "parts": [
      {"text": "pondering", "thought": true, "thoughtSignature": "c2lnMQ=="},
      {"functionCall": {"name": "now", "args": {}}, "thoughtSignature": "c2lnMg=="}]}]})");
  const auto& m = r.messages[1].content;
  EXPECT_EQ(m[0].type, BlockType::reasoning);
  EXPECT_EQ(m[0].text, "pondering");
  EXPECT_EQ(m[0].signature, "c2lnMQ==");
  EXPECT_EQ(m[1].type, BlockType::tool_use);
  EXPECT_EQ(m[1].signature, "c2lnMg==");
}

TEST(GeminiRequestDecode, ToolConfigModes) {
  const std::string tools =
      R"("tools": [{"functionDeclarations": [{"name": "a"}, {"name": "b.c"}, {"name": "d"}]}])";
  auto with = [&](const std::string& config) {
    return ok(R"({"contents": [{"parts": [{"text": "x"}]}], )" + tools +
              R"(, "toolConfig": {"functionCallingConfig": )" + config + "}}");
  };
  EXPECT_EQ(with(R"({"mode": "AUTO"})").tool_choice.mode, ToolChoice::Mode::auto_);
  EXPECT_EQ(with(R"({"mode": "NONE"})").tool_choice.mode, ToolChoice::Mode::none);
  const ChatRequest any = with(R"({"mode": "ANY"})");
  EXPECT_EQ(any.tool_choice.mode, ToolChoice::Mode::required);
  EXPECT_EQ(any.tools.size(), 3u);
  const ChatRequest subset = with(R"({"mode": "ANY", "allowedFunctionNames": ["a", "d"]})");
  EXPECT_EQ(subset.tool_choice.mode, ToolChoice::Mode::required);
  ASSERT_EQ(subset.tools.size(), 2u);
  EXPECT_EQ(subset.tools[1].name, "d");
  EXPECT_EQ(with(R"({"mode": "ANY", "allowedFunctionNames": ["b.c"]})").tool_choice.name, "b.c");
}

TEST(GeminiRequestDecode, GenerationConfig) {
  const ChatRequest r = ok(R"({"contents": [{"parts": [{"text": "x"}]}],
    "generationConfig": {"temperature": 0.7, "topK": 40, "seed": "42", "candidateCount": 1,
      "presencePenalty": 0.5, "thinkingConfig": {"thinkingBudget": 0},
      "responseMimeType": "application/json",
      "responseSchema": {"type": "OBJECT", "properties": {
        "name": {"type": "STRING", "nullable": true},
        "tags": {"type": "ARRAY", "items": {"type": "STRING"}, "minItems": "1"}},
        "propertyOrdering": ["name", "tags"]}}})");
  EXPECT_EQ(r.temperature, 0.7);
  EXPECT_EQ(r.seed, 42);
  EXPECT_EQ(r.extra.at("top_k").as_int64(), 40);
  EXPECT_EQ(r.extra.at("presence_penalty").as_double(), 0.5);
  EXPECT_FALSE(r.extra.contains("thinkingConfig"));
  EXPECT_EQ(r.response_format.type, ResponseFormat::Type::json_schema);
  EXPECT_EQ(r.response_format.schema, boost::json::parse(R"({"type": "object", "properties": {
              "name": {"type": ["string", "null"]},
              "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1}}})"));

  EXPECT_EQ(ok(R"({"contents": [{"parts": [{"text": "x"}]}],
    "generationConfig": {"responseMimeType": "application/json"}})")
                .response_format.type,
            ResponseFormat::Type::json_object);
  const ChatRequest js = ok(R"({"contents": [{"parts": [{"text": "x"}]}],
    "generationConfig": {"responseMimeType": "application/json",
                         "responseJsonSchema": {"type": "object", "additionalProperties": false}}})");
  EXPECT_EQ(js.response_format.schema.at("additionalProperties").as_bool(), false);
}

TEST(GeminiRequestDecode, RejectsWhatGeminiRejects) {
  EXPECT_EQ(rejected("{").code, "invalid_json");
  EXPECT_EQ(rejected("[]").code, "invalid_type");
  EXPECT_EQ(rejected("{}").param, "contents");
  EXPECT_EQ(rejected(R"({"contents": []})").param, "contents");
  EXPECT_EQ(rejected(R"({"contents": [{"role": "user", "parts": []}]})").param,
            "contents[0].parts");
  EXPECT_EQ(rejected(R"({"contents": [{"role": "user"}]})").param, "contents[0].parts");
  EXPECT_EQ(rejected(R"({"contents": [{"role": "bot", "parts": [{"text": "x"}]}]})").param,
            "contents[0].role");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}]}], "foo": 1})").code,
            "unknown_field");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}, {"text": 5}]}]})").param,
            "contents[0].parts[1].text");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}, {"thought": true}]}]})").param,
            "contents[0].parts[1]");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x",
                "inlineData": {"mimeType": "image/png", "data": "AA=="}}]}]})")
                .param,
            "contents[0].parts[0]");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [
                {"inlineData": {"mimeType": "image/png", "data": "not base64!"}}]}]})")
                .param,
            "contents[0].parts[0].inlineData.data");
  EXPECT_EQ(rejected(R"({"contents": [{"role": "user", "parts": [
                {"functionCall": {"name": "f"}}]}]})")
                .param,
            "contents[0].parts[0].functionCall");
  EXPECT_EQ(rejected(R"({"contents": [{"role": "user", "parts": [
                {"functionResponse": {"name": "f", "response": {}}}]}]})")
                .param,
            "contents[0].parts[0].functionResponse");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}]}],
                "generationConfig": {"candidateCount": 2}})")
                .param,
            "generationConfig.candidateCount");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}]}],
                "generationConfig": {"temperature": 3}})")
                .param,
            "generationConfig.temperature");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}]}],
                "generationConfig": {"temperature": 1e999}})")
                .param,
            "generationConfig.temperature");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}]}],
                "tools": [{"googleSearch": {}}]})")
                .code,
            "unsupported");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}]}],
                "tools": [{"functionDeclarations": [{"name": "9lives"}]}]})")
                .param,
            "tools[0].functionDeclarations[0].name");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}]}],
                "tools": [{"functionDeclarations": [{"name": "a"}]}],
                "toolConfig": {"functionCallingConfig": {"mode": "ANY",
                  "allowedFunctionNames": ["zzz"]}}})")
                .param,
            "toolConfig.functionCallingConfig.allowedFunctionNames[0]");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}]}],
                "toolConfig": {"functionCallingConfig": {"mode": "SOMETIMES"}}})")
                .param,
            "toolConfig.functionCallingConfig.mode");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}]}], "cachedContent": "c/1"})").code,
            "unsupported");
  EXPECT_EQ(rejected("{\"contents\": [{\"parts\": [{\"text\": \"a\\u0000b\"}]}]}").param,
            "contents[0].parts[0].text");
  EXPECT_EQ(rejected(R"({"contents": [{"parts": [{"text": "x"}]}],
                "generationConfig": {"responseMimeType": "text/x.enum"}})")
                .param,
            "generationConfig.responseMimeType");
}

TEST(GeminiRequestDecode, DepthAndModel) {
  std::string deep =
      R"({"contents": [{"parts": [{"text": "x"}]}], "tools": [{"functionDeclarations": [{"name": "f", "parametersJsonSchema": )";
  for (int i = 0; i < 70; ++i) deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 70; ++i) deep += "}";
  deep += "}]}]}";
  EXPECT_EQ(rejected(deep).code, "json_too_deep");

  auto no_model = decode(R"({"contents": [{"parts": [{"text": "x"}]}]})", "");
  ASSERT_FALSE(no_model.ok());
  EXPECT_EQ(no_model.error().param, "model");
  auto body_model =
      decode(R"({"model": "models/gemini-pro", "contents": [{"parts": [{"text": "x"}]}]})", "");
  ASSERT_TRUE(body_model.ok());
  EXPECT_EQ(body_model->model, "gemini-pro");
}

}  // namespace
}  // namespace gw::gemini
