#include "observability/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

#include "common/json_text.h"
#include "common/time_format.h"

namespace gw::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::info)};
std::mutex g_mutex;

const char* level_name(Level l) {
  switch (l) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

}  // namespace

void set_level(Level level) {
  g_level.store(static_cast<int>(level));
}

Level parse_level(std::string_view name) {
  if (name == "debug") return Level::debug;
  if (name == "warn" || name == "warning") return Level::warn;
  if (name == "error") return Level::error;
  return Level::info;
}

bool enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void write(Level level, std::string_view message) {
  std::string line;
  line.reserve(message.size() + 64);
  line.append("{\"ts\":\"");
  line.append(utc_timestamp());
  line.append("\",\"level\":\"");
  line.append(level_name(level));
  line.append("\",\"msg\":\"");
  json_escape_append(line, message);
  line.append("\"}\n");
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace gw::log
