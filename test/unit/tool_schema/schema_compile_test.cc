// The OpenAPI-subset schema compiler, rule by rule: kept keywords, formats, $ref inlining,
// unions and nullability, oneOf/const/allOf/exclusive bounds, dropped keywords, enums and the
// top-level object rule.
#include <string>

#include <gtest/gtest.h>

#include "tool_schema_test_util.h"
#include "wire/tool_schema/schema_keywords.h"

namespace gw::tool_schema {
namespace {

using test::compile_err;
using test::compile_ok;
using test::contains_key;
using test::has_note;
namespace json = boost::json;
using test::J;
using Kind = SchemaNote::Kind;

TEST(SchemaCompileKeep, SupportedKeywordsPassUnchanged) {
  const char* schema = R"({
    "type": "object", "title": "T", "description": "d", "nullable": false,
    "properties": {
      "s": {"type": "string", "minLength": 1, "maxLength": 9, "pattern": "^a", "format": "date-time",
            "enum": ["a", "ab"]},
      "n": {"type": "number", "minimum": 0, "maximum": 1.5, "format": "double"},
      "i": {"type": "integer", "format": "int64"},
      "a": {"type": "array", "items": {"type": "boolean"}, "minItems": 1, "maxItems": 3},
      "o": {"type": "object", "minProperties": 1, "maxProperties": 2,
            "properties": {"x": {"type": "string"}}},
      "u": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    },
    "required": ["s"], "propertyOrdering": ["s", "n", "i", "a", "o", "u"]
  })";
  const CompiledSchema c = compile_ok(schema);
  EXPECT_EQ(c.schema, J(schema));
  EXPECT_TRUE(c.notes.empty());
}

TEST(SchemaCompileKeep, OutputKeepsTheCallersKeyOrder) {
  EXPECT_EQ(json::serialize(compile_ok(R"({"type":"object","properties":{"b":{"type":"string"},
                                          "a":{"type":"integer"}},"required":["b"]})")
                                .schema),
            R"({"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}},)"
            R"("required":["b"]})");
}

TEST(SchemaCompileFormat, OnlyGeminiFormatsSurvive) {
  const CompiledSchema c = compile_ok(R"({"type":"object","properties":{
    "when": {"type":"string","format":"date-time"},
    "pick": {"type":"string","format":"enum","enum":["x"]},
    "mail": {"type":"string","format":"email"},
    "day":  {"type":"string","format":"date"},
    "n32":  {"type":"integer","format":"int32"},
    "f":    {"type":"number","format":"float"},
    "bad":  {"type":"integer","format":"date-time"},
    "flag": {"type":"boolean","format":"int32"},
    "any":  {"format":"uuid"}}})");
  const json::object& p = c.schema.at("properties").as_object();
  EXPECT_EQ(p.at("when").at("format"), "date-time");
  EXPECT_EQ(p.at("pick").at("format"), "enum");
  EXPECT_EQ(p.at("n32").at("format"), "int32");
  EXPECT_EQ(p.at("f").at("format"), "float");
  for (const char* dropped : {"mail", "day", "bad", "flag", "any"}) {
    SCOPED_TRACE(dropped);
    EXPECT_FALSE(p.at(dropped).as_object().contains("format"));
    EXPECT_TRUE(has_note(c, Kind::dropped, "format", std::string("#/properties/") + dropped));
  }
}

TEST(SchemaCompileRef, DefsAndDefinitionsAreInlined) {
  const CompiledSchema c = compile_ok(R"({
    "type": "object",
    "properties": {"a": {"$ref": "#/$defs/A"}, "b": {"$ref": "#/definitions/B"},
                   "c": {"$ref": "#/properties/a"}},
    "$defs": {"A": {"type": "string", "minLength": 2}},
    "definitions": {"B": {"type": "integer"}}
  })");
  EXPECT_EQ(c.schema, J(R"({"type":"object","properties":{
    "a":{"type":"string","minLength":2},"b":{"type":"integer"},
    "c":{"type":"string","minLength":2}}})"));
  EXPECT_TRUE(has_note(c, Kind::dropped, "$defs", "#"));
  EXPECT_TRUE(has_note(c, Kind::dropped, "definitions", "#"));
}

