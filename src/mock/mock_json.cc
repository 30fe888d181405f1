// JSON text in provider style (see mock_json.h).
#include "mock/mock_json.h"

#include <charconv>
#include <cmath>

namespace gw::mock {
namespace {

void append_double(std::string& out, double d) {
  if (!std::isfinite(d)) {  // JSON has no NaN/Infinity; providers would send null
    out += "null";
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, static_cast<std::size_t>(end - buf));
  out += text;
  // A double that happens to be integral still reads as a JSON number with a fraction.
  if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

void write(std::string& out, const boost::json::value& v, int indent, int depth) {
  const bool pretty = indent > 0;
  auto newline = [&](int level) {
    out += '\n';
    out.append(static_cast<std::size_t>(level * indent), ' ');
  };
  switch (v.kind()) {
    case boost::json::kind::null:
      out += "null";
      return;
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::int64:
      out += std::to_string(v.get_int64());
      return;
    case boost::json::kind::uint64:
      out += std::to_string(v.get_uint64());
      return;
    case boost::json::kind::double_:
      append_double(out, v.get_double());
      return;
    case boost::json::kind::string:
      append_json_quoted(out, v.get_string());
      return;
    case boost::json::kind::array: {
      const auto& arr = v.get_array();
      if (arr.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& item : arr) {
        if (!first) out += ',';
        first = false;
        if (pretty) newline(depth + 1);
        write(out, item, indent, depth + 1);
      }
      if (pretty) newline(depth);
      out += ']';
      return;
    }
    case boost::json::kind::object: {
      const auto& obj = v.get_object();
      if (obj.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& kv : obj) {
        if (!first) out += ',';
        first = false;
        if (pretty) newline(depth + 1);
        append_json_quoted(out, kv.key());
        out += pretty ? ": " : ":";
        write(out, kv.value(), indent, depth + 1);
      }
      if (pretty) newline(depth);
      out += '}';
      return;
    }
  }
}

}  // namespace

void append_json_quoted(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xFU];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_json_quoted(out, text);
  return out;
}

std::string json_compact(const boost::json::value& value) {
  std::string out;
  write(out, value, 0, 0);
  return out;
}

std::string json_pretty(const boost::json::value& value) {
  std::string out;
  write(out, value, 2, 0);
  return out;
}

}  // namespace gw::mock
