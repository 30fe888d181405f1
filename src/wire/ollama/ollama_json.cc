// compact_json (see ollama_json.h): a recursive writer over the Boost.JSON DOM.
#include "wire/ollama/ollama_json.h"

#include <charconv>
#include <cmath>

#include "common/json_text.h"

namespace gw::ollama {

namespace json = boost::json;

void append_compact_json(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      out += "null";
      return;
    case json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case json::kind::int64:
      json_int_append(out, value.get_int64());
      return;
    case json::kind::uint64:
      out += std::to_string(value.get_uint64());
      return;
    case json::kind::double_: {
      const double d = value.get_double();
      if (!std::isfinite(d)) {  // not representable in JSON; parsed input never holds one
        out += "null";
        return;
      }
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, ec == std::errc{} ? end : buf);
      return;
    }
    case json::kind::string:
      json_quote_append(out, value.get_string());
      return;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const json::value& v : value.get_array()) {
        if (!first) out += ',';
        first = false;
        append_compact_json(out, v);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : value.get_object()) {
        if (!first) out += ',';
        first = false;
        json_quote_append(out, kv.key());
        out += ':';
        append_compact_json(out, kv.value());
      }
      out += '}';
      return;
    }
  }
}

std::string compact_json(const json::value& value) {
  std::string out;
  append_compact_json(out, value);
  return out;
}

}  // namespace gw::ollama
