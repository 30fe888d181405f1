// compile_request and restore_names: the no-copy fast path, tool/history/tool_choice renames,
// the response_format schema, and every renamed name mapping back to the caller's.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tool_schema_test_util.h"
#include "wire/tool_schema/tool_name.h"

namespace gw::tool_schema {
namespace {

using test::J;
using test::json_schema_rules;
using test::openapi_rules;

ToolSpec tool(std::string name, std::string_view schema) {
  ToolSpec t;
  t.name = std::move(name);
  t.parameters = J(schema);
  return t;
}

ContentBlock tool_use(std::string id, std::string name) {
  ContentBlock b;
  b.type = BlockType::tool_use;
  b.id = std::move(id);
  b.name = std::move(name);
  b.arguments = "{}";
  return b;
}

// An agent turn: two tools, one earlier call in the history, a forced tool choice.
ChatRequest agent_request(std::string first_tool, std::string second_tool) {
  ChatRequest r;
  r.model = "m";
  r.tools = {tool(first_tool, R"({"type":"object","properties":{"path":{"type":"string"}}})"),
             tool(second_tool, R"({"type":"object","properties":{"q":{"type":"string"}}})")};
  Message user;
  user.content.push_back(ContentBlock::make_text("read it"));
  Message assistant;
  assistant.role = Role::assistant;
  assistant.content.push_back(tool_use("call_1", first_tool));
  Message result;
  result.role = Role::tool;
  ContentBlock answer;
  answer.type = BlockType::tool_result;
  answer.id = "call_1";
  answer.text = "contents";
  result.content.push_back(answer);
  r.messages = {user, assistant, result};
  r.tool_choice.mode = ToolChoice::Mode::named;
  r.tool_choice.name = second_tool;
  return r;
}

Result<std::optional<ChatRequest>> compile(const ChatRequest& r, const ToolRules& rules,
                                           ToolNameMap& names) {
  return compile_request(r, rules, names);
}

TEST(CompileRequest, FastPathCopiesNothing) {
  ChatRequest r = agent_request("read_file", "search");
  r.tools[0].parameters = J(R"({"type":"object","properties":{"p":{"$ref":"#/$defs/P"}},
                               "$defs":{"P":{"type":"string"}},"additionalProperties":false})");
  r.response_format.type = ResponseFormat::Type::json_schema;
  r.response_format.schema = J(R"({"type":"object","additionalProperties":false})");
  ToolNameMap names;
  names.add("stale", "entry");  // cleared by the call
  const auto out = compile(r, json_schema_rules(), names);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->has_value());
  EXPECT_TRUE(names.empty());
}

TEST(CompileRequest, FastPathWithoutTools) {
  ChatRequest r;
  r.messages.push_back(Message{Role::user, {ContentBlock::make_text("hi")}, ""});
  ToolNameMap names;
  EXPECT_FALSE(compile(r, openapi_rules(), names)->has_value());
  EXPECT_FALSE(compile(r, json_schema_rules(), names)->has_value());
}

TEST(CompileRequest, OpenApiWithCompliantSchemasCopiesNothing) {
  ToolNameMap names;
  const auto out = compile(agent_request("read_file", "search"), openapi_rules(), names);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->has_value());
}

TEST(CompileRequest, JsonSchemaRenamesEverywhereAndKeepsSchemas) {
  const ChatRequest r = agent_request("files.read", "web.search");
  ToolNameMap names;
  const auto out = compile(r, json_schema_rules(), names);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->has_value());
  const ChatRequest& c = **out;
  EXPECT_EQ(c.tools[0].name, "files_read");
  EXPECT_EQ(c.tools[1].name, "web_search");
  EXPECT_EQ(c.tools[0].parameters, r.tools[0].parameters);
  EXPECT_EQ(c.messages[1].content[0].name, "files_read");
  EXPECT_EQ(c.messages[2].content[0].id, "call_1");  // results refer by id, untouched
  EXPECT_EQ(c.tool_choice.name, "web_search");
  EXPECT_EQ(names.size(), 2u);
  EXPECT_EQ(c.messages[0].content[0].text, "read it");
  EXPECT_EQ(c.model, "m");
}

TEST(CompileRequest, OpenApiCompilesToolsAndResponseFormat) {
  ChatRequest r = agent_request("1st.tool", "search");
  r.tools[1].parameters = J(R"({"type":"object","properties":{"q":{"type":["string","null"]}},
                               "additionalProperties":false})");
  r.response_format.type = ResponseFormat::Type::json_schema;
  r.response_format.name = "answer";
  r.response_format.schema = J(R"({"type":"array","items":{"$ref":"#/$defs/Item"},
            "$defs":{"Item":{"type":"object","properties":{"v":{"const":"x"}}}}})");
  ToolNameMap names;
  const auto out = compile(r, openapi_rules(), names);
  ASSERT_TRUE(out.ok()) << out.error().message;
  ASSERT_TRUE(out->has_value());
  const ChatRequest& c = **out;
  EXPECT_EQ(c.tools[0].name, "_1st_tool");
  EXPECT_EQ(c.messages[1].content[0].name, "_1st_tool");
  EXPECT_EQ(c.tool_choice.name, "search");
  EXPECT_EQ(c.tools[1].parameters,
            J(R"({"type":"object","properties":{"q":{"type":"string","nullable":true}}})"));
  EXPECT_EQ(c.response_format.schema, J(R"({"type":"array","items":{"type":"object","properties":{
                   "v":{"enum":["x"],"type":"string"}}}})"));
  EXPECT_EQ(c.response_format.name, "answer");
  EXPECT_EQ(names.original_name("_1st_tool"), "1st.tool");
}

