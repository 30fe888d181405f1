// Small helpers shared by the section builders.
#include "config/config_build.h"

#include <algorithm>

namespace gw::config {

std::optional<RouteTarget> parse_route_target(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= text.size()) {
    return std::nullopt;
  }
  return RouteTarget{std::string(text.substr(0, slash)), std::string(text.substr(slash + 1))};
}

bool valid_entity_name(std::string_view name) {
  if (name.empty()) return false;
  auto alnum = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}

std::string sorted_list(std::vector<std::string> names, std::string_view none) {
  if (names.empty()) return std::string(none);
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace gw::config
