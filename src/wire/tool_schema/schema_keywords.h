// What the OpenAPI-subset compiler does with each JSON Schema keyword: keep it, translate it,
// drop it (noted for a debug log) or refuse the schema. One table, so the rules read as data.
#pragma once

#include <cstdint>
#include <string_view>

namespace gw::tool_schema {

enum class KeywordAction : std::uint8_t {
  keep,           // copied as is (title, description, nullable, minItems, pattern, …)
  format,         // kept only where the type allows it (format_allowed)
  enum_values,    // string values only; null becomes nullable
  const_value,    // → enum [value]
  items,          // a schema; the array (tuple) form is refused
  properties,     // a map of schemas; an empty map is left out
  exclusive_min,  // → minimum (the bound becomes inclusive)
  exclusive_max,  // → maximum
  type,           // a string or a union array (handled by the compiler)
  ref,            // local $ref: inlined
  all_of,         // merged into one schema
  any_of,         // null branches → nullable, the rest stays anyOf
  one_of,         // → anyOf (exclusivity is lost)
  drop,           // annotation or unsupported constraint: removed
  refuse,         // cannot be expressed: the request fails with tool_schema_unsupported
  unknown,        // not a keyword this table knows: removed
};

KeywordAction keyword_action(std::string_view keyword);

// Gemini accepts only these formats: "enum" and "date-time" for strings; "int32", "int64",
// "float" and "double" for numbers and integers.
bool format_allowed(std::string_view type, std::string_view format);

// The instance type a kept keyword constrains ("string", "number", "array", "object"), or empty
// when it applies to every type (title, description, nullable, format). Used to split a type
// union into one anyOf branch per type.
std::string_view keyword_instance_type(std::string_view keyword);

// Whether `type` is a JSON Schema type name.
bool known_type(std::string_view type);

}  // namespace gw::tool_schema
