// The PostgreSQL ledger's schema history (its own numbering, tracked in schema_migrations) and
// the code that brings a database up to date under an advisory lock, so gateway instances that
// start together do not race.
#pragma once

#include "common/result.h"
#include "cost/pg_conn.h"

namespace gw::cost::pg {

// The newest schema version this gateway knows.
int latest_schema_version();

// Applies every migration newer than the database's (up to `up_to`: tests build old schemas), in
// one transaction. Refuses a database whose schema is newer than this gateway knows.
Status migrate(Connection& conn, int up_to = latest_schema_version());

}  // namespace gw::cost::pg