TEST(CompileRequest, ResponseFormatErrorNamesItsParam) {
  ChatRequest r;
  r.response_format.type = ResponseFormat::Type::json_schema;
  r.response_format.name = "answer";
  r.response_format.schema = J(R"({"type":"object","properties":{"x":{"not":{}}}})");
  ToolNameMap names;
  const auto out = compile(r, openapi_rules(), names);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().param, "response_format.json_schema.schema");
  EXPECT_EQ(out.error().code, "tool_schema_unsupported");
  EXPECT_TRUE(out.error().message.starts_with(
      "Response format 'answer': JSON Schema keyword 'not' at '#/properties/x'"))
      << out.error().message;
  // The same schema goes to a full-JSON-Schema provider untouched.
  EXPECT_FALSE(compile(r, json_schema_rules(), names)->has_value());
}

TEST(CompileRequest, ToolErrorNamesToolAndIndex) {
  ChatRequest r = agent_request("read_file", "search");
  r.tools[1].parameters = J(R"({"type":"object","properties":{"q":{"if":{}}}})");
  ToolNameMap names;
  const auto out = compile(r, openapi_rules(), names);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().kind, ErrorKind::caller_invalid_request);
  EXPECT_EQ(out.error().param, "tools[1].parameters");
  EXPECT_NE(out.error().message.find("Tool 'search'"), std::string::npos);
  EXPECT_NE(out.error().message.find("'if' at '#/properties/q'"), std::string::npos);
}

TEST(CompileRequest, UndeclaredHistoryNamesAreRenamedToo) {
  // The history calls a tool the request no longer declares; its name must still be sendable,
  // and must not be confused with a declared tool's rewrite.
  ChatRequest r = agent_request("files.read", "search");
  r.messages[1].content.push_back(tool_use("call_2", "old.tool"));
  r.messages[1].content.push_back(tool_use("call_3", "files_read"));
  ToolNameMap names;
  const auto out = compile(r, json_schema_rules(), names);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->has_value());
  const auto& calls = (**out).messages[1].content;
  EXPECT_EQ(calls[0].name, "files_read");
  EXPECT_EQ(calls[1].name, "old_tool");
  EXPECT_NE(calls[2].name, "files_read");
  EXPECT_EQ(names.original_name(calls[2].name), "files_read");
  EXPECT_EQ(names.original_name(calls[0].name), "files.read");
}

TEST(CompileRequest, InvalidHistoryNameAloneForcesACopy) {
  ChatRequest r = agent_request("read_file", "search");
  r.messages[1].content[0].name = "legacy.read";
  ToolNameMap names;
  const auto out = compile(r, json_schema_rules(), names);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->has_value());
  EXPECT_EQ((**out).messages[1].content[0].name, "legacy_read");
  EXPECT_EQ((**out).tools[0].name, "read_file");
}

TEST(RestoreNames, ResponseAndStreamEventsGetTheCallersNames) {
  const ChatRequest r = agent_request("files.read", "mcp__" + std::string(70, 'z'));
  ToolNameMap names;
  const auto out = compile(r, openapi_rules(), names);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->has_value());
  const ChatRequest& sent = **out;

  ChatResponse response;
  response.content.push_back(ContentBlock::make_text("calling"));
  response.content.push_back(tool_use("c1", sent.tools[0].name));
  response.content.push_back(tool_use("c2", sent.tools[1].name));
  response.content.push_back(tool_use("c3", "not_a_declared_tool"));
  restore_names(response, names);
  EXPECT_EQ(response.content[0].text, "calling");
  EXPECT_EQ(response.content[1].name, "files.read");
  EXPECT_EQ(response.content[2].name, r.tools[1].name);
  EXPECT_EQ(response.content[3].name, "not_a_declared_tool");

  StreamEvent start;
  start.type = StreamEvent::Type::tool_call_start;
  start.index = 1;
  start.name = sent.tools[1].name;
  restore_names(start, names);
  EXPECT_EQ(start.name, r.tools[1].name);

  StreamEvent model_start;  // a start event's name is the model, never a tool
  model_start.type = StreamEvent::Type::start;
  model_start.name = "files_read";
  restore_names(model_start, names);
  EXPECT_EQ(model_start.name, "files_read");
}

TEST(RestoreNames, RoundTripsEveryRenamedName) {
  const std::vector<std::string> originals = {"files.read",
                                              "files_read",
                                              "9lives",
                                              "caf\xC3\xA9",
                                              "ns/tool",
                                              "a.b",
                                              "a:b",
                                              "mcp__github__" + std::string(70, 'x') + "_issues",
                                              "mcp__github__" + std::string(70, 'x')};
  for (const ToolRules& rules : {json_schema_rules(), openapi_rules()}) {
    ChatRequest r;
    for (const std::string& n : originals) r.tools.push_back(tool(n, R"({"type":"object"})"));
    ToolNameMap names;
    const auto out = compile_request(r, rules, names);
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE(out->has_value());
    for (std::size_t i = 0; i < originals.size(); ++i) {
      const std::string& sent = (**out).tools[i].name;
      EXPECT_TRUE(tool_name_valid(sent, rules)) << sent;
      StreamEvent e;
      e.type = StreamEvent::Type::tool_call_start;
      e.name = sent;
      restore_names(e, names);
      EXPECT_EQ(e.name, originals[i]);
      EXPECT_EQ(names.provider_name(originals[i]), sent);
    }
  }
}

}  // namespace
}  // namespace gw::tool_schema
