// Compact JSON writer (see gemini_json.h).
#include "wire/gemini/gemini_json.h"

#include <charconv>
#include <cmath>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/json_text.h"

namespace gw::gemini {

namespace json = boost::json;

void append_compact_json(std::string& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      out.append("null");
      return;
    case json::kind::bool_:
      out.append(value.get_bool() ? "true" : "false");
      return;
    case json::kind::int64:
      json_int_append(out, value.get_int64());
      return;
    case json::kind::uint64:
      out.append(std::to_string(value.get_uint64()));
      return;
    case json::kind::double_: {
      const double d = value.get_double();
      if (!std::isfinite(d)) {
        out.append("null");
        return;
      }
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, ec == std::errc{} ? end : buf);
      return;
    }
    case json::kind::string:
      json_quote_append(out,
                        std::string_view(value.get_string().data(), value.get_string().size()));
      return;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const json::value& v : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_compact_json(out, v);
      }
      out.push_back(']');
      return;
    }
    case json::kind::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& kv : value.get_object()) {
        if (!first) out.push_back(',');
        first = false;
        json_quote_append(out, kv.key());
        out.push_back(':');
        append_compact_json(out, kv.value());
      }
      out.push_back('}');
      return;
    }
  }
}

std::string compact_json(const json::value& value) {
  std::string out;
  append_compact_json(out, value);
  return out;
}

}  // namespace gw::gemini
