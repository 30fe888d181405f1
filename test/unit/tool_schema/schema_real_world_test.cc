// Schemas as real clients produce them — pydantic (v2 and v1), zod-to-json-schema, an MCP
// server, the OpenAI SDK fixtures — compiled for the OpenAPI subset, and a schema Gemini itself
// accepted (fixture) compiling to itself.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tool_schema_test_util.h"

namespace gw::tool_schema {
namespace {

using test::compile_ok;
using test::contains_key;
using test::has_note;
namespace json = boost::json;
using test::J;
using Kind = SchemaNote::Kind;

std::string read_fixture(const std::string& relative) {
  std::ifstream in(std::filesystem::path(GW_FIXTURES_DIR) / relative, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// pydantic 2: model_json_schema() of a model with a nested optional model, a str Enum, an
// optional datetime and a gt=0 constraint.
TEST(RealWorldSchema, PydanticV2) {
  const CompiledSchema c = compile_ok(R"({
    "$defs": {
      "Address": {
        "properties": {
          "street": {"title": "Street", "type": "string"},
          "zip": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null, "title": "Zip"}
        },
        "required": ["street"], "title": "Address", "type": "object"
      },
      "Priority": {"enum": ["low", "high"], "title": "Priority", "type": "string"}
    },
    "description": "Create a support ticket.",
    "properties": {
      "name": {"description": "Short summary", "title": "Name", "type": "string"},
      "address": {"anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}], "default": null},
      "priority": {"$ref": "#/$defs/Priority", "default": "low"},
      "tags": {"default": [], "items": {"type": "string"}, "title": "Tags", "type": "array"},
      "when": {"anyOf": [{"format": "date-time", "type": "string"}, {"type": "null"}],
               "default": null, "title": "When"},
      "count": {"default": 1, "exclusiveMinimum": 0, "title": "Count", "type": "integer"}
    },
    "required": ["name"], "title": "CreateTicket", "type": "object"
  })");
  EXPECT_EQ(c.schema, J(R"({
    "description": "Create a support ticket.",
    "properties": {
      "name": {"description": "Short summary", "title": "Name", "type": "string"},
      "address": {
        "properties": {
          "street": {"title": "Street", "type": "string"},
          "zip": {"title": "Zip", "type": "string", "nullable": true}
        },
        "required": ["street"], "title": "Address", "type": "object", "nullable": true
      },
      "priority": {"enum": ["low", "high"], "title": "Priority", "type": "string"},
      "tags": {"items": {"type": "string"}, "title": "Tags", "type": "array"},
      "when": {"title": "When", "format": "date-time", "type": "string", "nullable": true},
      "count": {"title": "Count", "type": "integer", "minimum": 0}
    },
    "required": ["name"], "title": "CreateTicket", "type": "object"
  })"));
  EXPECT_TRUE(has_note(c, Kind::dropped, "$defs", "#"));
  EXPECT_TRUE(has_note(c, Kind::dropped, "default", "#/properties/address"));
  EXPECT_TRUE(has_note(c, Kind::dropped, "default", "#/$defs/Address/properties/zip"));
  EXPECT_TRUE(has_note(c, Kind::approximated, "exclusiveMinimum", "#/properties/count"));
}

// pydantic 1: "definitions", and a $ref wrapped in allOf so that it can carry a description.
TEST(RealWorldSchema, PydanticV1AllOfRef) {
  const CompiledSchema c = compile_ok(R"({
    "title": "Order", "type": "object",
    "properties": {
      "status": {"description": "Current status", "default": "open",
                 "allOf": [{"$ref": "#/definitions/Status"}]},
      "qty": {"title": "Qty", "type": "integer", "exclusiveMinimum": 0}
    },
    "required": ["qty"],
    "definitions": {"Status": {"title": "Status", "description": "An enumeration.",
                               "enum": ["open", "closed"], "type": "string"}}
  })");
  EXPECT_EQ(c.schema, J(R"({
    "title": "Order", "type": "object",
    "properties": {
      "status": {"description": "Current status", "title": "Status", "enum": ["open", "closed"],
                 "type": "string"},
      "qty": {"title": "Qty", "type": "integer", "minimum": 0}
    },
    "required": ["qty"]
  })"));
}

// zod-to-json-schema (draft-07 target): additionalProperties false everywhere, $schema, a
// type array for .nullable(), and a "#/properties/…" $ref for a schema used twice.
TEST(RealWorldSchema, ZodToJsonSchema) {
  const CompiledSchema c = compile_ok(R"({
    "type": "object",
    "properties": {
      "query": {"type": "string", "minLength": 1},
      "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
      "filters": {"type": "object",
                  "properties": {"lang": {"type": "string", "enum": ["en", "de"]}},
                  "additionalProperties": false},
      "fallback": {"$ref": "#/properties/filters"},
      "since": {"type": ["string", "null"], "format": "date-time"}
    },
    "required": ["query", "filters", "since"],
    "additionalProperties": false,
    "$schema": "http://json-schema.org/draft-07/schema#"
  })");
  EXPECT_EQ(c.schema, J(R"({
    "type": "object",
    "properties": {
      "query": {"type": "string", "minLength": 1},
      "limit": {"type": "integer", "minimum": 1, "maximum": 100},
      "filters": {"type": "object", "properties": {"lang": {"type": "string", "enum": ["en", "de"]}}},
      "fallback": {"type": "object", "properties": {"lang": {"type": "string", "enum": ["en", "de"]}}},
      "since": {"type": "string", "format": "date-time", "nullable": true}
    },
    "required": ["query", "filters", "since"]
  })"));
  EXPECT_TRUE(has_note(c, Kind::dropped, "$schema", "#"));
  EXPECT_TRUE(has_note(c, Kind::dropped, "additionalProperties", "#"));
  EXPECT_TRUE(has_note(c, Kind::dropped, "additionalProperties", "#/properties/filters"));
}

// zod-to-json-schema with a `name`: the whole schema is a $ref into "definitions".
TEST(RealWorldSchema, ZodToJsonSchemaNamedRoot) {
  const CompiledSchema c = compile_ok(R"({
    "$ref": "#/definitions/SearchArgs",
    "definitions": {
      "SearchArgs": {"type": "object", "properties": {"q": {"type": "string"}},
                     "required": ["q"], "additionalProperties": false}
    },
    "$schema": "http://json-schema.org/draft-07/schema#"
  })");
  EXPECT_EQ(c.schema, J(R"({"type": "object", "properties": {"q": {"type": "string"}},
                           "required": ["q"]})"));
  EXPECT_TRUE(has_note(c, Kind::dropped, "additionalProperties", "#/definitions/SearchArgs"));
}

