// JSON shape of a stored key's public fields.
#include "keys/key_json.h"

#include <boost/json/array.hpp>

#include "keys/key_time.h"

namespace gw::keys {
namespace {

boost::json::value time_or_null(std::int64_t ms) {
  if (ms == 0) return nullptr;
  return boost::json::value(format_rfc3339(ms));
}

boost::json::value text_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return boost::json::value(s);
}

boost::json::array strings(const std::vector<std::string>& values) {
  boost::json::array a;
  for (const auto& v : values) a.emplace_back(v);
  return a;
}

}  // namespace

const char* key_status(const KeyInfo& info, std::int64_t now_ms) {
  if (info.revoked_ms != 0) return "revoked";
  if (info.expires_ms != 0 && now_ms >= info.expires_ms) return "expired";
  return "active";
}

boost::json::object key_info_json(const KeyInfo& info, std::int64_t now_ms) {
  boost::json::object o;
  o["id"] = info.id;
  o["name"] = info.name;
  o["hint"] = info.hint;
  o["personas"] = strings(info.personas);
  o["team"] = text_or_null(info.team);
  o["project"] = text_or_null(info.project);
  o["scopes"] = strings(info.scopes);
  o["role"] = info.role;
  o["created_at"] = time_or_null(info.created_ms);
  o["expires_at"] = time_or_null(info.expires_ms);
  o["revoked_at"] = time_or_null(info.revoked_ms);
  o["status"] = key_status(info, now_ms);
  if (!info.budget.empty()) o["budget"] = info.budget;
  return o;
}

}  // namespace gw::keys
