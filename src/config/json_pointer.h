// RFC 6901 JSON pointers: every config problem names the offending value by one, so an operator
// (or an editor) can jump straight to it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gw::config {

// Escapes one reference token: '~' → "~0", '/' → "~1".
std::string pointer_escape(std::string_view token);
// The inverse of pointer_escape.
std::string pointer_unescape(std::string_view token);

// base + "/" + escaped token.
std::string pointer_append(std::string_view base, std::string_view token);
std::string pointer_append(std::string_view base, std::size_t index);

// The unescaped tokens of a pointer ("" → none).
std::vector<std::string> pointer_tokens(std::string_view pointer);

// Valijson reports where an error is as a context path: {"<root>", "[personas]", "[x]", "[0]"}.
std::string pointer_from_valijson_context(const std::vector<std::string>& context);

}  // namespace gw::config