TEST(SchemaCompileRef, SiblingAnnotationsWinOverTheTarget) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{
              "p":{"$ref":"#/$defs/P","description":"the caller's words"}},
              "$defs":{"P":{"type":"string","description":"generic","title":"P"}}})")
                .schema.at("properties")
                .at("p"),
            J(R"({"description":"the caller's words","type":"string","title":"P"})"));
}

TEST(SchemaCompileRef, EscapedAndPercentEncodedPointers) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{
              "a":{"$ref":"#/$defs/a~1b"},"b":{"$ref":"#/$defs/My%20Type"}},
              "$defs":{"a/b":{"type":"string"},"My Type":{"type":"integer"}}})")
                .schema.at("properties"),
            J(R"({"a":{"type":"string"},"b":{"type":"integer"}})"));
}

TEST(SchemaCompileRef, ExpansionIsBounded) {
  // Each level references the previous one ten times: 10^6 schemas once inlined.
  std::string defs = R"("L0":{"type":"string"})";
  for (int i = 1; i <= 6; ++i) {
    std::string props;
    for (int k = 0; k < 10; ++k) {
      props += (k ? "," : "") + std::string("\"p") + std::to_string(k) +
               "\":{\"$ref\":\"#/$defs/L" + std::to_string(i - 1) + "\"}";
    }
    defs += ",\"L" + std::to_string(i) + "\":{\"type\":\"object\",\"properties\":{" + props + "}}";
  }
  const Error e = compile_err(R"({"$ref":"#/$defs/L6","$defs":{)" + defs + "}}");
  EXPECT_EQ(e.code, "tool_schema_unsupported");
  EXPECT_NE(e.message.find("more than 10000 schemas"), std::string::npos) << e.message;
}

TEST(SchemaCompileUnion, TypeArrayWithNullBecomesNullable) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{"x":{"type":["string","null"],
              "maxLength":3}}})")
                .schema.at("properties")
                .at("x"),
            J(R"({"type":"string","maxLength":3,"nullable":true})"));
}

TEST(SchemaCompileUnion, TypeArrayOfSeveralTypesSplitsIntoAnyOf) {
  const CompiledSchema c = compile_ok(R"({"type":"object","properties":{"x":{
      "type":["string","integer","array","null"],"description":"d","minLength":1,"minimum":2,
      "items":{"type":"string"},"format":"int32"}}})");
  EXPECT_EQ(c.schema.at("properties").at("x"), J(R"({"description":"d","nullable":true,"anyOf":[
      {"type":"string","minLength":1},
      {"type":"integer","minimum":2,"format":"int32"},
      {"type":"array","items":{"type":"string"}}]})"));
}

TEST(SchemaCompileUnion, AnyOfWithNullFoldsTheOnlyOtherMember) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{"x":{
              "anyOf":[{"type":"integer","minimum":1},{"type":"null"}],"title":"X"}}})")
                .schema.at("properties")
                .at("x"),
            J(R"({"title":"X","type":"integer","minimum":1,"nullable":true})"));
}

TEST(SchemaCompileUnion, AnyOfWithNullKeepsSeveralMembers) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{"x":{
              "anyOf":[{"type":"integer"},{"type":"null"},{"type":"string"}]}}})")
                .schema.at("properties")
                .at("x"),
            J(R"({"anyOf":[{"type":"integer"},{"type":"string"}],"nullable":true})"));
}

TEST(SchemaCompileUnion, OneOfBecomesAnyOfWithANote) {
  const CompiledSchema c = compile_ok(R"({"type":"object","properties":{"x":{
      "oneOf":[{"type":"integer"},{"type":"string"},{"type":"null"}]}}})");
  EXPECT_EQ(c.schema.at("properties").at("x"),
            J(R"({"anyOf":[{"type":"integer"},{"type":"string"}],"nullable":true})"));
  EXPECT_TRUE(has_note(c, Kind::approximated, "oneOf", "#/properties/x"));
}

TEST(SchemaCompileUnion, SingleMemberThatConflictsStaysAnyOf) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{"x":{"type":"string",
              "anyOf":[{"type":"integer"},{"type":"null"}]}}})")
                .schema.at("properties")
                .at("x"),
            J(R"({"type":"string","anyOf":[{"type":"integer"}],"nullable":true})"));
}

