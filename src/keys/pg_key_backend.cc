// Stored keys in the PostgreSQL ledger database (ledger migrations 2 and 4), shared by every
// gateway instance: a key created or revoked on one instance reaches the others at their next
// refresh. One connection, used under KeyStore's database mutex; it reconnects by itself.
#include <utility>

#include "cost/pg_conn.h"
#include "cost/pg_schema.h"
#include "keys/key_backend.h"
#include "keys/key_columns.h"

namespace gw::keys {
namespace {

namespace pg = cost::pg;

// The columns in the order read_row() expects. NULL reads as "" and 0 (pg::Rows), which is what
// the SQLite backend stores for an absent team, project or budget.
constexpr pg::Sql kSelect{
    "gw_keys_select",
    "SELECT id, name, hint, personas, team, project, scopes, role, created_ms, expires_ms, "
    "revoked_ms, encode(sha256, 'hex'), budget FROM gateway_key ORDER BY created_ms, id"};

// ON CONFLICT (sha256): the insert may be sent twice (see run_once_more); a row with this hash
// can only be its own first attempt, since the key is 256 random bits. A clash on the id (48
// random bits) is still an error, as on SQLite.
constexpr pg::Sql kInsert{
    "gw_keys_insert",
    "INSERT INTO gateway_key (id, name, sha256, hint, personas, team, project, scopes, role, "
    "created_ms, expires_ms, revoked_ms, budget) VALUES ($1, $2, decode($3, 'hex'), $4, $5, $6, "
    "$7, $8, $9, $10, $11, 0, $12) ON CONFLICT (sha256) DO NOTHING"};

constexpr pg::Sql kRevoke{"gw_keys_revoke",
                          "UPDATE gateway_key SET revoked_ms = $2 "
                          "WHERE id = $1 AND coalesce(revoked_ms, 0) = 0"};
constexpr pg::Sql kExists{"gw_keys_exists", "SELECT count(*) FROM gateway_key WHERE id = $1"};

// The change token: a digest of every row's content. Other choices were weighed:
//  - max(created_ms) / max(revoked_ms) depends on the clocks of the instances that wrote them:
//    a revocation stamped by an instance whose clock is behind another's need not raise the
//    maximum, and would go unseen;
//  - reloading every interval parses every key's JSON and swaps the snapshot every 2 s on every
//    instance for a table that rarely changes.
// The digest sees any change (a row added, revoked, edited or deleted by hand) whatever the
// clocks, costs one scan of a small table on the server and 64 characters on the wire.
// sha256() rather than md5(), which a FIPS-mode server refuses.
constexpr pg::Sql kVersion{"gw_keys_version",
                           "SELECT encode(sha256(convert_to(coalesce(string_agg(k::text, ',' "
                           "ORDER BY k.id), ''), 'UTF8')), 'hex') FROM gateway_key k"};

std::string hex(const std::array<std::uint8_t, 32>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// encode(…, 'hex') back to bytes; "" when the text is not hex (such a row never matches).
std::string unhex(std::string_view text) {
  std::string out;
  if (text.size() % 2 != 0) return out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]);
    const int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return {};
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

KeyRow read_row(const pg::Rows& rows, int r) {
  auto text = [&](int col) { return std::string(rows.text(r, col)); };
  KeyRow out;
  KeyInfo& info = out.info;
  info.id = text(0);
  info.name = text(1);
  info.hint = text(2);
  info.personas = decode_list(text(3));
  info.team = text(4);
  info.project = text(5);
  info.scopes = decode_list(text(6));
  info.role = text(7);
  info.created_ms = rows.int64(r, 8);
  info.expires_ms = rows.int64(r, 9);
  info.revoked_ms = rows.int64(r, 10);
  out.sha256 = unhex(rows.text(r, 11));
  info.budget = decode_budget(text(12));
  return out;
}

class PgKeyBackend final : public KeyBackend {
 public:
  explicit PgKeyBackend(pg::Connection conn) : conn_(std::move(conn)) {}

  Status insert(const KeyInfo& info, const std::array<std::uint8_t, 32>& sha256) override {
    auto done = run(
        kInsert, {pg::text(info.id), pg::text(info.name), pg::text(hex(sha256)),
                  pg::text(info.hint), pg::text(encode_list(info.personas)),
                  pg::text_or_null(info.team), pg::text_or_null(info.project),
                  pg::text(encode_list(info.scopes)), pg::text(info.role), pg::num(info.created_ms),
                  pg::num(info.expires_ms), pg::text_or_null(encode_budget(info.budget))});
    if (!done) return std::move(done).error();
    return {};
  }

  Result<std::vector<KeyRow>> rows() override {
    auto selected = run(kSelect, {});
    if (!selected) return std::move(selected).error();
    std::vector<KeyRow> out;
    out.reserve(static_cast<std::size_t>(selected->size()));
    for (int r = 0; r < selected->size(); ++r) out.push_back(read_row(*selected, r));
    return out;
  }

  Result<bool> revoke(std::string_view id, std::int64_t now_ms) override {
    auto updated = run(kRevoke, {pg::text(id), pg::num(now_ms)});
    if (!updated) return std::move(updated).error();
    if (updated->affected() == 1) return true;
    // Nothing changed: already revoked (perhaps by this very call, sent twice), or no such key.
    auto exists = run(kExists, {pg::text(id)});
    if (!exists) return std::move(exists).error();
    return exists->int64(0, 0) > 0;
  }

  Result<std::string> version() override {
    auto digest = run(kVersion, {});
    if (!digest) return std::move(digest).error();
    return std::string(digest->text(0, 0));
  }

 private:
  // Runs one statement, reconnecting when the connection is gone (a server restart, an idle
  // cut, a failover): before sending when the last call lost it, and once more when this call
  // finds it lost. Sending twice is safe for every statement here: the reads; the revoke, which
  // only stamps a live key; the insert, which skips its own first attempt (kInsert).
  Result<pg::Rows> run(const pg::Sql& sql, std::initializer_list<pg::Param> params) {
    if (conn_.bad() && !conn_.reset()) return conn_.error_from(nullptr);
    auto first = conn_.run(sql, params);
    if (first || !conn_.bad()) return first;
    if (!conn_.reset()) return conn_.error_from(nullptr);
    return conn_.run(sql, params);
  }

  pg::Connection conn_;
};

}  // namespace

Result<std::unique_ptr<KeyBackend>> open_pg_key_backend(std::string_view url) {
  auto conn = pg::Connection::open(url);
  if (!conn) return std::move(conn).error();
  // The CLI may run before any gateway has created the schema; migrations take an advisory lock,
  // so instances starting together apply them once.
  if (Status migrated = pg::migrate(*conn); !migrated) return migrated.error();
  return std::unique_ptr<KeyBackend>(new PgKeyBackend(std::move(conn).value()));
}

}  // namespace gw::keys
