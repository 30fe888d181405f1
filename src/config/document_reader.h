// Turns config text (JSON, or YAML with the same shape) into one boost::json::value, so schema
// validation and the semantic checks see a single representation whatever the file format.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "config/config.h"

namespace gw::config {

struct ParsedDocument {
  std::optional<boost::json::value> value;  // empty when the text could not be parsed
  std::vector<ConfigProblem> problems;
};

// "json" or "yaml": by the path's extension (.json, .yaml, .yml), else by content (a document
// whose first non-space character is '{' is JSON).
std::string_view detect_config_format(std::string_view path, std::string_view text);

// format: "json", "yaml"/"yml", or "" to sniff the content.
ParsedDocument parse_config_document(std::string_view text, std::string_view format);

ParsedDocument parse_json_document(std::string_view text);
ParsedDocument parse_yaml_document(std::string_view text);  // yaml_document.cc

}  // namespace gw::config
