#include "api/auth.h"

#include <algorithm>

#include "keys/key_store.h"

namespace gw {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Error unauthenticated(std::string message, std::string code) {
  return Error::make(ErrorKind::caller_unauthenticated, std::move(message), std::move(code));
}

std::string_view query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace

Result<Identity> authenticate(const http::Request& request, const Config& config,
                              const keys::KeyStore* store) {
  for (const auto& h : request.headers) {
    // Underscore variants would be normalised to the real header by some proxies: refuse them.
    if (h.name == "x_api_key" || h.name == "x_goog_api_key") {
      return unauthenticated("header " + h.name + " is not accepted; use " +
                                 (h.name == "x_api_key" ? "x-api-key" : "x-goog-api-key"),
                             "invalid_auth_header");
    }
  }
  if (request.header_count("authorization") > 1 || request.header_count("x-api-key") > 1 ||
      request.header_count("x-goog-api-key") > 1) {
    return unauthenticated("more than one credential header was sent", "ambiguous_credentials");
  }
  std::string_view key;
  int sources = 0;
  if (auto auth = request.header("authorization"); !auth.empty()) {
    auto v = trim(auth);
    if (v.size() < 7 || !std::equal(v.begin(), v.begin() + 7, "Bearer ", [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return unauthenticated("Authorization header must be 'Bearer <key>'", "invalid_auth_header");
    }
    key = trim(v.substr(7));
    ++sources;
  }
  if (auto k = request.header("x-api-key"); !k.empty()) {
    if (sources > 0 && trim(k) != key)
      return unauthenticated("conflicting credential headers", "ambiguous_credentials");
    key = trim(k);
    sources = 1;
  }
  if (auto k = request.header("x-goog-api-key"); !k.empty()) {
    if (sources > 0 && trim(k) != key)
      return unauthenticated("conflicting credential headers", "ambiguous_credentials");
    key = trim(k);
    sources = 1;
  }
  if (sources == 0) {
    if (auto k = query_param(request.query(), "key"); !k.empty()) key = k;
  }
  if (key.empty()) {
    return unauthenticated(
        "You didn't provide an API key. Send it as 'Authorization: Bearer KEY' (or x-api-key / "
        "x-goog-api-key).",
        "missing_api_key");
  }

  auto hash = hash_key(key);
  const KeyConfig* found = nullptr;
  // Compare against every key (no early exit) so timing does not reveal which key matched.
  for (const auto& k : config.keys) {
    if (hashes_equal(k.sha256, hash) && found == nullptr) found = &k;
  }
  const std::int64_t now = keys::unix_now_ms();
  std::shared_ptr<const KeyConfig> stored;
  if (found == nullptr && store != nullptr) {
    keys::KeyLookup lookup = store->find(hash, now);
    if (lookup.refused == "revoked") {
      return unauthenticated("This API key has been revoked.", "key_revoked");
    }
    if (lookup.refused == "expired") {
      return unauthenticated("This API key has expired.", "key_expired");
    }
    stored = std::move(lookup.key);
    found = stored.get();
  }
  if (found == nullptr) return unauthenticated("Incorrect API key provided.", "invalid_api_key");
  if (found->expires_ms != 0 && now >= found->expires_ms) {
    return unauthenticated("This API key has expired.", "key_expired");
  }

  std::string_view wanted = request.header("x-persona");
  std::string persona_name;
  if (wanted.empty()) {
    persona_name = found->personas.empty() ? std::string() : found->personas.front();
  } else if (std::find(found->personas.begin(), found->personas.end(), wanted) !=
             found->personas.end()) {
    persona_name = std::string(wanted);
  } else {
    return Error::make(ErrorKind::caller_forbidden, "this key may not act as the requested persona",
                       "persona_not_permitted");
  }
  auto it = config.personas.find(persona_name);
  if (it == config.personas.end()) {
    // A stored key outlives config edits: say which persona went missing.
    if (stored) {
      return unauthenticated(
          "this key's persona \"" + persona_name + "\" is not in the gateway's current config",
          "persona_missing");
    }
    return Error::make(ErrorKind::caller_forbidden, "this key is bound to no usable persona",
                       "persona_missing");
  }
  return Identity{found, &it->second, std::move(stored)};
}

bool key_allows(const KeyConfig& key, std::string_view scope) {
  if (key.scopes.empty()) return true;
  return std::find(key.scopes.begin(), key.scopes.end(), scope) != key.scopes.end();
}

}  // namespace gw
