// Compact JSON text for values the wire codecs pass on as text (tool-call arguments, function
// responses): Boost.JSON 1.81 prints 2.5 as "2.5E0"; every codec writes numbers the way people,
// models and providers do ("2.5"), so arguments read the same whichever dialect shows them.
#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace gw {

// {"a":1,"b":[5.5,null]}: no whitespace, key order kept, doubles in their shortest form.
std::string json_compact(const boost::json::value& value);
void append_json_compact(std::string& out, const boost::json::value& value);

// A double in its shortest round-tripping form ("0.7", "1e+300"); integral values print
// without a fraction ("1").
std::string shortest_number(double d);

}  // namespace gw
