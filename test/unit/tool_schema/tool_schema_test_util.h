// Helpers for the tool-schema tests: JSON literals, the two provider rule sets the tests compile
// for, and compile calls that report the other outcome as a test failure.
#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "wire/tool_schema/schema_compile.h"
#include "wire/tool_schema/tool_schema.h"

namespace gw::tool_schema::test {

namespace json = boost::json;

inline json::value J(std::string_view text) {
  return json::parse(text);
}

// OpenAI-like: full JSON Schema, names [A-Za-z0-9_-]{1,64}.
inline ToolRules json_schema_rules() {
  return ToolRules{};
}

// Gemini-like: OpenAPI subset, names start with a letter or '_', [A-Za-z0-9_]{1,64}.
inline ToolRules openapi_rules() {
  ToolRules r;
  r.schema = ToolRules::Schema::openapi_subset;
  r.name_extra_chars = "_";
  r.name_must_start_with_letter_or_underscore = true;
  return r;
}

inline SchemaSubject tool_subject(std::string name = "get_weather", std::size_t index = 0) {
  return SchemaSubject{"Tool '" + name + "'", "tools[" + std::to_string(index) + "].parameters",
                       true};
}

inline CompiledSchema compile_ok(std::string_view schema,
                                 const SchemaSubject& subject = tool_subject()) {
  Result<CompiledSchema> r = compile_openapi_schema(J(schema), subject);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : CompiledSchema{};
}

inline Error compile_err(std::string_view schema, const SchemaSubject& subject = tool_subject()) {
  Result<CompiledSchema> r = compile_openapi_schema(J(schema), subject);
  EXPECT_FALSE(r.ok()) << "compiled to: " << (r.ok() ? json::serialize(r->schema) : "");
  return r.ok() ? Error{} : std::move(r).error();
}

// The compiled schema as JSON text, for one EXPECT_EQ against a literal.
inline std::string compiled(std::string_view schema) {
  return json::serialize(compile_ok(schema).schema);
}

inline std::string canon(std::string_view schema) {
  return json::serialize(J(schema));
}

inline bool has_note(const CompiledSchema& c, SchemaNote::Kind kind, std::string_view keyword,
                     std::string_view path) {
  for (const SchemaNote& n : c.notes) {
    if (n.kind == kind && n.keyword == keyword && n.path == path) return true;
  }
  return false;
}

// Every key anywhere in `v` (object keys at any depth), to assert a keyword is gone.
inline bool contains_key(const json::value& v, std::string_view key) {
  if (const json::object* o = v.if_object()) {
    for (const auto& kv : *o) {
      if (kv.key() == key || contains_key(kv.value(), key)) return true;
    }
  } else if (const json::array* a = v.if_array()) {
    for (const json::value& e : *a) {
      if (contains_key(e, key)) return true;
    }
  }
  return false;
}

}  // namespace gw::tool_schema::test
