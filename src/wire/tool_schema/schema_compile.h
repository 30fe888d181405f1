// JSON Schema → Gemini's OpenAPI 3.0 subset (ToolRules::Schema::openapi_subset). Local $refs are
// inlined, unions become nullable/anyOf, annotations and unsupported constraints are dropped
// (and noted), and what cannot be expressed fails with a typed error naming subject, keyword and
// path. The rules are listed in docs/tool-schemas.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "common/result.h"

namespace gw::tool_schema {

inline constexpr int kMaxSchemaDepth = 64;             // nested schemas, after $ref inlining
inline constexpr std::size_t kMaxSchemaNodes = 10000;  // schemas in the output, ditto

// A change the compiler made that a debug log should mention.
struct SchemaNote {
  enum class Kind : std::uint8_t {
    dropped,       // a known annotation or unsupported constraint was removed
    unknown,       // a keyword the compiler does not know was removed
    approximated,  // translated with a loss (oneOf → anyOf, exclusiveMinimum → minimum)
  };
  Kind kind = Kind::dropped;
  std::string keyword;
  std::string path;  // "#/properties/when"
};

// Who the schema belongs to, for errors.
struct SchemaSubject {
  std::string what;                 // "Tool 'get_weather'": starts every error message
  std::string param;                // "tools[2].parameters": Error::param
  bool root_must_be_object = true;  // tool parameters: yes; a response schema: no
};

struct CompiledSchema {
  boost::json::value schema;
  std::vector<SchemaNote> notes;  // sorted by path, then keyword; no duplicates
};

// Errors: caller_invalid_request, code "tool_schema_unsupported", param = subject.param, message
// "<what>: JSON Schema keyword '<keyword>' at '<path>' <reason>."
Result<CompiledSchema> compile_openapi_schema(const boost::json::value& schema,
                                              const SchemaSubject& subject);

}  // namespace gw::tool_schema