TEST(SchemaCompileConst, BecomesAOneValueEnum) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{"kind":{"const":"circle"}}})")
                .schema.at("properties")
                .at("kind"),
            J(R"({"enum":["circle"],"type":"string"})"));
  const Error e = compile_err(R"({"type":"object","properties":{"k":{"const":3}}})");
  EXPECT_NE(e.message.find("'const' at '#/properties/k'"), std::string::npos) << e.message;
}

TEST(SchemaCompileEnum, NullMemberBecomesNullable) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{"e":{"enum":["a",null]}}})")
                .schema.at("properties")
                .at("e"),
            J(R"({"enum":["a"],"nullable":true,"type":"string"})"));
}

TEST(SchemaCompileEnum, NumericAndBooleanEnumsAreRefused) {
  for (const char* e : {R"({"type":"integer","enum":[1,2]})", R"({"enum":[true,false]})",
                        R"({"enum":["a",1]})", R"({"type":"integer","enum":["1"]})"}) {
    SCOPED_TRACE(e);
    const Error err =
        compile_err(std::string(R"({"type":"object","properties":{"level":)") + e + "}}");
    EXPECT_EQ(err.code, "tool_schema_unsupported");
    EXPECT_NE(err.message.find("keyword 'enum' at '#/properties/level'"), std::string::npos)
        << err.message;
    EXPECT_NE(err.message.find("string enums"), std::string::npos);
  }
}

TEST(SchemaCompileAllOf, ObjectMembersMerge) {
  const CompiledSchema c = compile_ok(R"({"allOf":[
      {"type":"object","properties":{"a":{"type":"string"}},"required":["a"]},
      {"$ref":"#/$defs/B"},
      {"properties":{"a":{"maxLength":5}},"required":["a"]}],
    "description":"both",
    "$defs":{"B":{"type":"object","properties":{"b":{"type":"integer","minimum":0}},
                  "required":["b"]}}})");
  EXPECT_EQ(c.schema, J(R"({"description":"both","type":"object",
      "properties":{"a":{"type":"string","maxLength":5},"b":{"type":"integer","minimum":0}},
      "required":["a","b"]})"));
}

TEST(SchemaCompileAllOf, BoundsTakeTheStricterValue) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{"n":{"allOf":[
              {"type":"number","minimum":1,"maximum":10},{"type":"integer","minimum":3,
              "maximum":20}]}}})")
                .schema.at("properties")
                .at("n"),
            J(R"({"type":"integer","minimum":3,"maximum":10})"));
}

TEST(SchemaCompileAllOf, ConflictsAreErrors) {
  const Error e = compile_err(R"({"type":"object","properties":{"x":{"allOf":[
      {"type":"object","properties":{"a":{"type":"string"}}},
      {"type":"object","properties":{"a":{"type":"integer"}}}]}}})");
  EXPECT_EQ(e.code, "tool_schema_unsupported");
  EXPECT_NE(e.message.find("'allOf' at '#/properties/x'"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("properties/a/type"), std::string::npos) << e.message;
}

TEST(SchemaCompileBounds, ExclusiveBoundsBecomeInclusive) {
  const CompiledSchema c = compile_ok(R"({"type":"object","properties":{
      "a":{"type":"number","exclusiveMinimum":0,"exclusiveMaximum":1},
      "b":{"type":"number","minimum":5,"exclusiveMinimum":2},
      "c":{"type":"number","minimum":0,"exclusiveMinimum":true}}})");
  const json::object& p = c.schema.at("properties").as_object();
  EXPECT_EQ(p.at("a"), J(R"({"type":"number","minimum":0,"maximum":1})"));
  EXPECT_EQ(p.at("b"), J(R"({"type":"number","minimum":5})"));  // already stricter
  EXPECT_EQ(p.at("c"), J(R"({"type":"number","minimum":0})"));  // draft-04 boolean form
  EXPECT_TRUE(has_note(c, Kind::approximated, "exclusiveMinimum", "#/properties/a"));
  EXPECT_TRUE(has_note(c, Kind::approximated, "exclusiveMaximum", "#/properties/a"));
  EXPECT_TRUE(has_note(c, Kind::approximated, "exclusiveMinimum", "#/properties/c"));
}

