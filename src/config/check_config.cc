// check-config output: stable, one problem per line, so scripts and CI can grep it.
#include "config/check_config.h"

namespace gw {

std::string format_problems(const std::vector<ConfigProblem>& problems) {
  std::string out;
  for (const auto& p : problems) {
    if (p.warning) out += "warning: ";
    out += p.pointer.empty() ? "/" : p.pointer;
    out += ": ";
    out += p.message;
    out += '\n';
  }
  return out;
}

int check_config_command(const std::string& path, const ConfigLoadOptions& options,
                         std::ostream& out, std::ostream& err) {
  const ConfigLoad load = load_config_file(path, options);
  err << format_problems(load.problems);
  if (!load.config) return 1;
  const Config& c = *load.config;
  out << "ok: " << c.providers.size() << " providers, " << c.personas.size() << " personas, "
      << c.keys.size() << " keys\n";
  return 0;
}

}  // namespace gw
