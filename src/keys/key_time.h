// RFC 3339 timestamps for stored keys: how listings show created/expires/revoked times and how
// POST /admin/keys reads "expires_at".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gw::keys {

// Unix ms → "2026-11-26T14:18:53Z" (UTC, whole seconds).
std::string format_rfc3339(std::int64_t unix_ms);

// "2026-11-26T14:18:53Z", "…T14:18:53.250+01:00", "…t14:18:53z" → Unix ms. nullopt when the text
// is not an RFC 3339 date-time or names an impossible date.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace gw::keys
