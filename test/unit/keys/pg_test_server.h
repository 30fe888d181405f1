// The PostgreSQL server the key store tests run against, found as
// test/unit/cost/pg_ledger_test.cc finds its own: GW_TEST_PG_URL, or else a throwaway cluster
// that scripts/pg.sh starts on a free port the first time a test asks, stopped when the test
// program ends. The tests never skip for want of a server.
#pragma once

#include <string>

namespace gw::keys::test {

// The server's base URL; "" with the reason in *error when no server could be started.
std::string pg_server_url(std::string* error);

}  // namespace gw::keys::test
