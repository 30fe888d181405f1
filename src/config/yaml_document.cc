// YAML → boost::json::value with YAML 1.2 core-schema scalar resolution: a plain scalar that
// looks like a number, bool or null becomes one; a quoted scalar always stays a string, so
// `listen: "8080"` and `listen: 8080` differ exactly as they would in JSON.
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>
#include <string>

#include "config/document_reader.h"
#include "config/json_pointer.h"

namespace gw::config {
namespace {

constexpr int kMaxDepth = 64;
// Aliases can make a small file expand enormously; a config never needs this many nodes.
constexpr std::size_t kMaxNodes = 100000;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Skips digits from `i`; returns how many there were.
std::size_t digits(std::string_view s, std::size_t& i) {
  const std::size_t start = i;
  while (i < s.size() && is_digit(s[i])) ++i;
  return i - start;
}

// [-+]?[0-9]+
bool is_decimal_integer(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return digits(s, i) > 0 && i == s.size();
}

// YAML 1.2 core schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_float(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  const std::size_t whole = digits(s, i);
  std::size_t fraction = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    fraction = digits(s, i);
  }
  if (whole == 0 && fraction == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits(s, i) == 0) return false;
  }
  return i == s.size();
}

struct Converter {
  std::vector<ConfigProblem>& problems;
  std::size_t nodes = 0;
  bool aborted = false;

  void fail(std::string pointer, std::string message) {
    problems.push_back({std::move(pointer), std::move(message), false});
  }

  boost::json::value scalar(const YAML::Node& node) {
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    // "!" marks a quoted scalar; an explicit !!str keeps the text too.
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return boost::json::string(text);
    if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
      return nullptr;
    }
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;

    std::int64_t number = 0;
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    if (is_decimal_integer(text)) {
      if (*begin == '+') ++begin;
      if (std::from_chars(begin, end, number).ec == std::errc()) return number;
      return std::strtod(text.c_str(), nullptr);  // out of int64 range
    }
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o')) {
      const int base = text[1] == 'x' ? 16 : 8;
      auto [ptr, ec] = std::from_chars(begin + 2, end, number, base);
      if (ec == std::errc() && ptr == end) return number;
    }
    if (is_float(text)) return std::strtod(text.c_str(), nullptr);
    return boost::json::string(text);
  }

  boost::json::value convert(const YAML::Node& node, const std::string& pointer, int depth) {
    if (aborted) return nullptr;
    if (++nodes > kMaxNodes || depth > kMaxDepth) {
      fail(pointer, depth > kMaxDepth ? "document nested deeper than 64 levels"
                                      : "document has more than 100000 nodes (alias expansion?)");
      aborted = true;
      return nullptr;
    }
    switch (node.Type()) {
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        boost::json::array out;
        std::size_t i = 0;
        for (const auto& item : node) {
          out.push_back(convert(item, pointer_append(pointer, i++), depth + 1));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        boost::json::object out;
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) {
            fail(pointer, "mapping keys must be plain strings");
            continue;
          }
          const std::string& key = kv.first.Scalar();
          const std::string child = pointer_append(pointer, key);
          if (out.contains(key)) {
            fail(child, "duplicate key \"" + key + "\"");
            continue;
          }
          out[key] = convert(kv.second, child, depth + 1);
        }
        return out;
      }
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
    }
    return nullptr;
  }
};

}  // namespace

ParsedDocument parse_yaml_document(std::string_view text) {
  ParsedDocument out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    // e.msg is yaml-cpp's description only; e.what() would repeat the position.
    std::string where;
    if (!e.mark.is_null()) {
      where = " at line " + std::to_string(e.mark.line + 1) + ", column " +
              std::to_string(e.mark.column + 1);
    }
    out.problems.push_back({"", "invalid YAML" + where + ": " + e.msg, false});
    return out;
  }
  Converter converter{out.problems};
  boost::json::value value = converter.convert(root, "", 0);
  if (!converter.aborted) out.value = std::move(value);
  return out;
}

}  // namespace gw::config
