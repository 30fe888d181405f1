// `execution-platform keys create|list|revoke|import`: gateway keys created at run time, in the
// store at the config's storage url (the one `serve` uses, so a running gateway picks changes up
// within its refresh interval). `create` prints the key once; nothing else ever shows it.
// `import` copies another key database's rows (hashes only) into that store.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace gw {

struct KeysOptions {
  std::string config_path;
  // create
  std::string name;
  std::vector<std::string> personas;
  std::string team;
  std::string project;
  std::vector<std::string> scopes;
  int expires_in_days = 0;  // 0 = never
  std::string role = "user";
  std::string budget;  // a JSON budget object, as in the config ("" = none)
  // list (and create: the answer as JSON)
  bool json = false;
  // revoke
  std::string id;
  // import
  std::string from;
};

struct KeysCommand {
  CLI::App* keys = nullptr;
  CLI::App* create = nullptr;
  CLI::App* list = nullptr;
  CLI::App* revoke = nullptr;
  CLI::App* import = nullptr;
};

// Adds `keys` and its four subcommands to the binary's parser, filling `options`.
KeysCommand add_keys_command(CLI::App& app, KeysOptions& options);

// Runs whichever subcommand was parsed. Exit codes: 0 done, 1 runtime error (config, storage,
// unknown id), 2 usage error (unknown persona, bad role).
int keys_command(const KeysCommand& command, const KeysOptions& options, std::ostream& out,
                 std::ostream& err);

}  // namespace gw
