#include "cost/calendar.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/date_time/local_time/local_time.hpp>
#include <boost/make_shared.hpp>

namespace gw::cost {

struct TimeZone::Rule {
  boost::local_time::time_zone_ptr zone;
};

namespace {

namespace pt = boost::posix_time;
namespace lt = boost::local_time;
using std::chrono::days;
using std::chrono::sys_days;

constexpr std::int64_t kHour = 3600 * 1000;
constexpr std::int64_t kDay = 24 * kHour;

Error zone_error(std::string message) {
  return Error::make(ErrorKind::caller_invalid_request, std::move(message), "bad_timezone");
}

// "+05:30" / "-08:00" / "+02" → offset ms.
std::optional<std::int64_t> parse_fixed(std::string_view s) {
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  int h = 0, m = 0;
  if (std::sscanf(std::string(s.substr(1)).c_str(), "%d:%d", &h, &m) < 1) return std::nullopt;
  if (h > 14 || m > 59) return std::nullopt;
  const std::int64_t off = (h * 60 + m) * 60 * 1000;
  return s[0] == '-' ? -off : off;
}

// The POSIX TZ rule at the end of a TZif v2+ file ("CET-1CEST,M3.5.0,M10.5.0/3").
std::optional<std::string> tzif_footer(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream all;
  all << in.rdbuf();
  const std::string data = all.str();
  if (data.size() < 5 || data.compare(0, 4, "TZif") != 0 || data.back() != '\n') {
    return std::nullopt;
  }
  const auto start = data.rfind('\n', data.size() - 2);
  if (start == std::string::npos) return std::nullopt;
  std::string footer = data.substr(start + 1, data.size() - start - 2);
  if (footer.empty()) return std::nullopt;
  return footer;
}

// POSIX writes the offset west of Greenwich ("CET-1" is UTC+1); Boost's posix_time_zone reads
// it east-positive. Flips the sign of the standard and DST offsets (not of the rule times).
std::string boost_rule(const std::string& posix) {
  const auto rules = posix.find(',');
  const std::string head = posix.substr(0, rules);
  std::string out;
  std::size_t i = 0;
  while (i < head.size()) {
    if (head[i] == '<') {  // quoted name: <+0330>
      const auto close = head.find('>', i);
      const std::size_t end = close == std::string::npos ? head.size() : close + 1;
      out.append(head, i, end - i);
      i = end;
    } else if (std::isalpha(static_cast<unsigned char>(head[i]))) {
      out.push_back(head[i++]);
    } else {
      char sign = '+';
      if (head[i] == '+' || head[i] == '-') sign = head[i++];
      out.push_back(sign == '-' ? '+' : '-');
      while (i < head.size() &&
             (std::isdigit(static_cast<unsigned char>(head[i])) || head[i] == ':')) {
        out.push_back(head[i++]);
      }
    }
  }
  if (rules != std::string::npos) out.append(posix, rules);
  return out;
}

pt::ptime from_ms(std::int64_t ms) {
  static const pt::ptime epoch(boost::gregorian::date(1970, 1, 1));
  return epoch + pt::milliseconds(ms);
}

// Local wall time (as ms since the epoch of a zone-less clock) → UTC ms, for the start of a
// window. Two passes settle the offset around a DST switch; a local midnight that does not exist
// maps to the instant just after the gap.
std::int64_t local_to_utc(std::int64_t local_ms, const TimeZone& tz) {
  std::int64_t utc = local_ms - tz.offset_ms(local_ms);
  utc = local_ms - tz.offset_ms(utc);
  return utc;
}

}  // namespace

std::string_view period_name(Period p) {
  switch (p) {
    case Period::hour:
      return "hour";
    case Period::day:
      return "day";
    case Period::month:
      return "month";
  }
  return "day";
}

TimeZone TimeZone::utc() {
  TimeZone tz;
  tz.name_ = "UTC";
  return tz;
}

Result<TimeZone> TimeZone::load(std::string_view name) {
  if (name.empty() || name == "UTC" || name == "Etc/UTC" || name == "Z") return utc();
  TimeZone tz;
  tz.name_ = std::string(name);
  if (auto fixed = parse_fixed(name)) {
    tz.fixed_offset_ms_ = *fixed;
    return tz;
  }
  if (name.find("..") != std::string_view::npos || name.front() == '/') {
    return zone_error("time zone \"" + std::string(name) + "\" is not a zone name");
  }
  auto footer = tzif_footer("/usr/share/zoneinfo/" + std::string(name));
  if (!footer) {
    return zone_error("unknown time zone \"" + std::string(name) +
                      "\" (use UTC, an offset like +05:30, or an IANA name such as Europe/Berlin)");
  }
  try {
    auto rule = std::make_shared<Rule>();
    rule->zone = boost::make_shared<lt::posix_time_zone>(boost_rule(*footer));
    tz.rule_ = std::move(rule);
  } catch (const std::exception&) {
    return zone_error("time zone \"" + std::string(name) +
                      "\" has a rule this build cannot read (" + *footer + ")");
  }
  return tz;
}

std::int64_t TimeZone::offset_ms(std::int64_t utc_ms) const {
  if (!rule_) return fixed_offset_ms_;
  const pt::ptime utc = from_ms(utc_ms);
  lt::local_date_time local(utc, rule_->zone);
  return (local.local_time() - utc).total_milliseconds();
}

CalendarWindow window_at(Period p, std::int64_t utc_ms, const TimeZone& tz) {
  const std::int64_t local = utc_ms + tz.offset_ms(utc_ms);
  const std::int64_t day_index = local >= 0 ? local / kDay : (local - kDay + 1) / kDay;
  const sys_days day{days(day_index)};
  const std::chrono::year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  const unsigned mo = static_cast<unsigned>(ymd.month());
  const unsigned d = static_cast<unsigned>(ymd.day());
  char key[32];
  CalendarWindow w;
  switch (p) {
    case Period::hour: {
      const std::int64_t local_start = local - (local % kHour + kHour) % kHour;
      const int hour = static_cast<int>((local_start - day_index * kDay) / kHour);
      std::snprintf(key, sizeof key, "hour:%04d-%02u-%02uT%02d", y, mo, d, hour);
      // Hours are an hour long in every zone (offsets change by whole or half hours at most on
      // the hour boundary itself), so the UTC span is taken directly.
      w.start_ms = utc_ms - (local - local_start);
      w.end_ms = w.start_ms + kHour;
      break;
    }
    case Period::day: {
      std::snprintf(key, sizeof key, "day:%04d-%02u-%02u", y, mo, d);
      const std::int64_t local_start = day_index * kDay;
      w.start_ms = local_to_utc(local_start, tz);
      w.end_ms = local_to_utc(local_start + kDay, tz);
      break;
    }
    case Period::month: {
      std::snprintf(key, sizeof key, "month:%04d-%02u", y, mo);
      const std::chrono::year_month first{ymd.year(), ymd.month()};
      const sys_days start{first / std::chrono::day{1}};
      const sys_days next{(first + std::chrono::months{1}) / std::chrono::day{1}};
      w.start_ms = local_to_utc(start.time_since_epoch().count() * kDay, tz);
      w.end_ms = local_to_utc(next.time_since_epoch().count() * kDay, tz);
      break;
    }
  }
  w.key = key;
  return w;
}

}  // namespace gw::cost
