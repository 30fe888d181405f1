// Numbered schema migrations, recorded in schema_migrations(version, applied_at). Every pending
// migration runs in one BEGIN IMMEDIATE transaction at open: a database is either fully at the
// new version or untouched, and two gateways opening the same file cannot both migrate it.
#pragma once

#include <span>
#include <string_view>

#include "common/result.h"
#include "storage/sqlite_db.h"

namespace gw::storage {

struct Migration {
  int version;  // 1, 2, 3… strictly increasing, never reused or edited once released
  std::string_view name;
  std::string_view sql;  // one or more ';'-separated statements
};

// The gateway's schema, in order. New tables (cost events, budgets…) append a migration.
std::span<const Migration> gateway_migrations();

// Applies the migrations above the database's current version. Fails (and changes nothing) when
// a migration fails, when the list is not strictly increasing, or when the database was migrated
// by a newer binary to a version this one does not know.
Status apply_migrations(SqliteDb& db, std::span<const Migration> migrations);

// apply_migrations(db, gateway_migrations()).
Status migrate(SqliteDb& db);

// The highest applied version, 0 for a fresh database.
Result<int> schema_version(SqliteDb& db);

}  // namespace gw::storage
