// The admin endpoints for gateway keys created at run time (the caller is already known to hold
// an admin key; GatewayHandler checks that):
//   POST   /admin/keys        create; 201 with the key — the only time it is ever shown
//   GET    /admin/keys        {"keys":[…]} without any secret
//   GET    /admin/keys/{id}   one key's public fields
//   DELETE /admin/keys/{id}   {"id","revoked":true}, or 404
// Bad input is a 400 whose error names the field (error.param). No I/O here beyond the store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"
#include "http/request.h"

namespace gw {

namespace keys {
class KeyStore;
struct NewKey;
}  // namespace keys

inline constexpr std::string_view kAdminKeysPath = "/admin/keys";

struct AdminReply {
  int status = 200;
  std::string body;  // JSON
};

// "/admin/keys" or "/admin/keys/…".
bool is_admin_keys_path(std::string_view path);

// Serves one request to the paths above. `store` null: 503 (keys need SQLite storage).
Result<AdminReply> serve_admin_keys(const http::Request& request, keys::KeyStore* store,
                                    const Config& config, std::int64_t now_ms);

// Reads a POST /admin/keys body into a key request, checking every field (personas against
// `config`). Exposed for tests.
Result<keys::NewKey> parse_new_key(std::string_view body, const Config& config,
                                   std::int64_t now_ms);

}  // namespace gw
