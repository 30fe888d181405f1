// Resolution of a JSON Schema $ref inside the document it appears in. Only local references
// ("#", "#/$defs/X", "#/definitions/X", any "#/json/pointer") can be inlined; remote and anchor
// references cannot.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace gw::tool_schema {

// The schema `ref` points to within `root`, or nullptr with `reason` set (a clause that follows
// "JSON Schema keyword '$ref' at '<path>' …").
const boost::json::value* resolve_local_ref(const boost::json::value& root, std::string_view ref,
                                            std::string& reason);

}  // namespace gw::tool_schema
