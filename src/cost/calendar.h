// Calendar-aligned budget windows (hour, day, month) in a configured time zone. A window is named
// by its period and local start ("day:2026-11-26", "month:2026-11", "hour:2026-11-26T14") so
// every gateway instance derives the same row key; its end is when Retry-After points.
//
// Zones: "UTC", a fixed offset ("+05:30", "-08:00"), or an IANA name read from the system's
// zoneinfo (its POSIX rule footer, which gives today's offsets and DST switches).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace gw::cost {

enum class Period { hour, day, month };
std::string_view period_name(Period p);

class TimeZone {
 public:
  static Result<TimeZone> load(std::string_view name);
  static TimeZone utc();
  // Offset of local time from UTC at the instant utc_ms.
  std::int64_t offset_ms(std::int64_t utc_ms) const;
  const std::string& name() const { return name_; }

 private:
  struct Rule;
  std::string name_;
  std::int64_t fixed_offset_ms_ = 0;
  std::shared_ptr<const Rule> rule_;  // null: fixed offset
};

struct CalendarWindow {
  std::string key;  // "day:2026-11-26"
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
};

CalendarWindow window_at(Period p, std::int64_t utc_ms, const TimeZone& tz);

}  // namespace gw::cost
