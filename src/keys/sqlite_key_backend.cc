// Stored keys in SQLite (gateway database migrations 3 and 6): one gateway and the `keys` CLI on
// one file. PRAGMA data_version is the change token: it moves when another connection commits.
#include <utility>

#include "keys/key_backend.h"
#include "keys/key_columns.h"
#include "storage/migrations.h"
#include "storage/sqlite_db.h"

namespace gw::keys {
namespace {

constexpr std::string_view kSelect =
    "SELECT id, name, hint, personas, team, project, scopes, role, created_ms, expires_ms, "
    "revoked_ms, sha256, coalesce(budget, '') FROM gateway_key ORDER BY created_ms, id";

constexpr std::string_view kInsert =
    "INSERT INTO gateway_key (id, name, sha256, hint, personas, team, project, scopes, role, "
    "created_ms, expires_ms, revoked_ms, budget) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "?11, 0, ?12)";

KeyRow read_row(const storage::Statement& row) {
  KeyRow out;
  KeyInfo& info = out.info;
  info.id = row.column_text(0);
  info.name = row.column_text(1);
  info.hint = row.column_text(2);
  info.personas = decode_list(row.column_text(3));
  info.team = row.column_text(4);
  info.project = row.column_text(5);
  info.scopes = decode_list(row.column_text(6));
  info.role = row.column_text(7);
  info.created_ms = row.column_int64(8);
  info.expires_ms = row.column_int64(9);
  info.revoked_ms = row.column_int64(10);
  out.sha256 = row.column_text(11);  // the BLOB's bytes
  info.budget = decode_budget(row.column_text(12));
  return out;
}

class SqliteKeyBackend final : public KeyBackend {
 public:
  explicit SqliteKeyBackend(storage::SqliteDb db) : db_(std::move(db)) {}

  Status insert(const KeyInfo& info, const std::array<std::uint8_t, 32>& sha256) override {
    auto insert = db_.prepare(kInsert);
    if (!insert) return std::move(insert).error();
    if (Status s = insert->bind(1, info.id); !s) return s;
    if (Status s = insert->bind(2, info.name); !s) return s;
    if (Status s = insert->bind_blob(3, sha256.data(), sha256.size()); !s) return s;
    if (Status s = insert->bind(4, info.hint); !s) return s;
    if (Status s = insert->bind(5, encode_list(info.personas)); !s) return s;
    if (Status s = insert->bind_text_or_null(6, info.team); !s) return s;
    if (Status s = insert->bind_text_or_null(7, info.project); !s) return s;
    if (Status s = insert->bind(8, encode_list(info.scopes)); !s) return s;
    if (Status s = insert->bind(9, info.role); !s) return s;
    if (Status s = insert->bind(10, info.created_ms); !s) return s;
    if (Status s = insert->bind(11, info.expires_ms); !s) return s;
    if (Status s = insert->bind_text_or_null(12, encode_budget(info.budget)); !s) return s;
    return insert->run();
  }

  Result<std::vector<KeyRow>> rows() override {
    auto select = db_.prepare(kSelect);
    if (!select) return std::move(select).error();
    std::vector<KeyRow> out;
    for (;;) {
      auto row = select->step();
      if (!row) return std::move(row).error();
      if (!*row) return out;
      out.push_back(read_row(*select));
    }
  }

  Result<bool> revoke(std::string_view id, std::int64_t now_ms) override {
    auto update =
        db_.prepare("UPDATE gateway_key SET revoked_ms = ?2 WHERE id = ?1 AND revoked_ms = 0");
    if (!update) return std::move(update).error();
    if (Status s = update->bind(1, id); !s) return std::move(s).error();
    if (Status s = update->bind(2, now_ms); !s) return std::move(s).error();
    if (Status s = update->run(); !s) return std::move(s).error();
    if (db_.changes() == 1) return true;
    // Nothing changed: already revoked, or no such key.
    auto exists = db_.prepare("SELECT count(*) FROM gateway_key WHERE id = ?1");
    if (!exists) return std::move(exists).error();
    if (Status s = exists->bind(1, id); !s) return std::move(s).error();
    auto row = exists->step();
    if (!row) return std::move(row).error();
    return *row && exists->column_int64(0) > 0;
  }

  Result<std::string> version() override {
    auto v = db_.query_int("PRAGMA data_version");
    if (!v) return std::move(v).error();
    return std::to_string(*v);
  }

 private:
  storage::SqliteDb db_;
};

}  // namespace

Result<std::unique_ptr<KeyBackend>> open_sqlite_key_backend(std::string_view url) {
  auto db = storage::SqliteDb::open(url);
  if (!db) return std::move(db).error();
  if (Status migrated = storage::migrate(*db); !migrated) return migrated.error();
  return std::unique_ptr<KeyBackend>(new SqliteKeyBackend(std::move(db).value()));
}

}  // namespace gw::keys
