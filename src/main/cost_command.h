// `execution-platform cost summary|report`: the cost API's queries from the command line, read
// straight from the ledger the config names (storage.ledger_url, else storage.url). The figures
// come from cost/cost_report, as the HTTP API's do. Exit 0 success, 1 runtime error (config,
// ledger), 2 usage error (bad parameter).
#pragma once

#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

namespace gw {

struct CostCommandOptions {
  std::string config_path;
  std::string period, from, to, persona, team, provider, model;  // "" = not given
  std::string group_by, bucket, format;                          // report only
  bool json = false;  // summary: JSON (as GET /v1/cost/summary) instead of a table
};

struct CostCommand {
  CLI::App* cost = nullptr;
  CLI::App* summary = nullptr;
  CLI::App* report = nullptr;
};

// Registers `cost summary` and `cost report` with their options.
CostCommand add_cost_command(CLI::App& app, CostCommandOptions& options);

int cost_command(const CostCommand& command, const CostCommandOptions& options, std::ostream& out,
                 std::ostream& err);

}  // namespace gw
