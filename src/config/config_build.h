// Internal to the config module: turning a schema-checked document into a Config, one section
// per file, with the semantic checks the schema cannot express. Every builder tolerates values
// the schema already rejected (it skips them), so one load reports every problem at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "config/config.h"
#include "config/secret_reference.h"

namespace gw::config {

struct BuildContext {
  const ConfigLoadOptions& options;
  SecretContext secrets;
  std::vector<ConfigProblem>& problems;

  void error(std::string pointer, std::string message) {
    problems.push_back({std::move(pointer), std::move(message), false});
  }
  void warning(std::string pointer, std::string message) {
    problems.push_back({std::move(pointer), std::move(message), true});
  }
};

// Typed member access that treats a wrongly typed member as absent.
inline const boost::json::object* member_object(const boost::json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v != nullptr ? v->if_object() : nullptr;
}
inline const boost::json::array* member_array(const boost::json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  return v != nullptr ? v->if_array() : nullptr;
}
inline std::optional<std::string> member_string(const boost::json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}
inline std::optional<std::int64_t> member_int(const boost::json::object& o, std::string_view k) {
  const auto* v = o.if_contains(k);
  if (v == nullptr || !v->is_int64()) return std::nullopt;
  return v->get_int64();
}

// "provider/model", split at the first '/' (model names may contain '/').
std::optional<RouteTarget> parse_route_target(std::string_view text);

// Provider and persona names: they appear in "provider/model" strings, URLs and headers.
bool valid_entity_name(std::string_view name);
inline constexpr std::string_view kEntityNameRule =
    "must start with a letter or digit and contain only letters, digits, '_', '.' and '-'";

// "a, b, c" in sorted order, or `none` when empty.
std::string sorted_list(std::vector<std::string> names, std::string_view none = "none");

void build_server_sections(const boost::json::object& root, Config& config, BuildContext& ctx);
void build_providers(const boost::json::object& root, Config& config, BuildContext& ctx);
void build_personas(const boost::json::object& root, Config& config, BuildContext& ctx);
void build_keys(const boost::json::object& root, Config& config, BuildContext& ctx);
void build_cost_sections(const boost::json::object& root, Config& config, BuildContext& ctx);

}  // namespace gw::config
