// Random key secrets and ids from OpenSSL's RAND_bytes; a failing generator is an error, never a
// weaker fallback.
#include "keys/key_token.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <cstdint>

#include "keys/key_store.h"

namespace gw::keys {
namespace {

template <std::size_t N>
Status fill_random(std::array<std::uint8_t, N>& bytes) {
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Error::make(ErrorKind::gateway_internal, "the random generator failed", "random_failed");
  }
  return {};
}

}  // namespace

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  auto at = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = at(i) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
  } else if (rest == 2) {
    const std::uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

Result<std::string> random_key_secret() {
  std::array<std::uint8_t, 32> bytes{};
  if (Status s = fill_random(bytes); !s) return std::move(s).error();
  std::string key(kKeyPrefix);
  key.append(
      base64url(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return key;
}

Result<std::string> random_key_id() {
  std::array<std::uint8_t, 6> bytes{};
  if (Status s = fill_random(bytes); !s) return std::move(s).error();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(kIdPrefix);
  for (std::uint8_t b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

}  // namespace gw::keys
