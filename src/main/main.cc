// The `execution-platform` binary: one executable, one subcommand per job (API.md "Binary and
// commands"). Exit codes: 0 success, 1 runtime error, 2 usage error.
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "config/check_config.h"
#include "main/serve_command.h"
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
  return 2;
}
