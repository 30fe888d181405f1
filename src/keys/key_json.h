// How a stored key is shown (GET /admin/keys, `keys list --json`, the answer to a creation):
// never the key, only its hint; times as RFC 3339; a status computed at `now_ms`.
#pragma once

#include <cstdint>

#include <boost/json/object.hpp>

#include "keys/key_store.h"

namespace gw::keys {

// "active", "revoked" or "expired".
const char* key_status(const KeyInfo& info, std::int64_t now_ms);

// {"id","name","hint","personas","team","project","scopes","role","created_at","expires_at",
//  "revoked_at","status"} and "budget" when the key has one; absent times are null, absent
//  team/project are null.
boost::json::object key_info_json(const KeyInfo& info, std::int64_t now_ms);

}  // namespace gw::keys
