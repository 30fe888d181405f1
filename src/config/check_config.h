// `execution-platform check-config FILE`: validate a config and print every problem as
// "pointer: message". The command-line wiring lives in src/main; this is the testable core.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"

namespace gw {

// One line per problem: "pointer: message", warnings as "warning: pointer: message"; the root
// pointer is shown as "/".
std::string format_problems(const std::vector<ConfigProblem>& problems);

// Returns 0 when the config loads (prints "ok: N providers, M personas, K keys" to `out` and any
// warnings to `err`), 1 otherwise (prints every problem, warnings included, to `err`).
int check_config_command(const std::string& path, const ConfigLoadOptions& options,
                         std::ostream& out, std::ostream& err);

}  // namespace gw
