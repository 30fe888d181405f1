#include "cost/cost_time.h"

#include <algorithm>
#include <cstdio>

namespace gw::cost {
namespace {

struct Civil {
  std::int64_t year = 1970;
  int month = 1;
  int day = 1;
};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(y, 400);
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  Civil c;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2 ? 1 : 0);
  return c;
}

Error bad_time(std::string_view field, std::string_view text) {
  Error e =
      Error::make(ErrorKind::caller_invalid_request,
                  std::string(field) + " must be an RFC 3339 time (2026-11-26T14:00:00Z) " +
                      "or a date (2026-11-26), got \"" + std::string(text.substr(0, 64)) + "\"",
                  "invalid_parameter");
  e.param = std::string(field);
  return e;
}

// Reads exactly `n` digits at `pos`; -1 when they are not there.
int digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int days_in_month(std::int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

}  // namespace

std::int64_t floor_hour(std::int64_t ms, std::int64_t utc_offset_ms) {
  return floor_div(ms + utc_offset_ms, kHourMs) * kHourMs - utc_offset_ms;
}

std::int64_t floor_day(std::int64_t ms, std::int64_t utc_offset_ms) {
  return floor_div(ms + utc_offset_ms, kDayMs) * kDayMs - utc_offset_ms;
}

std::int64_t floor_month(std::int64_t ms, std::int64_t utc_offset_ms) {
  const Civil c = civil_from_days(floor_div(ms + utc_offset_ms, kDayMs));
  return days_from_civil(c.year, c.month, 1) * kDayMs - utc_offset_ms;
}

std::int64_t next_month(std::int64_t ms, std::int64_t utc_offset_ms) {
  const Civil c = civil_from_days(floor_div(ms + utc_offset_ms, kDayMs));
  const std::int64_t y = c.month == 12 ? c.year + 1 : c.year;
  const int m = c.month == 12 ? 1 : c.month + 1;
  return days_from_civil(y, m, 1) * kDayMs - utc_offset_ms;
}

std::string format_rfc3339(std::int64_t ms, std::int64_t utc_offset_ms) {
  const std::int64_t local = ms + utc_offset_ms;
  const std::int64_t days = floor_div(local, kDayMs);
  const std::int64_t in_day = local - days * kDayMs;
  const Civil c = civil_from_days(days);
  char buf[64];
  int n = std::snprintf(
      buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d", static_cast<long long>(c.year), c.month,
      c.day, static_cast<int>(in_day / kHourMs), static_cast<int>(in_day % kHourMs / kMinuteMs),
      static_cast<int>(in_day % kMinuteMs / 1000));
  std::string out(buf, static_cast<std::size_t>(n));
  if (in_day % 1000 != 0) {
    n = std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(in_day % 1000));
    out.append(buf, static_cast<std::size_t>(n));
  }
  if (utc_offset_ms == 0) {
    out.push_back('Z');
  } else {
    const std::int64_t minutes = (utc_offset_ms < 0 ? -utc_offset_ms : utc_offset_ms) / kMinuteMs;
    n = std::snprintf(buf, sizeof buf, "%c%02d:%02d", utc_offset_ms < 0 ? '-' : '+',
                      static_cast<int>(minutes / 60), static_cast<int>(minutes % 60));
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Result<std::int64_t> parse_rfc3339(std::string_view text, std::string_view field,
                                   std::int64_t utc_offset_ms) {
  const int year = digits(text, 0, 4);
  const int month = digits(text, 5, 2);
  const int day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || text.size() < 10 || text[4] != '-' ||
      text[7] != '-' || day > days_in_month(year, month)) {
    return bad_time(field, text);
  }
  const std::int64_t date_ms = days_from_civil(year, month, day) * kDayMs;
  if (text.size() == 10) return date_ms - utc_offset_ms;

  if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return bad_time(field, text);
  const int hour = digits(text, 11, 2);
  const int minute = digits(text, 14, 2);
  const int second = digits(text, 17, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 ||
      text[13] != ':' || text[16] != ':') {
    return bad_time(field, text);
  }
  std::size_t pos = 19;
  std::int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t scale = 100;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad_time(field, text);
  }
  std::int64_t offset = 0;
  const std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const int oh = digits(zone, 1, 2);
    const int om = digits(zone, 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return bad_time(field, text);
    offset = (oh * 60 + om) * kMinuteMs * (zone[0] == '-' ? -1 : 1);
  } else {
    return bad_time(field, text);
  }
  return date_ms + hour * kHourMs + minute * kMinuteMs + std::min(second, 59) * 1000 + millis -
         offset;
}

}  // namespace gw::cost
