// Gateway key authentication: the key arrives as `Authorization: Bearer KEY` (OpenAI),
// `x-api-key` (Anthropic) or `x-goog-api-key` / `?key=` (Gemini). It is hashed (SHA-256) and
// compared with every configured key hash in constant time. Ambiguous credentials (two
// Authorization headers, two different key headers) are refused rather than guessed.
#pragma once

#include <string>

#include "common/result.h"
#include "config/config.h"
#include "http/request.h"

namespace gw {

struct Identity {
  const KeyConfig* key = nullptr;
  const PersonaConfig* persona = nullptr;
};

Result<Identity> authenticate(const http::Request& request, const Config& config);

}  // namespace gw
