// KeyStore: the gateway_key table, its SQL, and the snapshot authentication reads.
#include "keys/key_store.h"

#include <openssl/crypto.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/thread_name.h"
#include "keys/key_token.h"
#include "storage/migrations.h"

namespace gw::keys {
namespace {

constexpr std::string_view kColumns =
    "id, name, hint, personas, team, project, scopes, role, created_ms, expires_ms, revoked_ms, "
    "sha256, coalesce(budget, '')";

Error invalid(std::string message, std::string field) {
  Error e = Error::make(ErrorKind::caller_invalid_request, std::move(message), "invalid_key_field");
  e.param = std::move(field);
  return e;
}

std::string json_list(const std::vector<std::string>& values) {
  boost::json::array a;
  for (const auto& v : values) a.emplace_back(v);
  return boost::json::serialize(a);
}

// A stored JSON array of strings; anything else reads as empty (the table is ours).
std::vector<std::string> parse_list(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& item : v.get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
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

KeyInfo read_info(const storage::Statement& row) {
  KeyInfo info;
  info.id = row.column_text(0);
  info.name = row.column_text(1);
  info.hint = row.column_text(2);
  info.personas = parse_list(row.column_text(3));
  info.team = row.column_text(4);
  info.project = row.column_text(5);
  info.scopes = parse_list(row.column_text(6));
  info.role = row.column_text(7);
  info.created_ms = row.column_int64(8);
  info.expires_ms = row.column_int64(9);
  info.revoked_ms = row.column_int64(10);
  // Column 11 is the hash (refresh() reads it); 12 the budget object, "" for none.
  const std::string budget = row.column_text(12);
  if (!budget.empty()) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(budget, ec);
    if (!ec && v.is_object()) info.budget = std::move(v.get_object());
  }
  return info;
}

}  // namespace

std::int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<KeyStore>> KeyStore::open(std::string_view url,
                                                 const KeyStoreOptions& options) {
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    return Error::make(ErrorKind::gateway_unavailable,
                       "stored gateway keys need SQLite storage (sqlite://PATH); PostgreSQL is "
                       "not supported for keys yet",
                       std::string(storage::kStorageErrorCode));
  }
  auto db = storage::SqliteDb::open(url);
  if (!db) return std::move(db).error();
  if (Status migrated = storage::migrate(*db); !migrated) return migrated.error();
  std::unique_ptr<KeyStore> store(new KeyStore(std::move(db).value()));
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

KeyStore::KeyStore(storage::SqliteDb db)
    : db_(std::move(db)), snapshot_(std::make_shared<const Snapshot>()) {}

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
    {
      std::lock_guard db_lock(db_mutex_);
      // data_version moves when another connection (the CLI) commits: no change, no reload.
      auto version = data_version_locked();
      if (!version || *version != seen_data_version_) (void)refresh_locked();
    }
    lock.lock();
  }
}

Result<std::int64_t> KeyStore::data_version_locked() {
  return db_.query_int("PRAGMA data_version");
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
  const auto hash = hash_key(created.key);

  std::lock_guard lock(db_mutex_);
  auto insert = db_.prepare(
      "INSERT INTO gateway_key (id, name, sha256, hint, personas, team, project, scopes, role, "
      "created_ms, expires_ms, revoked_ms, budget) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10, ?11, 0, ?12)");
  if (!insert) return std::move(insert).error();
  Status bound = [&]() -> Status {
    if (Status s = insert->bind(1, info.id); !s) return s;
    if (Status s = insert->bind(2, info.name); !s) return s;
    if (Status s = insert->bind_blob(3, hash.data(), hash.size()); !s) return s;
    if (Status s = insert->bind(4, info.hint); !s) return s;
    if (Status s = insert->bind(5, json_list(info.personas)); !s) return s;
    if (Status s = insert->bind_text_or_null(6, info.team); !s) return s;
    if (Status s = insert->bind_text_or_null(7, info.project); !s) return s;
    if (Status s = insert->bind(8, json_list(info.scopes)); !s) return s;
    if (Status s = insert->bind(9, info.role); !s) return s;
    if (Status s = insert->bind(10, info.created_ms); !s) return s;
    if (Status s = insert->bind(11, info.expires_ms); !s) return s;
    const std::string budget = info.budget.empty() ? "" : boost::json::serialize(info.budget);
    if (Status s = insert->bind_text_or_null(12, budget); !s) return s;
    return insert->run();
  }();
  if (!bound) {
    OPENSSL_cleanse(created.key.data(), created.key.size());
    return std::move(bound).error();
  }
  if (Status s = refresh_locked(); !s) return std::move(s).error();
  return created;
}

Result<std::vector<KeyInfo>> KeyStore::list() {
  std::lock_guard lock(db_mutex_);
  auto select =
      db_.prepare("SELECT " + std::string(kColumns) + " FROM gateway_key ORDER BY created_ms, id");
  if (!select) return std::move(select).error();
  std::vector<KeyInfo> out;
  for (;;) {
    auto row = select->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    out.push_back(read_info(*select));
  }
  return out;
}

Result<bool> KeyStore::revoke(std::string_view id) {
  std::lock_guard lock(db_mutex_);
  auto update =
      db_.prepare("UPDATE gateway_key SET revoked_ms = ?2 WHERE id = ?1 AND revoked_ms = 0");
  if (!update) return std::move(update).error();
  if (Status s = update->bind(1, id); !s) return std::move(s).error();
  if (Status s = update->bind(2, unix_now_ms()); !s) return std::move(s).error();
  if (Status s = update->run(); !s) return std::move(s).error();
  bool found = db_.changes() == 1;
  if (!found) {
    auto exists = db_.prepare("SELECT count(*) FROM gateway_key WHERE id = ?1");
    if (!exists) return std::move(exists).error();
    if (Status s = exists->bind(1, id); !s) return std::move(s).error();
    auto row = exists->step();
    if (!row) return std::move(row).error();
    found = *row && exists->column_int64(0) > 0;
  }
  if (Status s = refresh_locked(); !s) return std::move(s).error();
  return found;
}

Status KeyStore::refresh() {
  std::lock_guard lock(db_mutex_);
  return refresh_locked();
}

Status KeyStore::refresh_locked() {
  // Read the version first: a commit landing during the read is picked up next time.
  auto version = data_version_locked();
  if (!version) return std::move(version).error();
  auto select = db_.prepare("SELECT " + std::string(kColumns) + " FROM gateway_key");
  if (!select) return std::move(select).error();
  auto next = std::make_shared<Snapshot>();
  for (;;) {
    auto row = select->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    const std::string hash = select->column_text(11);
    if (hash.size() != 32) continue;  // not a SHA-256: never matches anything
    KeyInfo info = read_info(*select);
    auto key = std::make_shared<KeyConfig>();
    std::copy(hash.begin(), hash.end(), key->sha256.begin());
    key->id = std::move(info.id);
    key->name = std::move(info.name);
    key->personas = std::move(info.personas);
    key->team = std::move(info.team);
    key->project = std::move(info.project);
    key->scopes = std::move(info.scopes);
    key->admin = info.role == "admin";
    key->expires_ms = info.expires_ms;
    key->budget = std::move(info.budget);
    next->push_back(Entry{std::move(key), info.revoked_ms});
  }
  seen_data_version_ = *version;
  std::shared_ptr<const Snapshot> frozen = std::move(next);
  std::lock_guard lock(snapshot_mutex_);
  snapshot_.swap(frozen);
  return {};
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
