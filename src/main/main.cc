// The `execution-platform` binary: one executable, one subcommand per job (API.md "Binary and
// commands"). Exit codes: 0 success, 1 runtime error, 2 usage error.
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "config/check_config.h"
#include "main/cost_command.h"
#include "main/keys_command.h"
#include "main/ledger_command.h"
#include "main/providers_command.h"
#include "main/serve_command.h"
#include "main/smoke_command.h"
#include "mock/mock_provider.h"
#include "providers/registry.h"

int main(int argc, char** argv) {
  CLI::App app{"Execution Platform: an LLM gateway for AI agents", "execution-platform"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "execution-platform 0.1.0");

  gw::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "run the gateway");
  serve_cmd->add_option("--config,-c", serve.config_path, "config file (JSON or YAML)")->required();
  serve_cmd->add_option("--listen", serve.listen_override, "override server.listen (host:port)");

  std::string check_path;
  auto* check_cmd =
      app.add_subcommand("check-config", "validate a config file; prints every problem");
  check_cmd->add_option("file", check_path, "config file (JSON or YAML)")->required();

  std::string mock_listen = "127.0.0.1:8081";
  auto* mock_cmd = app.add_subcommand("mock-provider", "run the built-in mock LLM provider");
  mock_cmd->add_option("--listen", mock_listen, "host:port (port 0 picks a free port)");

  gw::SmokeOptions smoke;
  auto* smoke_cmd = app.add_subcommand(
      "smoke", "a short live check of a real provider whose credentials are in the environment");
  smoke_cmd->add_option("--provider", smoke.provider, "provider type (openai, anthropic, …)")
      ->required();
  smoke_cmd->add_option("--model", smoke.model, "model (default: the type's cheap model)");
  smoke_cmd->add_option("--base-url", smoke.base_url, "override the provider base URL");
  smoke_cmd->add_option("--rounds", smoke.rounds, "calls per scenario")->check(CLI::Range(1, 100));

  bool providers_markdown = false;
  auto* providers_cmd =
      app.add_subcommand("providers", "list the registered adapter types and their capabilities");
  providers_cmd->add_flag("--markdown", providers_markdown,
                          "print the \"## Adapter capabilities\" markdown table");

  gw::KeysOptions keys_options;
  const gw::KeysCommand keys_cmd = gw::add_keys_command(app, keys_options);

  gw::CostCommandOptions cost_options;
  const gw::CostCommand cost_cmd = gw::add_cost_command(app, cost_options);

  gw::LedgerOptions ledger_options;
  const gw::LedgerCommand ledger_cmd = gw::add_ledger_command(app, ledger_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  if (*serve_cmd) return gw::serve_command(serve);
  if (*check_cmd) {
    return gw::check_config_command(check_path, gw::load_options(), std::cout, std::cerr);
  }
  if (*mock_cmd) return gw::mock::mock_provider_command(mock_listen);
  if (*smoke_cmd) return gw::smoke_command(smoke, gw::process_env(), std::cout, std::cerr);
  if (*keys_cmd.keys) return gw::keys_command(keys_cmd, keys_options, std::cout, std::cerr);
  if (*cost_cmd.cost) return gw::cost_command(cost_cmd, cost_options, std::cout, std::cerr);
  if (*ledger_cmd.ledger)
    return gw::ledger_command(ledger_cmd, ledger_options, std::cout, std::cerr);
  if (*providers_cmd) return gw::providers_command(providers_markdown, std::cout, std::cerr);
  return 2;
}
