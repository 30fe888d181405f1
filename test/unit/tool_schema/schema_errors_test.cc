// Every schema the OpenAPI subset cannot express fails with caller_invalid_request, code
// tool_schema_unsupported, param tools[i].parameters, and a message naming the tool, the keyword
// and the JSON path where it sits.
#include <string>

#include <gtest/gtest.h>

#include "tool_schema_test_util.h"
#include "wire/tool_schema/schema_keywords.h"

namespace gw::tool_schema {
namespace {

using test::compile_err;
namespace json = boost::json;
using test::J;

struct Refusal {
  const char* name;
  const char* schema;
  const char* keyword;
  const char* path;
};

class SchemaRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(SchemaRefusal, NamesToolKeywordAndPath) {
  const Refusal& r = GetParam();
  const Error e = compile_err(r.schema, test::tool_subject("search.docs", 3));
  EXPECT_EQ(e.kind, ErrorKind::caller_invalid_request);
  EXPECT_EQ(e.code, "tool_schema_unsupported");
  EXPECT_EQ(e.param, "tools[3].parameters");
  EXPECT_TRUE(e.message.starts_with("Tool 'search.docs': ")) << e.message;
  const std::string located =
      "keyword '" + std::string(r.keyword) + "' at '" + std::string(r.path) + "'";
  EXPECT_NE(e.message.find(located), std::string::npos) << e.message << "\nwanted: " << located;
}

// The refused keywords, each inside a property so the path is not just "#".
const Refusal kRefusals[] = {
    {"not", R"({"type":"object","properties":{"q":{"not":{"type":"string"}}}})", "not",
     "#/properties/q"},
    {"if", R"({"type":"object","properties":{"q":{"if":{"minLength":1},"then":{}}}})", "if",
     "#/properties/q"},
    {"then", R"({"type":"object","properties":{"q":{"then":{}}}})", "then", "#/properties/q"},
    {"else", R"({"type":"object","properties":{"q":{"else":{}}}})", "else", "#/properties/q"},
    {"prefixItems",
     R"({"type":"object","properties":{"p":{"type":"array","prefixItems":[{"type":"number"}]}}})",
     "prefixItems", "#/properties/p"},
    {"tuple_items",
     R"({"type":"object","properties":{"p":{"type":"array","items":[{"type":"number"}]}}})",
     "items", "#/properties/p"},
    {"dependentSchemas",
     R"({"type":"object","properties":{"o":{"type":"object","dependentSchemas":{"a":{}}}}})",
     "dependentSchemas", "#/properties/o"},
    {"dependentRequired",
     R"({"type":"object","properties":{"o":{"dependentRequired":{"a":["b"]}}}})",
     "dependentRequired", "#/properties/o"},
    {"dependencies", R"({"type":"object","dependencies":{"a":["b"]}})", "dependencies", "#"},
    {"recursive_ref",
     R"({"type":"object","properties":{"tree":{"$ref":"#/$defs/Node"}},
         "$defs":{"Node":{"type":"object","properties":{
           "children":{"type":"array","items":{"$ref":"#/$defs/Node"}}}}}})",
     "$ref", "#/$defs/Node/properties/children/items"},
    {"root_ref", R"({"type":"object","properties":{"self":{"$ref":"#"}}})", "$ref",
     "#/properties/self"},
    {"remote_ref", R"({"type":"object","properties":{"r":{"$ref":"https://example.com/s.json"}}})",
     "$ref", "#/properties/r"},
    {"anchor_ref", R"({"type":"object","properties":{"r":{"$ref":"#node"}}})", "$ref",
     "#/properties/r"},
    {"missing_ref", R"({"type":"object","properties":{"r":{"$ref":"#/$defs/Nope"}}})", "$ref",
     "#/properties/r"},
    {"dynamic_ref", R"({"type":"object","properties":{"r":{"$dynamicRef":"#meta"}}})",
     "$dynamicRef", "#/properties/r"},
    {"inside_def",
     R"({"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},
         "$defs":{"A":{"type":"object","properties":{"z":{"not":{}}}}}})",
     "not", "#/$defs/A/properties/z"},
    {"in_any_of",
     R"({"type":"object","properties":{"u":{"anyOf":[{"type":"string"},{"not":{}}]}}})", "not",
     "#/properties/u/anyOf/1"},
    {"in_items", R"({"type":"object","properties":{"l":{"type":"array","items":{"if":{}}}}})", "if",
     "#/properties/l/items"},
    {"escaped_property", R"({"type":"object","properties":{"a/b~c":{"not":{}}}})", "not",
     "#/properties/a~1b~0c"},
    {"numeric_enum", R"({"type":"object","properties":{"n":{"enum":[1,2]}}})", "enum",
     "#/properties/n"},
    {"only_null_union", R"({"type":"object","properties":{"n":{"anyOf":[{"type":"null"}]}}})",
     "anyOf", "#/properties/n"},
    {"allof_conflict",
     R"({"type":"object","properties":{"c":{"allOf":[{"type":"string"},{"type":"integer"}]}}})",
     "allOf", "#/properties/c"},
    {"ref_sibling_conflict",
     R"({"type":"object","properties":{"c":{"type":"integer","$ref":"#/$defs/S"}},
         "$defs":{"S":{"type":"string"}}})",
     "$ref", "#/properties/c"},
    {"any_and_one_of", R"({"type":"object","properties":{"c":{"anyOf":[{}],"oneOf":[{}]}}})",
     "oneOf", "#/properties/c"},
    {"type_union_with_ref",
     R"({"type":"object","properties":{"c":{"type":["string","integer"],"$ref":"#/$defs/S"}},
         "$defs":{"S":{}}})",
     "type", "#/properties/c"},
    {"top_level_not_object", R"({"type":"string"})", "type", "#"},
};

INSTANTIATE_TEST_SUITE_P(All, SchemaRefusal, ::testing::ValuesIn(kRefusals),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SchemaRefusalTable, RefusedKeywordsAreInTheTable) {
  for (const char* k : {"not", "if", "then", "else", "prefixItems", "dependentSchemas",
                        "dependentRequired", "dependencies", "$dynamicRef", "$recursiveRef"}) {
    EXPECT_EQ(keyword_action(k), KeywordAction::refuse) << k;
  }
  EXPECT_EQ(keyword_action("x-unknown"), KeywordAction::unknown);
}

TEST(SchemaRefusalDepth, DeepNestingIsRefused) {
  // 70 nested arrays: fine as JSON (depth 140 is not parsed here), too deep as a schema.
  json::value v = json::object{{"type", "string"}};
  for (int i = 0; i < 70; ++i) v = json::object{{"type", "array"}, {"items", v}};
  const Result<CompiledSchema> r = compile_openapi_schema(
      json::object{{"type", "object"}, {"properties", json::object{{"deep", v}}}},
      test::tool_subject());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("deeper than 64"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace gw::tool_schema
