// Gateway keys are stored and compared only as SHA-256 hashes; comparisons are constant time so
// response timing does not reveal how much of a guessed hash matched.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>

#include "config/config.h"

namespace gw {

std::array<std::uint8_t, 32> hash_key(std::string_view key) {
  std::array<std::uint8_t, 32> digest{};
  unsigned int length = 0;
  if (EVP_Digest(key.data(), key.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    // Only an OpenSSL without SHA-256 fails here; carrying on would make every key collide.
    std::abort();
  }
  return digest;
}

bool hashes_equal(const std::array<std::uint8_t, 32>& a, const std::array<std::uint8_t, 32>& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace gw
