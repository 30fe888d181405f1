// `execution-platform serve`: loads the config, opens storage, starts the in-process mock
// provider when the config asks for one, serves, reloads on SIGHUP and drains on SIGTERM.
#pragma once

#include "config/config.h"

#include <string>

namespace gw {

struct ServeOptions {
  std::string config_path;
  std::string listen_override;  // replaces server.listen when set
};

int serve_command(const ServeOptions& options);

// Config load options with the built-in provider registry (types and model capabilities);
// serve, reload and check-config all load through them.
ConfigLoadOptions load_options();

}  // namespace gw
