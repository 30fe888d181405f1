// The validated, resolved gateway configuration. It is immutable once loaded: the server holds it
// in a shared_ptr snapshot that SIGHUP swaps atomically, so a request finishes on the config it
// started with.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "http/server_limits.h"
#include "spi/provider_settings.h"

namespace gw {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free port
  int workers = 0;                        // 0 = number of cores
  ServerLimits limits;
  std::chrono::milliseconds drain_grace{30000};
  int max_in_flight = 0;  // chat requests in flight over all personas; 0 = unbounded
  std::chrono::milliseconds stream_keepalive{15000};  // SSE comment while upstream is silent
};

struct LoggingConfig {
  std::string access_log = "stdout";  // "stdout", "stderr", "off", or a file path
  std::string level = "info";
};

// "provider/model": one place a request can be served.
struct RouteTarget {
  std::string provider;
  std::string model;
  std::string str() const { return provider + "/" + model; }
  bool operator==(const RouteTarget&) const = default;
};

struct PersonaConfig {
  std::string name;
  RouteTarget primary;
  std::vector<RouteTarget> fallback;
  std::map<std::string, RouteTarget> routes;  // alias → target
  std::vector<std::string> allow;             // further "provider/model" or "provider/*"
  std::vector<std::string> requires_caps;     // "streaming", "tool_calling", …
  std::vector<std::string> tools;
  boost::json::object budget;  // kept for the budget module; shape validated by the schema
  std::string team;
  std::string project;
  int max_attempts = 3;   // upstream attempts per request, fallbacks and rotations included
  int max_in_flight = 0;  // 0 = unbounded
  // Overrides of the providers' timeouts; total is the deadline over every attempt. 0 = unset.
  std::chrono::milliseconds first_byte_timeout{0};
  std::chrono::milliseconds idle_timeout{0};
  std::chrono::milliseconds total_timeout{0};
};

struct KeyConfig {
  std::array<std::uint8_t, 32> sha256{};  // SHA-256 of the key; the key itself is not kept
  std::vector<std::string> personas;      // first is the default; X-Persona picks another
  std::string name;                       // label for logs, never the key
  std::string team;
  std::string project;
  bool admin = false;  // role "admin": may read the /admin endpoints
  // Only for local_demo configs whose key is written in plaintext: lets `serve` print a curl
  // line that works as printed. Empty otherwise; never logged.
  std::string demo_plaintext;
  boost::json::object budget;       // this key's own budget and rate limits (schema "budget")
  std::vector<std::string> scopes;  // what the key may do ("chat", "cost:read", …); empty = all
  std::int64_t expires_ms = 0;      // Unix ms after which the key is refused; 0 = never
  std::string id;                   // a stored key's id ("" for keys in the config file)
};

// Budgets, prices and cost reporting (the cost module reads the budget objects).
struct CostConfig {
  std::string timezone = "UTC";  // calendar windows (hour/day/month) align to this zone
  boost::json::array pricing;    // entries that add to or override config/pricing/list-prices.json
  // Per-request cap (nano-dollars) reserved for a model with no price: without it such a model
  // is refused for budgeted traffic (fail closed).
  std::int64_t unpriced_cap_nanos = 0;
  std::string alert_webhook;      // POSTed on a threshold crossing or an anomaly; "" = none
  double anomaly_multiple = 3.0;  // hourly rate above this × its trailing baseline is an anomaly
  std::chrono::milliseconds sweep_interval{10000};
};

struct Config {
  int version = 1;
  ServerConfig server;
  std::string storage_url = "sqlite://data/gateway.db";
  LoggingConfig logging;
  bool local_demo = false;  // plaintext secrets allowed (local demos only)
  std::map<std::string, ProviderSettings> providers;
  std::map<std::string, PersonaConfig> personas;
  std::vector<KeyConfig> keys;
  std::map<std::string, boost::json::object> team_budgets;  // team → schema "budget" object
  CostConfig cost;
  std::string ledger_url;  // where the cost ledger lives; "" = storage_url
  // Where settlements wait while a PostgreSQL ledger is unreachable (sqlite://PATH); "" = the
  // storage database when it is SQLite, else sqlite://data/ledger-spool.db.
  std::string spool_url;
  std::string redis_url;  // rate limits shared by every instance; "" = in process
  std::string source_path;
};

struct ConfigProblem {
  std::string pointer;  // JSON pointer into the config document ("" for the root)
  std::string message;
  bool warning = false;  // warnings do not stop the config from loading
};

struct ConfigLoad {
  std::optional<Config> config;  // set when there are no (non-warning) problems
  std::vector<ConfigProblem> problems;
};

struct ConfigLoadOptions {
  std::vector<std::string> provider_types;  // registered adapter types
  // Which of `needs` the model of a provider lacks (the providers module knows; the config
  // module does not depend on it). Unset: personas' `requires` are not checked at load.
  std::function<std::vector<std::string>(const ProviderSettings& provider, const std::string& model,
                                         const std::vector<std::string>& needs)>
      missing_capabilities;
  // Environment lookup for env: secrets; defaults to getenv. Tests inject their own.
  std::function<std::optional<std::string>(const std::string&)> getenv;
  // load_config_text only: where relative file: secret paths start ("" = working directory).
  // load_config_file always uses the config file's own directory.
  std::string base_dir;
};

// Reads JSON or YAML (by extension, or by content when the extension is neither), validates it
// against config/schema/gateway.schema.json (compiled into the binary) and the semantic rules,
// applies `defaults` and persona `extends`, resolves secret references and hashes gateway keys.
ConfigLoad load_config_file(const std::string& path, const ConfigLoadOptions& options);
ConfigLoad load_config_text(std::string_view text, std::string_view format /* "json"|"yaml" */,
                            const ConfigLoadOptions& options);

// SHA-256 of a gateway key, and a constant-time comparison of two hashes.
std::array<std::uint8_t, 32> hash_key(std::string_view key);
bool hashes_equal(const std::array<std::uint8_t, 32>& a, const std::array<std::uint8_t, 32>& b);

}  // namespace gw
