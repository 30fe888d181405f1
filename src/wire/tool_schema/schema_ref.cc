// Local $ref resolution (see schema_ref.h).
#include "wire/tool_schema/schema_ref.h"

#include <boost/json/error.hpp>

namespace gw::tool_schema {

namespace json = boost::json;

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A $ref is a URI: its fragment may be percent-encoded ("#/$defs/My%20Type").
bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = hex_value(in[i + 1]);
    const int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

}  // namespace

const json::value* resolve_local_ref(const json::value& root, std::string_view ref,
                                     std::string& reason) {
  const std::string quoted = "'" + std::string(ref) + "'";
  if (ref.empty() || ref.front() != '#') {
    reason = "is a remote reference (" + quoted +
             "); only references inside the schema ('#/$defs/…') can be inlined";
    return nullptr;
  }
  if (ref.size() > 1 && ref[1] != '/') {
    reason = "refers to an anchor (" + quoted + "); only JSON-pointer references can be inlined";
    return nullptr;
  }
  std::string pointer;
  if (!percent_decode(ref.substr(1), pointer)) {
    reason = "is not a valid URI fragment (" + quoted + ")";
    return nullptr;
  }
  json::error_code ec;
  const json::value* target = root.find_pointer(pointer, ec);
  if (target == nullptr) {
    reason = "points to nothing (" + quoted + " is not in the schema)";
    return nullptr;
  }
  return target;
}

}  // namespace gw::tool_schema
