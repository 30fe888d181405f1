// Compact JSON writer with natural number formatting (see json_write.h).
#include "wire/json_write.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/json_text.h"

namespace gw {

namespace json = boost::json;

std::string shortest_number(double d) {
  if (!std::isfinite(d)) return "null";  // JSON has no infinity; decoders reject it earlier
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

void append_json_compact(std::string& out, const json::value& value) {
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
    case json::kind::double_:
      out.append(shortest_number(value.get_double()));
      return;
    case json::kind::string:
      json_quote_append(out, value.get_string());
      return;
    case json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const json::value& v : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_json_compact(out, v);
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
        append_json_compact(out, kv.value());
      }
      out.push_back('}');
      return;
    }
  }
}

std::string json_compact(const json::value& value) {
  std::string out;
  append_json_compact(out, value);
  return out;
}

}  // namespace gw
