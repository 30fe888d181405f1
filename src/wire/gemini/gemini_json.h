// Compact JSON text for values the Gemini codec passes on as text (function-call args, function
// responses). Boost.JSON 1.81 prints 2.5 as "2.5E0"; this writes numbers the way people and
// providers do ("2.5"), so arguments read the same whichever dialect shows them.
#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace gw::gemini {

// Keys in their stored order, no whitespace, doubles in shortest round-trip form (a non-finite
// double, which JSON cannot hold, as null).
void append_compact_json(std::string& out, const boost::json::value& value);
std::string compact_json(const boost::json::value& value);

}  // namespace gw::gemini
