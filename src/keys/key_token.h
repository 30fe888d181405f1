// The random parts of a stored gateway key: the secret itself (`gwk_` + 32 random bytes in
// base64url, 256 bits from OpenSSL's CSPRNG) and its public id (`key_` + 12 hex digits).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace gw::keys {

// base64url without padding (RFC 4648 §5).
std::string base64url(std::string_view bytes);

// A new key secret: "gwk_" + base64url(32 random bytes), 47 characters.
Result<std::string> random_key_secret();

// A new key id: "key_" + 12 lowercase hex digits.
Result<std::string> random_key_id();

}  // namespace gw::keys
