// Gemini's Schema object (an OpenAPI 3.0 subset: upper-case type names, `nullable`, 64-bit
// integers as strings, `propertyOrdering`) → the JSON Schema the canonical model carries, so a
// Gemini client's tools and response schemas work with every provider.
#pragma once

#include <boost/json/value.hpp>

namespace gw::gemini {

// type "OBJECT" → "object" (TYPE_UNSPECIFIED dropped); nullable: true → type [t, "null"] (or a
// {"type": "null"} alternative in anyOf); minItems "2" → 2 (likewise the other int64 bounds);
// example → examples [example]; propertyOrdering dropped; properties, items and anyOf converted
// recursively; every other keyword kept as is. A value that is not an object is returned as is.
boost::json::value openapi_to_json_schema(const boost::json::value& schema);

}  // namespace gw::gemini
