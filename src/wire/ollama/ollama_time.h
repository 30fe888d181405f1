// Ollama's created_at timestamps (Go's time.Time in RFC 3339 with up to nanosecond fractions,
// "2023-12-12T14:13:43.416799Z") to and from the canonical model's Unix seconds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gw::ollama {

// Unix seconds of an RFC 3339 timestamp ("Z" or a ±hh:mm offset; the fraction is dropped).
// 0 when the text is not such a timestamp: a bad created_at must not fail a whole answer.
std::int64_t parse_created_at(std::string_view text);

// "2023-11-14T22:13:20Z" for 1700000000.
std::string format_created_at(std::int64_t unix_seconds);

}  // namespace gw::ollama
