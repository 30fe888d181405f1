// Gateway key authentication: the key arrives as `Authorization: Bearer KEY` (OpenAI),
// `x-api-key` (Anthropic) or `x-goog-api-key` / `?key=` (Gemini). It is hashed (SHA-256) and
// compared with every configured key hash in constant time, then with the keys created at run
// time (keys::KeyStore's snapshot). Ambiguous credentials (two Authorization headers, two
// different key headers) are refused rather than guessed; a revoked or expired key is refused
// with that reason.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "config/config.h"
#include "http/request.h"

namespace gw {

namespace keys {
class KeyStore;
}  // namespace keys

struct Identity {
  const KeyConfig* key = nullptr;
  const PersonaConfig* persona = nullptr;
  // Set for a key created at run time: keeps it alive while `key` points into it (the store may
  // swap its snapshot mid-request).
  std::shared_ptr<const KeyConfig> stored;
};

// `store` may be null (no stored keys): only the config's keys are accepted.
Result<Identity> authenticate(const http::Request& request, const Config& config,
                              const keys::KeyStore* store = nullptr);

// Whether the key may do `scope` ("chat", "cost:read", …). A key without scopes may do anything.
bool key_allows(const KeyConfig& key, std::string_view scope);

}  // namespace gw
