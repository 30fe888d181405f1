// server, storage and logging: plain settings plus the listen address check.
#include <charconv>

#include "config/config_build.h"

namespace gw::config {
namespace {

// host:port, or [v6-address]:port; port 0..65535 (0 = pick a free port).
std::optional<std::string> listen_problem(std::string_view listen) {
  const std::string example = " (e.g. \"127.0.0.1:8080\" or \"[::1]:8080\")";
  std::string_view host;
  std::string_view port;
  if (!listen.empty() && listen.front() == '[') {
    const std::size_t close = listen.find(']');
    if (close == std::string_view::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return "\"" + std::string(listen) + "\" is not host:port" + example;
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    const std::size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) {
      return "\"" + std::string(listen) + "\" is not host:port" + example;
    }
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return "\"" + std::string(listen) + "\": write an IPv6 host in brackets" + example;
    }
  }
  if (host.empty()) return "\"" + std::string(listen) + "\" has no host" + example;
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string_view::npos) {
    return "\"" + std::string(listen) + "\" has no numeric port" + example;
  }
  unsigned value = 0;
  std::from_chars(port.data(), port.data() + port.size(), value);
  if (value > 65535) return "port " + std::string(port) + " is out of range 0..65535";
  return std::nullopt;
}

}  // namespace

void build_server_sections(const boost::json::object& root, Config& config, BuildContext& ctx) {
  if (const auto* server = member_object(root, "server")) {
    if (auto listen = member_string(*server, "listen")) {
      if (auto problem = listen_problem(*listen)) ctx.error("/server/listen", *problem);
      config.server.listen = *listen;
    }
    if (auto workers = member_int(*server, "workers")) {
      config.server.workers = static_cast<int>(*workers);
    }
    if (auto grace = member_int(*server, "drain_grace_ms")) {
      config.server.drain_grace = std::chrono::milliseconds(*grace);
    }
    if (auto v = member_int(*server, "max_in_flight")) {
      config.server.max_in_flight = static_cast<int>(*v);
    }
    if (auto v = member_int(*server, "stream_keepalive_ms")) {
      config.server.stream_keepalive = std::chrono::milliseconds(*v);
    }
    if (const auto* limits = member_object(*server, "limits")) {
      ServerLimits& l = config.server.limits;
      if (auto v = member_int(*limits, "max_header_bytes")) l.max_header_bytes = *v;
      if (auto v = member_int(*limits, "max_body_bytes")) l.max_body_bytes = *v;
      if (auto v = member_int(*limits, "header_timeout_ms"))
        l.header_timeout = std::chrono::milliseconds(*v);
      if (auto v = member_int(*limits, "body_timeout_ms"))
        l.body_timeout = std::chrono::milliseconds(*v);
      if (auto v = member_int(*limits, "idle_timeout_ms"))
        l.idle_timeout = std::chrono::milliseconds(*v);
      if (auto v = member_int(*limits, "write_timeout_ms"))
        l.write_timeout = std::chrono::milliseconds(*v);
      if (auto v = member_int(*limits, "max_connections_per_ip")) {
        l.max_connections_per_ip = static_cast<std::size_t>(*v);
      }
    }
  }
  if (const auto* storage = member_object(root, "storage")) {
    if (auto url = member_string(*storage, "url")) config.storage_url = *url;
  }
  if (const auto* logging = member_object(root, "logging")) {
    if (auto v = member_string(*logging, "access_log")) config.logging.access_log = *v;
    if (auto v = member_string(*logging, "level")) config.logging.level = *v;
  }
}

}  // namespace gw::config
