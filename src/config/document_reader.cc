// JSON parsing with line/column errors, and the choice between JSON and YAML.
#include "config/document_reader.h"

#include <string>

#include <boost/json/stream_parser.hpp>

namespace gw::config {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string_view strip_bom(std::string_view text) {
  if (text.substr(0, kUtf8Bom.size()) == kUtf8Bom) text.remove_prefix(kUtf8Bom.size());
  return text;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view sniff(std::string_view text) {
  for (char c : strip_bom(text)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' ? "json" : "yaml";
  }
  return "yaml";
}

}  // namespace

std::string_view detect_config_format(std::string_view path, std::string_view text) {
  const std::string p = lower(path);
  if (ends_with(p, ".json")) return "json";
  if (ends_with(p, ".yaml") || ends_with(p, ".yml")) return "yaml";
  return sniff(text);
}

ParsedDocument parse_config_document(std::string_view text, std::string_view format) {
  if (format.empty()) format = sniff(text);
  if (format == "json") return parse_json_document(text);
  if (format == "yaml" || format == "yml") return parse_yaml_document(text);
  ParsedDocument out;
  out.problems.push_back(
      {"", "unknown config format \"" + std::string(format) + "\" (use json or yaml)", false});
  return out;
}

ParsedDocument parse_json_document(std::string_view text) {
  ParsedDocument out;
  text = strip_bom(text);
  boost::json::parse_options opts;
  opts.max_depth = 64;
  boost::json::stream_parser parser({}, opts);
  boost::system::error_code ec;
  // write() rejects bytes after the value ("extra data"), unlike write_some().
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) {
    // The parser stops at the offending byte; count lines up to it for a usable location.
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < consumed && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    out.problems.push_back({"",
                            "invalid JSON at line " + std::to_string(line) + ", column " +
                                std::to_string(column) + ": " + ec.message(),
                            false});
    return out;
  }
  out.value = parser.release();
  return out;
}

}  // namespace gw::config
