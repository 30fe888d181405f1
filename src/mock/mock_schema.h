// Sample values from JSON Schema: how the mock invents tool-call arguments and json_schema
// structured output. The rules are fixed (docs/mock-provider.md) so tests can predict them:
// object → every property in schema order, string → enum[0] or "<property>-value",
// integer → 1, number → 1.5, boolean → true, array → [] (or minItems samples), null → null.
#pragma once

#include <string_view>

#include <boost/json/value.hpp>

namespace gw::mock {

// A value that satisfies the common subset of `schema` (type, properties, enum, const, $ref to
// "#/...", anyOf/oneOf/allOf, minimum/maximum, minItems, a few string formats). A missing or
// non-object schema yields {} (a tool without parameters takes an empty object).
boost::json::value sample_from_schema(const boost::json::value& schema);

// The same, for a sub-schema named `name` (the property it describes) inside `root`.
boost::json::value sample_from_schema(const boost::json::value& schema,
                                      const boost::json::value& root, std::string_view name);

}  // namespace gw::mock
