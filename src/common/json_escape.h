#pragma once

#include <string>
#include <string_view>

namespace gw {

// Appends `s` JSON-escaped (without quotes): ", \, and control characters; bytes >= 0x80 are
// copied as they are (inputs are valid UTF-8 by the time they reach here, or are escaped as
// \u00XX when not — see json_escape.cc).
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace gw
