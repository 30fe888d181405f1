// Calendar arithmetic for cost reports: hour/day/month boundaries at a fixed UTC offset, and
// RFC 3339 timestamps in and out. Pure integer code on Unix milliseconds (proleptic Gregorian
// calendar), no time zone database: the offset is passed in (0 = UTC).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace gw::cost {

inline constexpr std::int64_t kMinuteMs = 60'000;
inline constexpr std::int64_t kHourMs = 3'600'000;
inline constexpr std::int64_t kDayMs = 86'400'000;

// The start of the hour / day / month containing `ms`, as seen at `utc_offset_ms`.
std::int64_t floor_hour(std::int64_t ms, std::int64_t utc_offset_ms);
std::int64_t floor_day(std::int64_t ms, std::int64_t utc_offset_ms);
std::int64_t floor_month(std::int64_t ms, std::int64_t utc_offset_ms);
// The start of the month after the one containing `ms`.
std::int64_t next_month(std::int64_t ms, std::int64_t utc_offset_ms);

// "2026-11-26T14:00:00Z" (offset 0) or "2026-11-26T16:00:00+02:00"; ".123" when ms is not whole.
std::string format_rfc3339(std::int64_t ms, std::int64_t utc_offset_ms = 0);

// "2026-11-26T14:00:00Z", "…T14:00:00.5+02:00" or a bare date "2026-11-26" (midnight at
// `utc_offset_ms`). Errors are caller_invalid_request naming `field`.
Result<std::int64_t> parse_rfc3339(std::string_view text, std::string_view field,
                                   std::int64_t utc_offset_ms = 0);

}  // namespace gw::cost
