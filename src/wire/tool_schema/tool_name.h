// Tool-name rules: whether a name is acceptable to a provider (ToolRules) and the deterministic
// rewrite of one that is not. Collisions between rewritten names are settled in tool_name_map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "spi/provider.h"

namespace gw::tool_schema {

// Rewrites keep at least this many characters available so the '_' + 8-hex-digit hash suffix
// still leaves a readable prefix; a provider limit below it is treated as this value (no real
// provider allows fewer than 64).
inline constexpr std::size_t kMinNameLength = 16;

// True when `name` is non-empty, within max_name_length, uses only ASCII letters, digits and
// name_extra_chars, and starts with a letter or '_' when the rules demand it.
bool tool_name_valid(std::string_view name, const ToolRules& rules);

// FNV-1a 64: stable across builds and processes, so a renamed tool keeps its name from turn to
// turn and from instance to instance. `salt` picks another hash for collision retries.
std::uint64_t stable_name_hash(std::string_view text, std::uint64_t salt = 0);

// '_' followed by 8 lowercase hex digits of stable_name_hash(original, salt).
std::string name_hash_suffix(std::string_view original, std::uint64_t salt = 0);

// The provider name for an invalid `original`, before collisions are considered: each invalid
// character (a whole UTF-8 sequence counts as one) becomes '_', a '_' is prefixed when the name
// must start with a letter or '_', and a name still too long is cut to end in
// name_hash_suffix(original) so that two long names sharing a prefix stay apart.
// '_' is taken to be allowed: every provider's name alphabet has it.
std::string rewrite_tool_name(std::string_view original, const ToolRules& rules);

// `base` cut so that base + suffix fits the rules' length limit, then suffix appended.
std::string fit_with_suffix(std::string_view base, std::string_view suffix, const ToolRules& rules);

}  // namespace gw::tool_schema