// @modelcontextprotocol/server-filesystem: edit_file and the argument-less
// list_allowed_directories, as tools/list returns them.
TEST(RealWorldSchema, McpFilesystemServer) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{"path":{"type":"string"},
      "edits":{"type":"array","items":{"type":"object","properties":{
        "oldText":{"type":"string","description":"Text to search for - must match exactly"},
        "newText":{"type":"string","description":"Text to replace with"}},
        "required":["oldText","newText"],"additionalProperties":false}},
      "dryRun":{"type":"boolean","default":false,
                "description":"Preview changes using git-style diff format"}},
      "required":["path","edits"],"additionalProperties":false,
      "$schema":"http://json-schema.org/draft-07/schema#"})")
                .schema,
            J(R"({"type":"object","properties":{"path":{"type":"string"},
      "edits":{"type":"array","items":{"type":"object","properties":{
        "oldText":{"type":"string","description":"Text to search for - must match exactly"},
        "newText":{"type":"string","description":"Text to replace with"}},
        "required":["oldText","newText"]}},
      "dryRun":{"type":"boolean","description":"Preview changes using git-style diff format"}},
      "required":["path","edits"]})"));
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{},"required":[]})").schema,
            J(R"({"type":"object","required":[]})"));
}

// The OpenAI SDK's pydantic tools (strict mode: additionalProperties false, defaults) from the
// openai fixtures: compiled for Gemini they lose exactly the keywords Gemini rejects.
TEST(RealWorldSchema, OpenAIFixtureTools) {
  int compiled_tools = 0;
  for (const char* name :
       {"openai/chat-tools.request.json", "openai/chat-stream-parallel-tools.request.json"}) {
    SCOPED_TRACE(name);
    const json::value request = J(read_fixture(name));
    for (const json::value& tool : request.at("tools").as_array()) {
      const json::value& params = tool.at("function").at("parameters");
      const CompiledSchema c = compile_ok(json::serialize(params));
      EXPECT_FALSE(contains_key(c.schema, "additionalProperties"));
      EXPECT_FALSE(contains_key(c.schema, "default"));
      EXPECT_EQ(c.schema.at("required"), params.at("required"));
      EXPECT_EQ(c.schema.at("properties").as_object().size(),
                params.at("properties").as_object().size());
      ++compiled_tools;
    }
  }
  EXPECT_EQ(compiled_tools, 4);
}

// A function declaration Gemini accepted (gemini fixture) is already in the subset: unchanged.
TEST(RealWorldSchema, GeminiFixtureSchemaIsAFixedPoint) {
  const json::value request = J(read_fixture("gemini/generate-content-function-call.request.json"));
  const json::array& decls = request.at("tools").at("function_declarations").as_array();
  ASSERT_FALSE(decls.empty());
  for (const json::value& decl : decls) {
    const json::value& params = decl.at("parameters");
    const CompiledSchema c = compile_ok(json::serialize(params));
    EXPECT_EQ(c.schema, params);
    EXPECT_TRUE(c.notes.empty());
  }
}

}  // namespace
}  // namespace gw::tool_schema
