// Gateway keys created at run time (`execution-platform keys create`, POST /admin/keys), kept in
// the gateway_key table of the SQLite storage database or, when the ledger is on PostgreSQL, of
// the ledger database, shared by every instance (key_backend.h; store_url() picks). A key is
// shown once, at creation; only its SHA-256 and its first characters (a hint for listings) are
// stored. Authentication reads an in-memory snapshot, never the database: refresh() rebuilds it,
// create/revoke call it, and a background thread re-reads the table every refresh interval when
// it changed, so a key created or revoked by another process or instance works or stops working
// within that interval. A refresh that fails keeps the snapshot it had. All methods are
// thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>

#include "common/result.h"
#include "config/config.h"

namespace gw::keys {

inline constexpr std::string_view kKeyPrefix = "gwk_";
inline constexpr std::string_view kIdPrefix = "key_";
inline constexpr std::size_t kHintLength = 8;  // characters of the key kept for listings

// What a caller asks for; create() validates the shape, the caller validates personas against
// the config it serves.
struct NewKey {
  std::string name;
  std::vector<std::string> personas;  // first is the default
  std::string team;
  std::string project;
  std::vector<std::string> scopes;  // empty = every scope
  std::string role = "user";        // "user" or "admin"
  std::int64_t expires_ms = 0;      // Unix ms; 0 = never
  boost::json::object budget;       // its own budget and rate limits, as in the config; {} = none
};

// A stored key as listings show it: never the key, only its hint.
struct KeyInfo {
  std::string id;
  std::string name;
  std::string hint;
  std::vector<std::string> personas;
  std::string team;
  std::string project;
  std::vector<std::string> scopes;
  std::string role;
  std::int64_t created_ms = 0;
  std::int64_t expires_ms = 0;  // 0 = never
  std::int64_t revoked_ms = 0;  // 0 = live
  boost::json::object budget;   // {} = none
};

// create()'s answer: the only time the plaintext key exists outside the caller's hands.
struct CreatedKey {
  KeyInfo info;
  std::string key;
};

// find()'s answer: the key when it may be used; otherwise, when the hash belongs to a stored key
// that may not be used, why ("revoked" or "expired"). Both empty: no such key.
struct KeyLookup {
  std::shared_ptr<const KeyConfig> key;
  std::string refused;
  std::string name;  // the refused key's name, for logs
};

// import_from()'s answer.
struct ImportReport {
  int imported = 0;                    // copied (revoked ones stay revoked)
  int present = 0;                     // their id is already here: left as they are
  std::vector<std::string> conflicts;  // ids whose hash is here under another id: not copied
};

class KeyBackend;

struct KeyStoreOptions {
  // How often the background thread re-reads the table; 0 = no background thread (the CLI).
  std::chrono::milliseconds refresh_interval{2000};
};

class KeyStore {
 public:
  // Opens (and migrates) the database at a sqlite:// or postgres:// (postgresql://) URL and
  // loads the snapshot.
  static Result<std::unique_ptr<KeyStore>> open(std::string_view url,
                                                const KeyStoreOptions& options = {});
  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  Result<CreatedKey> create(const NewKey& request);
  // Every stored key, oldest first, revoked and expired ones included.
  Result<std::vector<KeyInfo>> list();
  // Marks the key revoked. false when no key has this id; revoking twice keeps the first time.
  Result<bool> revoke(std::string_view id);
  // Reloads the snapshot from the database.
  Status refresh();
  // Copies the keys stored at `source_url` (another key database, e.g. the SQLite file a
  // deployment kept keys in before its ledger moved to PostgreSQL) into this store as they are:
  // hash, hint, bindings, budget, creation, expiry and revocation. Idempotent: a key whose id is
  // here already is left alone.
  Result<ImportReport> import_from(std::string_view source_url);

  // Looks a key hash up in the snapshot, comparing every stored hash in constant time.
  KeyLookup find(const std::array<std::uint8_t, 32>& sha256, std::int64_t now_ms) const;

 private:
  struct Entry {
    std::shared_ptr<const KeyConfig> key;
    std::int64_t revoked_ms = 0;
  };
  using Snapshot = std::vector<Entry>;

  explicit KeyStore(std::unique_ptr<KeyBackend> backend);
  Status refresh_locked();  // db_mutex_ held
  // The snapshot from the rows, `version` being the change token read before them.
  Status reload_locked(std::string version);
  void refresher(std::chrono::milliseconds interval);
  void refresh_if_changed();  // the background thread's round
  // After a reload: logs the start and the end of a run of failures (db_mutex_ held). A write
  // (create, revoke) is stored whatever its reload does; a failed reload is retried by the
  // background thread.
  void note_refresh_locked(const Status& reloaded);

  mutable std::mutex db_mutex_;  // a backend's connection is not thread-safe
  std::unique_ptr<KeyBackend> backend_;
  std::string seen_version_;      // the backend's change token at the last reload
  bool refresh_failing_ = false;  // logged once per outage, not every round

  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const Snapshot> snapshot_;

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread refresher_;
};

// Unix ms now (the clock find() is usually given).
std::int64_t unix_now_ms();

}  // namespace gw::keys
