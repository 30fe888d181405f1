// KeyStore: validation, the snapshot authentication reads and its refresh policy; the rows
// themselves are the backend's (key_backend.h).
#include "keys/key_store.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "common/thread_name.h"
#include "cost/ledger.h"
#include "keys/key_backend.h"
#include "keys/key_token.h"
#include "observability/log.h"
#include "storage/sqlite_db.h"

namespace gw::keys {
namespace {

Error invalid(std::string message, std::string field) {
  Error e = Error::make(ErrorKind::caller_invalid_request, std::move(message), "invalid_key_field");
  e.param = std::move(field);
  return e;
}

Status validate(const NewKey& k) {
  if (k.name.empty()) return invalid("\"name\" must be a non-empty string", "name");
  if (k.name.size() > 200) return invalid("\"name\" is longer than 200 characters", "name");
  if (k.personas.empty()) return invalid("a key needs at least one persona", "personas");
  for (const auto& p : k.personas) {
    if (p.empty()) return invalid("persona names must be non-empty", "personas");
  }
  for (const auto& s : k.scopes) {
    if (s.empty()) return invalid("scopes must be non-empty strings", "scopes");
  }
  if (k.role != "user" && k.role != "admin") {
    return invalid("\"role\" must be \"user\" or \"admin\"", "role");
  }
  if (k.expires_ms < 0) return invalid("the expiry must not be negative", "expires_at");
  return {};
}

// What authentication needs from a stored row; nullptr when its hash is not a SHA-256.
std::shared_ptr<const KeyConfig> key_config(KeyRow row) {
  if (row.sha256.size() != 32) return nullptr;
  auto key = std::make_shared<KeyConfig>();
  std::copy(row.sha256.begin(), row.sha256.end(), key->sha256.begin());
  KeyInfo& info = row.info;
  key->id = std::move(info.id);
  key->name = std::move(info.name);
  key->personas = std::move(info.personas);
  key->team = std::move(info.team);
  key->project = std::move(info.project);
  key->scopes = std::move(info.scopes);
  key->admin = info.role == "admin";
  key->expires_ms = info.expires_ms;
  key->budget = std::move(info.budget);
  return key;
}

// The backend a sqlite:// or postgres:// (postgresql://) URL names.
Result<std::unique_ptr<KeyBackend>> open_backend(std::string_view url) {
  return cost::is_postgres_url(url) ? open_pg_key_backend(url) : open_sqlite_key_backend(url);
}

}  // namespace

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<KeyStore>> KeyStore::open(std::string_view url,
                                                 const KeyStoreOptions& options) {
  auto backend = open_backend(url);
  if (!backend) return std::move(backend).error();
  std::unique_ptr<KeyStore> store(new KeyStore(std::move(backend).value()));
  if (Status loaded = store->refresh(); !loaded) return loaded.error();
  if (options.refresh_interval.count() > 0) {
    KeyStore* self = store.get();
    const auto interval = options.refresh_interval;
    store->refresher_ = std::thread([self, interval] {
      name_this_thread("gw-keys");
      self->refresher(interval);
    });
  }
  return store;
}

KeyStore::KeyStore(std::unique_ptr<KeyBackend> backend)
    : backend_(std::move(backend)), snapshot_(std::make_shared<const Snapshot>()) {}

KeyStore::~KeyStore() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

void KeyStore::refresher(std::chrono::milliseconds interval) {
  std::unique_lock lock(stop_mutex_);
  while (!stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    refresh_if_changed();
    lock.lock();
  }
}

void KeyStore::refresh_if_changed() {
  std::lock_guard db_lock(db_mutex_);
  // Unchanged token, no reload; a token that cannot be read is retried by the reload itself.
  auto version = backend_->version();
  if (version && *version == seen_version_ && !refresh_failing_) return;
  note_refresh_locked(version ? reload_locked(std::move(version).value()) : refresh_locked());
}

void KeyStore::note_refresh_locked(const Status& reloaded) {
  if (!reloaded && !refresh_failing_) {
    std::size_t kept = 0;
    {
      std::lock_guard lock(snapshot_mutex_);
      kept = snapshot_->size();
    }
    GW_LOG_WARN("keys: cannot re-read the stored keys ({}); still using the {} read before",
                reloaded.error().message, kept);
  } else if (reloaded && refresh_failing_) {
    GW_LOG_INFO("keys: the stored keys are read again");
  }
  // While failing, every refresher round reloads whatever the token says.
  refresh_failing_ = !reloaded;
}

Result<CreatedKey> KeyStore::create(const NewKey& request) {
  if (Status s = validate(request); !s) return std::move(s).error();
  auto secret = random_key_secret();
  if (!secret) return std::move(secret).error();
  auto id = random_key_id();
  if (!id) return std::move(id).error();

  CreatedKey created;
  created.key = std::move(secret).value();
  KeyInfo& info = created.info;
  info.id = std::move(id).value();
  info.name = request.name;
  info.hint = created.key.substr(0, kHintLength);
  info.personas = request.personas;
  info.team = request.team;
  info.project = request.project;
  info.scopes = request.scopes;
  info.role = request.role;
  info.created_ms = unix_now_ms();
  info.expires_ms = request.expires_ms;
  info.budget = request.budget;

  std::lock_guard lock(db_mutex_);
  if (Status stored = backend_->insert(info, hash_key(created.key)); !stored) {
    OPENSSL_cleanse(created.key.data(), created.key.size());
    return std::move(stored).error();
  }
  // The key is stored: a failed reload must not lose its only copy of the secret.
  note_refresh_locked(refresh_locked());
  return created;
}

Result<std::vector<KeyInfo>> KeyStore::list() {
  std::lock_guard lock(db_mutex_);
  auto rows = backend_->rows();
  if (!rows) return std::move(rows).error();
  std::vector<KeyInfo> out;
  out.reserve(rows->size());
  for (KeyRow& row : *rows) out.push_back(std::move(row.info));
  return out;
}

Result<bool> KeyStore::revoke(std::string_view id) {
  std::lock_guard lock(db_mutex_);
  auto found = backend_->revoke(id, unix_now_ms());
  if (!found) return found;
  note_refresh_locked(refresh_locked());
  return found;
}

Status KeyStore::refresh() {
  std::lock_guard lock(db_mutex_);
  return refresh_locked();
}

Status KeyStore::refresh_locked() {
  // The token first: a write landing during the read moves it again and is picked up next time.
  auto version = backend_->version();
  if (!version) return std::move(version).error();
  return reload_locked(std::move(version).value());
}

Status KeyStore::reload_locked(std::string version) {
  auto rows = backend_->rows();
  if (!rows) return std::move(rows).error();
  auto next = std::make_shared<Snapshot>();
  next->reserve(rows->size());
  for (KeyRow& row : *rows) {
    const std::int64_t revoked_ms = row.info.revoked_ms;
    auto key = key_config(std::move(row));
    if (key) next->push_back(Entry{std::move(key), revoked_ms});  // else it never matches
  }
  seen_version_ = std::move(version);
  std::shared_ptr<const Snapshot> frozen = std::move(next);
  std::lock_guard lock(snapshot_mutex_);
  snapshot_.swap(frozen);
  return {};
}

Result<ImportReport> KeyStore::import_from(std::string_view source_url) {
  if (!cost::is_postgres_url(source_url)) {
    // Opening would create an empty database: a mistyped path must not import "0 keys".
    auto path = storage::sqlite_path_from_url(source_url);
    if (!path) return std::move(path).error();
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*path, ec)) {
      return Error::make(ErrorKind::caller_invalid_request,
                         "no key database at " + std::string(source_url), "not_found");
    }
  }
  auto source = open_backend(source_url);
  if (!source) return std::move(source).error();
  auto incoming = (*source)->rows();
  if (!incoming) return std::move(incoming).error();

  std::lock_guard lock(db_mutex_);
  auto here = backend_->rows();
  if (!here) return std::move(here).error();
  ImportReport report;
  for (const KeyRow& row : *incoming) {
    const auto same_id = [&](const KeyRow& h) { return h.info.id == row.info.id; };
    const auto same_hash = [&](const KeyRow& h) { return h.sha256 == row.sha256; };
    if (std::any_of(here->begin(), here->end(), same_id)) {
      ++report.present;
      continue;
    }
    std::array<std::uint8_t, 32> sha256{};
    if (row.sha256.size() != sha256.size() || std::any_of(here->begin(), here->end(), same_hash)) {
      report.conflicts.push_back(row.info.id);
      continue;
    }
    std::copy(row.sha256.begin(), row.sha256.end(), sha256.begin());
    if (Status stored = backend_->insert(row.info, sha256); !stored) {
      return std::move(stored).error();
    }
    if (row.info.revoked_ms != 0) {
      if (auto revoked = backend_->revoke(row.info.id, row.info.revoked_ms); !revoked) {
        return std::move(revoked).error();
      }
    }
    ++report.imported;
  }
  note_refresh_locked(refresh_locked());
  return report;
}

KeyLookup KeyStore::find(const std::array<std::uint8_t, 32>& sha256, std::int64_t now_ms) const {
  std::shared_ptr<const Snapshot> snapshot;
  {
    std::lock_guard lock(snapshot_mutex_);
    snapshot = snapshot_;
  }
  const Entry* match = nullptr;
  // Compare against every key (no early exit) so timing does not reveal which key matched.
  for (const Entry& e : *snapshot) {
    if (hashes_equal(e.key->sha256, sha256) && match == nullptr) match = &e;
  }
  KeyLookup lookup;
  if (match == nullptr) return lookup;
  if (match->revoked_ms != 0) {
    lookup.refused = "revoked";
  } else if (match->key->expires_ms != 0 && now_ms >= match->key->expires_ms) {
    lookup.refused = "expired";
  } else {
    // The caller's copy keeps the KeyConfig alive whatever later refreshes swap in.
    lookup.key = match->key;
    return lookup;
  }
  lookup.name = match->key->name;
  return lookup;
}

}  // namespace gw::keys
