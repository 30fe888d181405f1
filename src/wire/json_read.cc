#include "wire/json_read.h"

#include <cmath>
#include <limits>
#include <string>

#include <boost/json/parser.hpp>

namespace gw {

namespace json = boost::json;

Result<json::value> parse_json(std::string_view text, ErrorKind kind, json::storage_ptr sp) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  json::parser parser(json::storage_ptr{}, options);
  parser.reset(std::move(sp));
  boost::system::error_code ec;
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (ec) {
    if (ec == json::error::too_deep) {
      return Error::make(kind, "JSON nesting depth exceeds " + std::to_string(kMaxJsonDepth),
                         "json_too_deep");
    }
    return Error::make(kind,
                       "invalid JSON: " + ec.message() + " at offset " + std::to_string(consumed),
                       "invalid_json");
  }
  return parser.release();
}

const json::value* json_field(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  if (v == nullptr || v->is_null()) return nullptr;
  return v;
}

std::string_view json_string_field(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  if (v == nullptr || !v->is_string()) return {};
  const json::string& s = v->get_string();
  return {s.data(), s.size()};
}

const json::object* json_object_field(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  if (v == nullptr) return nullptr;
  return v->if_object();
}

std::optional<std::int64_t> json_to_int64(const json::value& value) {
  switch (value.kind()) {
    case json::kind::int64:
      return value.get_int64();
    case json::kind::uint64:
      if (value.get_uint64() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return std::nullopt;
      }
      return static_cast<std::int64_t>(value.get_uint64());
    case json::kind::double_: {
      const double d = value.get_double();
      // 2^63 is exactly representable; anything at or beyond it does not fit.
      if (!std::isfinite(d) || d != std::floor(d) || d < -9.2233720368547758e18 ||
          d >= 9.2233720368547758e18) {
        return std::nullopt;
      }
      return static_cast<std::int64_t>(d);
    }
    default:
      return std::nullopt;
  }
}

std::int64_t json_int_field(const json::object& object, std::string_view key) {
  const json::value* v = json_field(object, key);
  if (v == nullptr) return 0;
  return json_to_int64(*v).value_or(0);
}

std::string_view json_kind_name(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "an integer";
    case json::kind::double_:
      return "a decimal";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

}  // namespace gw
