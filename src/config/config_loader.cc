// load_config_file / load_config_text: parse → schema → semantic checks and build. Every stage
// runs even after an earlier one found problems (as long as there is a document), so a single
// check-config run lists everything that is wrong.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/config.h"
#include "config/config_build.h"
#include "config/document_reader.h"
#include "config/schema_validator.h"

namespace gw {
namespace {

ConfigLoad build_config(const boost::json::value& document, const ConfigLoadOptions& options,
                        std::string base_dir, std::vector<ConfigProblem> problems) {
  ConfigLoad out;
  for (auto& p : config::validate_against_schema(document)) problems.push_back(std::move(p));

  Config config;
  if (const auto* root = document.if_object()) {
    if (const auto* demo = root->if_contains("local_demo"); demo && demo->is_bool()) {
      config.local_demo = demo->get_bool();
    }
    if (config.local_demo) {
      problems.push_back({"/local_demo",
                          "local_demo is on: plaintext secrets are accepted; never use this in "
                          "production",
                          true});
    }
    config::BuildContext ctx{
        options, {options.getenv, std::move(base_dir), config.local_demo}, problems};
    config::build_server_sections(*root, config, ctx);
    config::build_providers(*root, config, ctx);
    config::build_personas(*root, config, ctx);
    config::build_keys(*root, config, ctx);
    config::build_cost_sections(*root, config, ctx);
  }

  // A value inherited by several personas is checked once per persona; report it once.
  std::set<std::pair<std::string, std::string>> seen;
  for (auto& p : problems) {
    if (seen.emplace(p.pointer, p.message).second) out.problems.push_back(std::move(p));
  }
  const bool has_error = std::any_of(out.problems.begin(), out.problems.end(),
                                     [](const ConfigProblem& p) { return !p.warning; });
  if (!has_error) out.config = std::move(config);
  return out;
}

ConfigLoad load(std::string_view text, std::string_view format, const ConfigLoadOptions& options,
                std::string base_dir) {
  config::ParsedDocument parsed = config::parse_config_document(text, format);
  if (!parsed.value) {
    ConfigLoad out;
    out.problems = std::move(parsed.problems);
    return out;
  }
  return build_config(*parsed.value, options, std::move(base_dir), std::move(parsed.problems));
}

}  // namespace

ConfigLoad load_config_text(std::string_view text, std::string_view format,
                            const ConfigLoadOptions& options) {
  return load(text, format, options, options.base_dir);
}

ConfigLoad load_config_file(const std::string& path, const ConfigLoadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(path, ec)) {
    ConfigLoad out;
    out.problems.push_back(
        {"",
         "cannot read config file " + path + ": " +
             (std::filesystem::exists(path, ec) ? "not a readable file" : "no such file"),
         false});
    return out;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  // Relative file: secrets live next to the config, wherever the gateway was started from.
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  ConfigLoad out = load(text, config::detect_config_format(path, text), options, base_dir);
  if (out.config) out.config->source_path = path;
  return out;
}

}  // namespace gw
