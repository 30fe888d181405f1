// Application log: one JSON object per line on stderr ({"ts","level","msg",…}). Messages are
// JSON-escaped, so a request field can never split or forge a log line. Never log a secret.
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace gw::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(Level level);
Level parse_level(std::string_view name);  // "debug", "info", "warn", "error"
bool enabled(Level level);
void write(Level level, std::string_view message);

}  // namespace gw::log

#define GW_LOG_AT(level, ...)                                                         \
  do {                                                                                \
    if (::gw::log::enabled(level)) ::gw::log::write(level, fmt::format(__VA_ARGS__)); \
  } while (0)
#define GW_LOG_DEBUG(...) GW_LOG_AT(::gw::log::Level::debug, __VA_ARGS__)
#define GW_LOG_INFO(...) GW_LOG_AT(::gw::log::Level::info, __VA_ARGS__)
#define GW_LOG_WARN(...) GW_LOG_AT(::gw::log::Level::warn, __VA_ARGS__)
#define GW_LOG_ERROR(...) GW_LOG_AT(::gw::log::Level::error, __VA_ARGS__)
