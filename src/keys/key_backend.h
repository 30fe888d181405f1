// Where stored keys live. KeyStore keeps the in-memory snapshot, the checks and the refresh
// policy once; a backend only moves rows of the gateway_key table: SQLite (one gateway and the
// CLI on one file, sqlite_key_backend.cc) or the PostgreSQL ledger database, shared by every
// gateway instance (pg_key_backend.cc). A backend is not thread-safe: KeyStore calls it with its
// database mutex held.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "keys/key_store.h"

namespace gw::keys {

// A stored row: what listings show, plus the hash authentication compares.
struct KeyRow {
  KeyInfo info;
  std::string sha256;  // the 32 raw bytes of the key's SHA-256 (anything else never matches)
};

class KeyBackend {
 public:
  virtual ~KeyBackend() = default;

  // Stores a new, live key.
  virtual Status insert(const KeyInfo& info, const std::array<std::uint8_t, 32>& sha256) = 0;
  // Every row, oldest first (created_ms, then id).
  virtual Result<std::vector<KeyRow>> rows() = 0;
  // Stamps revoked_ms on a live key; a revoked one keeps its first time. false when no key has
  // this id.
  virtual Result<bool> revoke(std::string_view id, std::int64_t now_ms) = 0;
  // A token that changes whenever the table may have changed: equal tokens let the refresher
  // skip a reload. Read it before rows(), so a write landing in between is seen next time.
  virtual Result<std::string> version() = 0;
};

// sqlite://PATH or sqlite::memory:; opens and migrates the gateway database.
Result<std::unique_ptr<KeyBackend>> open_sqlite_key_backend(std::string_view url);
// postgres:// or postgresql://; connects and migrates the ledger schema (which holds the table).
Result<std::unique_ptr<KeyBackend>> open_pg_key_backend(std::string_view url);

}  // namespace gw::keys
