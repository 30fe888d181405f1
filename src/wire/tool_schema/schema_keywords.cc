// The keyword table of the OpenAPI-subset compiler (see schema_keywords.h and
// docs/tool-schemas.md, which lists the same rules for people).
#include "wire/tool_schema/schema_keywords.h"

#include <algorithm>
#include <array>
#include <utility>

namespace gw::tool_schema {

namespace {

using Entry = std::pair<std::string_view, KeywordAction>;
using A = KeywordAction;

// Sorted by keyword (checked by a unit test through keyword_action of every entry).
constexpr std::array kKeywords = {
    Entry{"$anchor", A::drop},
    Entry{"$comment", A::drop},
    Entry{"$defs", A::drop},  // inlined through $ref, then removed
    Entry{"$dynamicAnchor", A::drop},
    Entry{"$dynamicRef", A::refuse},  // recursive by design
    Entry{"$id", A::drop},
    Entry{"$recursiveAnchor", A::drop},
    Entry{"$recursiveRef", A::refuse},
    Entry{"$ref", A::ref},
    Entry{"$schema", A::drop},
    Entry{"$vocabulary", A::drop},
    Entry{"additionalItems", A::drop},
    Entry{"additionalProperties", A::drop},
    Entry{"allOf", A::all_of},
    Entry{"anyOf", A::any_of},
    Entry{"const", A::const_value},
    Entry{"contains", A::drop},
    Entry{"contentEncoding", A::drop},
    Entry{"contentMediaType", A::drop},
    Entry{"contentSchema", A::drop},
    Entry{"default", A::drop},
    Entry{"definitions", A::drop},     // draft-07 $defs
    Entry{"dependencies", A::refuse},  // draft-07 dependentSchemas/dependentRequired
    Entry{"dependentRequired", A::refuse},
    Entry{"dependentSchemas", A::refuse},
    Entry{"deprecated", A::drop},
    Entry{"description", A::keep},
    Entry{"else", A::refuse},
    Entry{"enum", A::enum_values},
    Entry{"examples", A::drop},
    Entry{"exclusiveMaximum", A::exclusive_max},
    Entry{"exclusiveMinimum", A::exclusive_min},
    Entry{"format", A::format},
    Entry{"if", A::refuse},
    Entry{"items", A::items},
    Entry{"maxContains", A::drop},
    Entry{"maxItems", A::keep},
    Entry{"maxLength", A::keep},
    Entry{"maxProperties", A::keep},
    Entry{"maximum", A::keep},
    Entry{"minContains", A::drop},
    Entry{"minItems", A::keep},
    Entry{"minLength", A::keep},
    Entry{"minProperties", A::keep},
    Entry{"minimum", A::keep},
    Entry{"multipleOf", A::drop},
    Entry{"not", A::refuse},
    Entry{"nullable", A::keep},  // OpenAPI's own spelling, already in the target dialect
    Entry{"oneOf", A::one_of},
    Entry{"pattern", A::keep},
    Entry{"patternProperties", A::drop},
    Entry{"prefixItems", A::refuse},
    Entry{"properties", A::properties},
    Entry{"propertyNames", A::drop},
    Entry{"propertyOrdering", A::keep},  // Gemini's own extension
    Entry{"readOnly", A::drop},
    Entry{"required", A::keep},
    Entry{"strict", A::drop},  // OpenAI strict-mode marker some clients put inside the schema
    Entry{"then", A::refuse},
    Entry{"title", A::keep},
    Entry{"type", A::type},
    Entry{"unevaluatedItems", A::drop},
    Entry{"unevaluatedProperties", A::drop},
    Entry{"uniqueItems", A::drop},
    Entry{"writeOnly", A::drop},
};

static_assert(std::is_sorted(kKeywords.begin(), kKeywords.end(),
                             [](const Entry& a, const Entry& b) { return a.first < b.first; }));

using TypedKeyword = std::pair<std::string_view, std::string_view>;
constexpr std::array kTypedKeywords = {
    TypedKeyword{"enum", "string"},
    TypedKeyword{"items", "array"},
    TypedKeyword{"maxItems", "array"},
    TypedKeyword{"maxLength", "string"},
    TypedKeyword{"maxProperties", "object"},
    TypedKeyword{"maximum", "number"},
    TypedKeyword{"minItems", "array"},
    TypedKeyword{"minLength", "string"},
    TypedKeyword{"minProperties", "object"},
    TypedKeyword{"minimum", "number"},
    TypedKeyword{"pattern", "string"},
    TypedKeyword{"properties", "object"},
    TypedKeyword{"propertyOrdering", "object"},
    TypedKeyword{"required", "object"},
};

}  // namespace

KeywordAction keyword_action(std::string_view keyword) {
  auto it = std::lower_bound(kKeywords.begin(), kKeywords.end(), keyword,
                             [](const Entry& e, std::string_view k) { return e.first < k; });
  if (it == kKeywords.end() || it->first != keyword) return A::unknown;
  return it->second;
}

bool format_allowed(std::string_view type, std::string_view format) {
  if (type == "string") return format == "enum" || format == "date-time";
  if (type == "number" || type == "integer") {
    return format == "int32" || format == "int64" || format == "float" || format == "double";
  }
  return false;
}

std::string_view keyword_instance_type(std::string_view keyword) {
  for (const auto& [k, type] : kTypedKeywords) {
    if (k == keyword) return type;
  }
  return {};
}

bool known_type(std::string_view type) {
  return type == "string" || type == "number" || type == "integer" || type == "boolean" ||
         type == "array" || type == "object" || type == "null";
}

}  // namespace gw::tool_schema
