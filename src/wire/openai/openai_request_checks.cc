#include "wire/openai/openai_request_checks.h"

#include <cmath>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "wire/json_read.h"

namespace gw::openai::detail {

namespace json = boost::json;

Error invalid(std::string message, std::string param, std::string code) {
  Error e = Error::make(ErrorKind::caller_invalid_request, std::move(message), std::move(code));
  e.param = std::move(param);
  return e;
}

Error wrong_type(const std::string& param, std::string_view expected, const json::value& got) {
  return invalid("Invalid type for '" + param + "': expected " + std::string(expected) +
                     ", but got " + std::string(json_kind_name(got)) + " instead.",
                 param, "invalid_type");
}

Error missing(const std::string& param) {
  return invalid("Missing required parameter: '" + param + "'.", param,
                 "missing_required_parameter");
}

Error bad_value(const std::string& param, std::string_view got, std::string_view supported) {
  return invalid("Invalid value: '" + std::string(got) +
                     "'. Supported values are: " + std::string(supported) + ".",
                 param, "invalid_value");
}

Error empty_array(const std::string& param) {
  return invalid("Invalid '" + param +
                     "': empty array. Expected an array with minimum length 1, but got an empty "
                     "array instead.",
                 param, "empty_array");
}

std::string at(std::string_view base, std::size_t i) {
  return std::string(base) + '[' + std::to_string(i) + ']';
}

std::string dot(std::string_view base, std::string_view key) {
  return std::string(base) + '.' + std::string(key);
}

std::string to_std(const json::string& s) {
  return std::string(s.data(), s.size());
}

// Absent and null are the same for every optional OpenAI field.
json::value* field(json::object& o, std::string_view key) {
  json::value* v = o.if_contains(key);
  return (v == nullptr || v->is_null()) ? nullptr : v;
}

// Strings with NUL and non-finite numbers (1e999 parses as infinity) anywhere in the document.
Status check_values(const json::value& v, std::string& path) {
  switch (v.kind()) {
    case json::kind::string:
      if (v.get_string().find('\0') != json::string::npos) {
        return invalid("Invalid value for '" + path + "': strings must not contain NUL characters.",
                       path, "invalid_value");
      }
      return {};
    case json::kind::double_:
      if (!std::isfinite(v.get_double())) {
        return invalid("Invalid value for '" + path + "': number out of range.", path,
                       "invalid_value");
      }
      return {};
    case json::kind::array: {
      const std::size_t base = path.size();
      const json::array& a = v.get_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        path += '[' + std::to_string(i) + ']';
        if (auto s = check_values(a[i], path); !s) return s;
        path.resize(base);
      }
      return {};
    }
    case json::kind::object: {
      const std::size_t base = path.size();
      for (const auto& kv : v.get_object()) {
        if (!path.empty()) path += '.';
        path.append(kv.key().data(), kv.key().size());
        if (kv.key().find('\0') != std::string_view::npos) {
          path.resize(base);
          return invalid("Invalid value for '" + (path.empty() ? std::string("body") : path) +
                             "': keys must not contain NUL characters.",
                         path, "invalid_value");
        }
        if (auto s = check_values(kv.value(), path); !s) return s;
        path.resize(base);
      }
      return {};
    }
    default:
      return {};
  }
}

Status get_string(const json::value& v, const std::string& path, std::string& out) {
  if (!v.is_string()) return wrong_type(path, "a string", v);
  out = to_std(v.get_string());
  return {};
}

Status get_bool(const json::value& v, const std::string& path, bool& out) {
  if (!v.is_bool()) return wrong_type(path, "a boolean", v);
  out = v.get_bool();
  return {};
}

Status get_int(const json::value& v, const std::string& path, std::int64_t& out) {
  std::optional<std::int64_t> i = v.is_number() ? json_to_int64(v) : std::nullopt;
  if (!i) return wrong_type(path, "an integer", v);
  out = *i;
  return {};
}

Status get_number(const json::value& v, const std::string& path, double lo, double hi,
                  double& out) {
  if (!v.is_number()) return wrong_type(path, "a decimal", v);
  out = v.to_number<double>();
  if (out < lo) {
    return invalid("Invalid '" + path + "': decimal below minimum value. Expected a value >= " +
                       json::serialize(json::value(lo)) + ", but got " + json::serialize(v) +
                       " instead.",
                   path, "decimal_below_min_value");
  }
  if (out > hi) {
    return invalid("Invalid '" + path + "': decimal above maximum value. Expected a value <= " +
                       json::serialize(json::value(hi)) + ", but got " + json::serialize(v) +
                       " instead.",
                   path, "decimal_above_max_value");
  }
  return {};
}

// A part's "type", which must be a string.
Status part_type(const json::object& part, const std::string& path, std::string& type) {
  const json::value* t = json_field(part, "type");
  if (t == nullptr) return missing(dot(path, "type"));
  return get_string(*t, dot(path, "type"), type);
}

}  // namespace gw::openai::detail
