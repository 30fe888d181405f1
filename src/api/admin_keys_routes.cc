// POST/GET/DELETE /admin/keys: request parsing, validation and the JSON answers.
#include "api/admin_keys_routes.h"

#include <algorithm>
#include <cmath>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "cost/budget_plan.h"
#include "keys/key_json.h"
#include "keys/key_store.h"
#include "keys/key_time.h"

namespace gw {
namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
constexpr std::int64_t kMaxDays = 3650;

Error bad_field(std::string field, std::string message) {
  Error e = Error::make(ErrorKind::caller_invalid_request, std::move(message), "invalid_key_field");
  e.param = std::move(field);
  return e;
}

Result<std::string> optional_string(const boost::json::object& body, std::string_view field) {
  const auto* v = body.if_contains(field);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string())
    return bad_field(std::string(field), "\"" + std::string(field) + "\" must be a string");
  return std::string(v->get_string());
}

Result<std::vector<std::string>> string_list(const boost::json::value& v, std::string_view field) {
  const auto* array = v.if_array();
  if (array == nullptr) {
    return bad_field(std::string(field),
                     "\"" + std::string(field) + "\" must be an array of strings");
  }
  std::vector<std::string> out;
  for (const auto& item : *array) {
    if (!item.is_string() || item.get_string().empty()) {
      return bad_field(std::string(field),
                       "\"" + std::string(field) + "\" must hold non-empty strings");
    }
    out.emplace_back(item.get_string());
  }
  return out;
}

Result<std::vector<std::string>> personas_of(const boost::json::object& body,
                                             const Config& config) {
  const auto* one = body.if_contains("persona");
  const auto* many = body.if_contains("personas");
  if (one != nullptr && many != nullptr) {
    return bad_field("persona", "set either \"persona\" or \"personas\", not both");
  }
  std::string field = one != nullptr ? "persona" : "personas";
  std::vector<std::string> names;
  if (one != nullptr) {
    if (!one->is_string() || one->get_string().empty()) {
      return bad_field(field, "\"persona\" must be a non-empty string");
    }
    names.emplace_back(one->get_string());
  } else if (many != nullptr) {
    auto list = string_list(*many, field);
    if (!list) return std::move(list).error();
    names = std::move(list).value();
  }
  if (names.empty()) return bad_field(field, "a key needs \"persona\" (or \"personas\")");
  for (const auto& name : names) {
    if (!config.personas.contains(name)) {
      return bad_field(field, "unknown persona \"" + name + "\"");
    }
  }
  return names;
}

Result<std::int64_t> expiry_of(const boost::json::object& body, std::int64_t now_ms) {
  const auto* days = body.if_contains("expires_in_days");
  const auto* at = body.if_contains("expires_at");
  if (days != nullptr && at != nullptr) {
    return bad_field("expires_in_days",
                     "set either \"expires_in_days\" or \"expires_at\", not both");
  }
  if (days != nullptr && !days->is_null()) {
    if (!days->is_number())
      return bad_field("expires_in_days", "\"expires_in_days\" must be a number");
    const double d = days->to_number<double>();
    if (!std::isfinite(d) || d <= 0 || d > kMaxDays || d != std::floor(d)) {
      return bad_field("expires_in_days", "\"expires_in_days\" must be a whole number from 1 to " +
                                              std::to_string(kMaxDays));
    }
    return now_ms + static_cast<std::int64_t>(d) * kDayMs;
  }
  if (at != nullptr && !at->is_null()) {
    const auto parsed = at->is_string() ? keys::parse_rfc3339(at->get_string()) : std::nullopt;
    if (!parsed) {
      return bad_field("expires_at",
                       "\"expires_at\" must be an RFC 3339 time such as 2027-01-31T00:00:00Z");
    }
    if (*parsed <= now_ms) return bad_field("expires_at", "\"expires_at\" is in the past");
    return *parsed;
  }
  return std::int64_t{0};
}

AdminReply json_reply(int status, const boost::json::value& body) {
  return AdminReply{status, boost::json::serialize(body)};
}

Error no_store() {
  return Error::make(ErrorKind::gateway_unavailable,
                     "keys created at run time need SQLite storage (storage.url sqlite://PATH)",
                     "key_store_unavailable");
}

Error not_allowed(const http::Request& request, std::string_view allowed) {
  return Error::make(ErrorKind::caller_method_not_allowed,
                     "method " + request.method.substr(0, 16) + " is not allowed here; use " +
                         std::string(allowed),
                     "method_not_allowed");
}

Result<AdminReply> create_key(const http::Request& request, keys::KeyStore& store,
                              const Config& config, std::int64_t now_ms) {
  auto wanted = parse_new_key(request.body, config, now_ms);
  if (!wanted) return std::move(wanted).error();
  auto created = store.create(*wanted);
  if (!created) return std::move(created).error();
  boost::json::object body = keys::key_info_json(created->info, now_ms);
  body["key"] = created->key;
  return json_reply(201, body);
}

