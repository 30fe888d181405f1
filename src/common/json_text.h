// Hand-written JSON output for the streaming hot path (DESIGN.md §4: no DOM per streamed event).
// Appends to a caller-owned std::string so the only allocation is the string's own growth.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gw {

// Appends `text` as the inside of a JSON string: escapes '"', '\\' and control characters
// (< 0x20, as \n \r \t \b \f or \u00XX). Everything else, UTF-8 included, is copied as is.
void json_escape_append(std::string& out, std::string_view text);

// Appends `text` as a quoted JSON string.
inline void json_quote_append(std::string& out, std::string_view text) {
  out.push_back('"');
  json_escape_append(out, text);
  out.push_back('"');
}

// Appends a quoted JSON string, or `null` when `text` is empty.
inline void json_quote_or_null_append(std::string& out, std::string_view text) {
  if (text.empty()) {
    out.append("null");
  } else {
    json_quote_append(out, text);
  }
}

// Appends a decimal integer.
void json_int_append(std::string& out, std::int64_t value);

}  // namespace gw
