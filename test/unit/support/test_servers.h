// Servers and helpers the unit tests that need real PostgreSQL or Redis share (unit_cost,
// unit_keys): a free loopback port, running a script, and the PostgreSQL server — GW_TEST_PG_URL,
// or else a throwaway cluster that scripts/pg.sh starts on a free port the first time a test asks,
// stopped when the test program ends. The tests never skip for want of a server.
#pragma once

#include <optional>
#include <string>

namespace gw::test {

// A loopback port nothing listens on right now (0 when none could be found).
int free_port();

// Runs a shell command; its stdout (trimmed), or nullopt when it failed.
std::optional<std::string> run_command(const std::string& command);

// The PostgreSQL server's base URL; "" with the reason in *error when no server could be started.
std::string pg_server_url(std::string* error);

}  // namespace gw::test