TEST(SchemaCompileDrop, AnnotationsAndUnsupportedConstraintsAreDroppedAndNoted) {
  const char* dropped[] = {"$schema",
                           "$id",
                           "$comment",
                           "default",
                           "examples",
                           "additionalProperties",
                           "unevaluatedProperties",
                           "patternProperties",
                           "readOnly",
                           "writeOnly",
                           "deprecated",
                           "contentEncoding",
                           "contentMediaType",
                           "strict",
                           "multipleOf",
                           "uniqueItems"};
  json::object inner{{"type", "string"}};
  for (const char* k : dropped) inner[k] = k[0] == 'a' ? json::value(false) : json::value(1);
  json::object root{{"type", "object"}, {"properties", json::object{{"x", inner}}}};
  const Result<CompiledSchema> c = compile_openapi_schema(json::value(root), test::tool_subject());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->schema.at("properties").at("x"), J(R"({"type":"string"})"));
  for (const char* k : dropped) {
    SCOPED_TRACE(k);
    EXPECT_EQ(keyword_action(k), KeywordAction::drop);
    EXPECT_TRUE(has_note(*c, Kind::dropped, k, "#/properties/x"));
  }
}

TEST(SchemaCompileDrop, UnknownKeywordsAreDroppedAsUnknown) {
  const CompiledSchema c = compile_ok(R"({"type":"object","x-vendor":1,"properties":{}})");
  EXPECT_EQ(c.schema, J(R"({"type":"object"})"));
  EXPECT_TRUE(has_note(c, Kind::unknown, "x-vendor", "#"));
}

TEST(SchemaCompileDrop, PropertyNamesAreNotKeywords) {
  // Properties called "not", "default" and "$ref" are data, not keywords.
  const char* schema = R"({"type":"object","properties":{"not":{"type":"boolean"},
      "default":{"type":"string"},"$ref":{"type":"string"}},"required":["not"]})";
  EXPECT_EQ(compile_ok(schema).schema, J(schema));
}

TEST(SchemaCompileRoot, EmptyObjectKeepsNoProperties) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{}})").schema, J(R"({"type":"object"})"));
  EXPECT_EQ(compile_ok(R"({})").schema, J(R"({"type":"object"})"));
  EXPECT_EQ(compile_ok(R"({"properties":{"a":{"type":"string"}}})").schema,
            J(R"({"properties":{"a":{"type":"string"}},"type":"object"})"));
  EXPECT_EQ(compile_ok("true").schema, J(R"({"type":"object"})"));
}

TEST(SchemaCompileRoot, NonObjectTopLevelIsRefused) {
  for (const char* schema :
       {R"({"type":"string"})", R"({"type":"array","items":{}})",
        R"({"anyOf":[{"type":"object"},{"type":"string"}]})", R"({"type":["object","string"]})"}) {
    SCOPED_TRACE(schema);
    const Error e = compile_err(schema);
    EXPECT_EQ(e.param, "tools[0].parameters");
    EXPECT_NE(e.message.find("keyword 'type' at '#'"), std::string::npos) << e.message;
  }
  const Error e = compile_err(R"("just a string")");
  EXPECT_NE(e.message.find("the JSON Schema at '#' is not a schema"), std::string::npos)
      << e.message;
}

TEST(SchemaCompileRoot, ResponseSchemasMayBeAnyType) {
  const SchemaSubject subject{"Response format 'list'", "response_format.json_schema.schema",
                              false};
  EXPECT_EQ(compile_ok(R"({"type":"array","items":{"type":"string"}})", subject).schema,
            J(R"({"type":"array","items":{"type":"string"}})"));
}

TEST(SchemaCompileTypes, NullAloneAndUnknownTypesAreRefused) {
  Error e = compile_err(R"({"type":"object","properties":{"n":{"type":"null"}}})");
  EXPECT_NE(e.message.find("'type' at '#/properties/n' allows only null"), std::string::npos)
      << e.message;
  e = compile_err(R"({"type":"object","properties":{"n":{"type":"decimal"}}})");
  EXPECT_NE(e.message.find("unknown type 'decimal'"), std::string::npos) << e.message;
  e = compile_err(R"({"type":"object","properties":{"n":false}})");
  EXPECT_NE(e.message.find("keyword 'false' at '#/properties/n'"), std::string::npos) << e.message;
}

TEST(SchemaCompileTypes, TrueSchemaIsAnEmptySchema) {
  EXPECT_EQ(compile_ok(R"({"type":"object","properties":{"any":true,"also":{}}})")
                .schema.at("properties"),
            J(R"({"any":{},"also":{}})"));
}

}  // namespace
}  // namespace gw::tool_schema
