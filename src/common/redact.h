// Secret redaction for text that may echo a credential back (provider error messages quote the
// key they rejected). Any run of 8 or more characters that also appears in a secret is
// replaced, so partial echoes ("sk-abc…xyz" prefixes) are caught as well as whole keys.
#pragma once

#include <string>
#include <string_view>

namespace gw {

inline constexpr std::string_view kRedacted = "[redacted]";

// Returns true when something was replaced.
bool redact_secret(std::string& text, std::string_view secret);

}  // namespace gw
