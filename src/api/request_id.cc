#include "api/request_id.h"

#include <random>

namespace gw {

bool is_acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string generate_request_id() {
  // Seeded with 128 bits: the ids are the ledger's keys (ADR 0014), so threads of many instances
  // must not share a sequence, as 32-bit seeds would after some 10^4 threads.
  thread_local std::mt19937_64 rng = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "req_";
  id.reserve(28);
  std::uint64_t a = rng(), b = rng();
  for (int i = 0; i < 16; ++i) id.push_back(kHex[(a >> (i * 4)) & 0xf]);
  for (int i = 0; i < 8; ++i) id.push_back(kHex[(b >> (i * 4)) & 0xf]);
  return id;
}

std::string request_id_for(std::string_view client_supplied) {
  if (is_acceptable_request_id(client_supplied)) return std::string(client_supplied);
  return generate_request_id();
}

std::string ledger_key_for(std::string_view request_id, std::string_view client_supplied) {
  if (request_id == client_supplied) return generate_request_id();
  return std::string(request_id);
}

}  // namespace gw
