// Compact JSON text for values the Anthropic codec turns into strings (tool_use input → the
// canonical arguments text). Boost.JSON 1.81 prints 5.5 as "5.5E0"; arguments travel on to
// clients of other dialects as strings, so they are written the way models write them.
#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace gw::anthropic {

// {"a":1,"b":[5.5,null]}: no whitespace, key order kept, doubles in their shortest form.
std::string json_compact_text(const boost::json::value& value);
void append_json_compact(std::string& out, const boost::json::value& value);

// A double in its shortest round-tripping form ("0.7", "1e+300"); integral values print
// without a fraction ("1").
std::string shortest_number(double d);

}  // namespace gw::anthropic