Result<AdminReply> list_keys(keys::KeyStore& store, std::int64_t now_ms) {
  auto listed = store.list();
  if (!listed) return std::move(listed).error();
  boost::json::array keys;
  for (const auto& info : *listed) keys.emplace_back(keys::key_info_json(info, now_ms));
  return json_reply(200, boost::json::object{{"keys", std::move(keys)}});
}

Error key_not_found(std::string_view id) {
  return Error::make(ErrorKind::caller_not_found,
                     "no key with id \"" + std::string(id.substr(0, 64)) + "\"", "key_not_found");
}

Result<AdminReply> one_key(const http::Request& request, keys::KeyStore& store, std::string_view id,
                           std::int64_t now_ms) {
  if (request.method == "DELETE") {
    auto revoked = store.revoke(id);
    if (!revoked) return std::move(revoked).error();
    if (!*revoked) return key_not_found(id);
    return json_reply(200, boost::json::object{{"id", id}, {"revoked", true}});
  }
  if (request.method != "GET" && request.method != "HEAD")
    return not_allowed(request, "GET or DELETE");
  auto listed = store.list();
  if (!listed) return std::move(listed).error();
  for (const auto& info : *listed) {
    if (info.id == id) return json_reply(200, keys::key_info_json(info, now_ms));
  }
  return key_not_found(id);
}

}  // namespace

bool is_admin_keys_path(std::string_view path) {
  return path == kAdminKeysPath ||
         (path.starts_with(kAdminKeysPath) && path.size() > kAdminKeysPath.size() &&
          path[kAdminKeysPath.size()] == '/');
}

Result<keys::NewKey> parse_new_key(std::string_view text, const Config& config,
                                   std::int64_t now_ms) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) {
    return Error::make(ErrorKind::caller_invalid_request, "the body must be a JSON object",
                       "invalid_json");
  }
  const boost::json::object& body = parsed.get_object();
  static constexpr std::string_view kKnown[] = {
      "name",   "persona", "personas",        "team",       "project",
      "scopes", "role",    "expires_in_days", "expires_at", "budget"};
  for (const auto& kv : body) {
    if (std::find(std::begin(kKnown), std::end(kKnown), kv.key()) == std::end(kKnown)) {
      return bad_field(std::string(kv.key()), "unknown field \"" + std::string(kv.key()) + "\"");
    }
  }
  keys::NewKey key;
  const auto* name = body.if_contains("name");
  if (name == nullptr || !name->is_string() || name->get_string().empty()) {
    return bad_field("name", "\"name\" is required: a non-empty string labelling the key");
  }
  key.name = std::string(name->get_string());
  auto personas = personas_of(body, config);
  if (!personas) return std::move(personas).error();
  key.personas = std::move(personas).value();
  auto team = optional_string(body, "team");
  if (!team) return std::move(team).error();
  key.team = std::move(team).value();
  auto project = optional_string(body, "project");
  if (!project) return std::move(project).error();
  key.project = std::move(project).value();
  if (const auto* scopes = body.if_contains("scopes"); scopes != nullptr && !scopes->is_null()) {
    auto list = string_list(*scopes, "scopes");
    if (!list) return std::move(list).error();
    key.scopes = std::move(list).value();
  }
  auto role = optional_string(body, "role");
  if (!role) return std::move(role).error();
  if (!role->empty()) key.role = *role;
  if (key.role != "user" && key.role != "admin") {
    return bad_field("role", "\"role\" must be \"user\" or \"admin\"");
  }
  auto expires = expiry_of(body, now_ms);
  if (!expires) return std::move(expires).error();
  key.expires_ms = *expires;
  if (const auto* budget = body.if_contains("budget"); budget != nullptr && !budget->is_null()) {
    if (!budget->is_object()) {
      return bad_field("budget", "\"budget\" must be an object such as {\"daily_usd\": 5}");
    }
    auto problems = cost::budget_problems(budget->get_object());
    if (!problems.empty()) return bad_field("budget", "budget: " + problems.front());
    key.budget = budget->get_object();
  }
  return key;
}

Result<AdminReply> serve_admin_keys(const http::Request& request, keys::KeyStore* store,
                                    const Config& config, std::int64_t now_ms) {
  std::string_view path = request.path();
  if (path == kAdminKeysPath) {
    if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
      return not_allowed(request, "GET or POST");
    }
    if (store == nullptr) return no_store();
    if (request.method == "POST") return create_key(request, *store, config, now_ms);
    return list_keys(*store, now_ms);
  }
  std::string_view id = path.substr(kAdminKeysPath.size() + 1);
  if (id.empty() || id.find('/') != std::string_view::npos) {
    return Error::make(ErrorKind::caller_not_found, "use /admin/keys/{id}", "unknown_url");
  }
  if (store == nullptr) return no_store();
  return one_key(request, *store, id, now_ms);
}

}  // namespace gw
