// compile_tools: per-tool errors name the tool's index, json_schema passes schemas through, and
// the per-thread cache returns the same compiled set for the same tools and rules.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tool_schema_test_util.h"
#include "wire/tool_schema/tool_cache.h"

namespace gw::tool_schema {
namespace {

using test::J;
using test::json_schema_rules;
using test::openapi_rules;

ToolSpec tool(std::string name, std::string_view schema, std::string description = "d") {
  ToolSpec t;
  t.name = std::move(name);
  t.description = std::move(description);
  t.parameters = J(schema);
  return t;
}

std::vector<ToolSpec> agent_tools() {
  return {tool("files.read", R"({"type":"object","properties":{"path":{"type":"string"}},
                                  "additionalProperties":false})"),
          tool("search", R"({"type":"object","properties":{"q":{"$ref":"#/$defs/Q"}},
                              "$defs":{"Q":{"type":"string","minLength":1}}})"),
          tool("no_args", "null")};
}

std::shared_ptr<const CompiledTools> compile(const std::vector<ToolSpec>& tools,
                                             const ToolRules& rules) {
  Result<std::shared_ptr<const CompiledTools>> r = compile_tools(tools, rules);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r.value() : nullptr;
}

TEST(CompileTools, OpenApiCompilesNamesAndSchemas) {
  const auto c = compile(agent_tools(), openapi_rules());
  ASSERT_TRUE(c);
  ASSERT_EQ(c->tools.size(), 3u);
  EXPECT_TRUE(c->changed);
  EXPECT_EQ(c->tools[0].name, "files_read");
  EXPECT_EQ(c->tools[0].parameters,
            J(R"({"type":"object","properties":{"path":{"type":"string"}}})"));
  EXPECT_EQ(c->tools[1].name, "search");
  EXPECT_EQ(c->tools[1].parameters,
            J(R"({"type":"object","properties":{"q":{"type":"string","minLength":1}}})"));
  EXPECT_TRUE(c->tools[2].parameters.is_null());
  EXPECT_EQ(c->names.original_name("files_read"), "files.read");
  EXPECT_EQ(c->tools[0].description, "d");
  bool noted = false;
  for (const ToolNote& n : c->notes) {
    noted = noted || (n.tool == "files.read" && n.note.keyword == "additionalProperties");
  }
  EXPECT_TRUE(noted);
}

TEST(CompileTools, JsonSchemaOnlyRenames) {
  const std::vector<ToolSpec> tools = agent_tools();
  const auto c = compile(tools, json_schema_rules());
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->changed);
  EXPECT_EQ(c->tools[0].name, "files_read");
  for (std::size_t i = 0; i < tools.size(); ++i) {
    EXPECT_EQ(c->tools[i].parameters, tools[i].parameters);  // $defs, $ref and all
  }
  EXPECT_TRUE(c->notes.empty());
}

TEST(CompileTools, UnchangedToolsAreMarkedUnchanged) {
  const std::vector<ToolSpec> tools = {
      tool("get_capital", R"({"type":"object","properties":{"country":{"type":"string"}}})")};
  EXPECT_FALSE(compile(tools, openapi_rules())->changed);
  EXPECT_FALSE(compile(tools, json_schema_rules())->changed);
}

TEST(CompileTools, ErrorNamesTheToolIndex) {
  std::vector<ToolSpec> tools = agent_tools();
  tools.push_back(tool("mcp.query", R"({"type":"object","properties":{"f":{"not":{}}}})"));
  const Result<std::shared_ptr<const CompiledTools>> r = compile_tools(tools, openapi_rules());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().param, "tools[3].parameters");
  EXPECT_EQ(r.error().code, "tool_schema_unsupported");
  EXPECT_TRUE(
      r.error().message.starts_with("Tool 'mcp.query': JSON Schema keyword 'not' at "
                                    "'#/properties/f'"))
      << r.error().message;
  // Not cached: the same call fails the same way.
  EXPECT_FALSE(compile_tools(tools, openapi_rules()).ok());
}

TEST(CompileToolsCache, SameToolsSameRulesSamePointer) {
  const std::vector<ToolSpec> tools = agent_tools();
  const auto first = compile(tools, openapi_rules());
  const auto again = compile(tools, openapi_rules());
  const auto copy = compile(agent_tools(), openapi_rules());  // equal content, other vector
  EXPECT_EQ(first.get(), again.get());
  EXPECT_EQ(first.get(), copy.get());
}

TEST(CompileToolsCache, RulesAndContentAreBothPartOfTheKey) {
  const std::vector<ToolSpec> tools = agent_tools();
  const auto gemini = compile(tools, openapi_rules());
  const auto openai = compile(tools, json_schema_rules());
  EXPECT_NE(gemini.get(), openai.get());
  ToolRules longer = openapi_rules();
  longer.max_name_length = 128;
  EXPECT_NE(compile(tools, longer).get(), gemini.get());

  std::vector<ToolSpec> edited = tools;
  edited[1].description = "changed";
  EXPECT_NE(compile(edited, openapi_rules()).get(), gemini.get());
  edited = tools;
  edited[1].parameters.as_object()["properties"].as_object()["q"] = J(R"({"type":"integer"})");
  EXPECT_NE(compile(edited, openapi_rules()).get(), gemini.get());
  edited = tools;
  edited[0].strict = true;
  EXPECT_NE(compile(edited, openapi_rules()).get(), gemini.get());
}

TEST(CompileToolsCache, LeastRecentlyUsedIsEvicted) {
  const std::vector<ToolSpec> kept = {tool("kept", R"({"type":"object"})")};
  const std::vector<ToolSpec> evicted = {tool("evicted", R"({"type":"object"})")};
  const auto kept_first = compile(kept, openapi_rules());
  const auto evicted_first = compile(evicted, openapi_rules());
  for (std::size_t i = 0; i < kToolCacheEntries; ++i) {
    compile({tool("filler_" + std::to_string(i), R"({"type":"object"})")}, openapi_rules());
    compile(kept, openapi_rules());  // keeps "kept" recently used
  }
  EXPECT_EQ(compile(kept, openapi_rules()).get(), kept_first.get());
  EXPECT_NE(compile(evicted, openapi_rules()).get(), evicted_first.get());
}

TEST(CompileToolsCache, HashCoversStructureNotJustText) {
  const std::vector<ToolSpec> a = {tool("t", R"({"type":"object","properties":{"x":{}}})")};
  const std::vector<ToolSpec> b = {tool("t", R"({"type":"object","properties":{"x":[]}})")};
  EXPECT_NE(hash_tools(a), hash_tools(b));
  EXPECT_EQ(hash_tools(a), hash_tools({tool("t", R"({"type":"object","properties":{"x":{}}})")}));
}

}  // namespace
}  // namespace gw::tool_schema
