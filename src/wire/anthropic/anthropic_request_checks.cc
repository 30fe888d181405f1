// Validation errors and typed field readers for the Anthropic request decoder.
#include "wire/anthropic/anthropic_request_checks.h"

#include <cmath>

#include <boost/json/array.hpp>

#include "wire/json_read.h"
#include "wire/json_write.h"

namespace gw::anthropic::detail {

namespace json = boost::json;

Error invalid(const std::string& param, std::string_view problem, std::string code) {
  std::string message = param.empty() ? std::string(problem) : param + ": " + std::string(problem);
  Error e = Error::make(ErrorKind::caller_invalid_request, std::move(message), std::move(code));
  e.param = param;
  return e;
}

Error missing(const std::string& param) {
  return invalid(param, "Field required.", "missing_required_parameter");
}

Error wrong_type(const std::string& param, std::string_view expected, const json::value& got) {
  return invalid(param,
                 "Input should be " + std::string(expected) + ", got " +
                     std::string(json_kind_name(got)) + ".",
                 "invalid_type");
}

Error bad_value(const std::string& param, std::string_view got, std::string_view supported) {
  return invalid(param,
                 "Input should be " + std::string(supported) + ", got '" + std::string(got) + "'.",
                 "invalid_value");
}

Error unsupported(const std::string& param, std::string_view what) {
  return invalid(param, std::string(what) + " is not supported by this gateway.",
                 "unsupported_value");
}

std::string at(std::string_view base, std::size_t i) {
  return std::string(base) + '.' + std::to_string(i);
}

std::string dot(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  return std::string(base) + '.' + std::string(key);
}

std::string to_std(const json::string& s) {
  return std::string(s.data(), s.size());
}

const json::value* field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return (v == nullptr || v->is_null()) ? nullptr : v;
}

Status check_values(const json::value& v, std::string& path) {
  switch (v.kind()) {
    case json::kind::string:
      if (v.get_string().find('\0') != json::string::npos) {
        return invalid(path.empty() ? std::string("body") : path,
                       "strings must not contain NUL characters.", "invalid_value");
      }
      return {};
    case json::kind::double_:
      if (!std::isfinite(v.get_double())) {
        return invalid(path.empty() ? std::string("body") : path, "number out of range.",
                       "invalid_value");
      }
      return {};
    case json::kind::array: {
      const std::size_t base = path.size();
      const json::array& a = v.get_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!path.empty()) path += '.';
        path += std::to_string(i);
        if (auto s = check_values(a[i], path); !s) return s;
        path.resize(base);
      }
      return {};
    }
    case json::kind::object: {
      const std::size_t base = path.size();
      for (const auto& kv : v.get_object()) {
        if (kv.key().find('\0') != std::string_view::npos) {
          return invalid(path.empty() ? std::string("body") : path,
                         "keys must not contain NUL characters.", "invalid_value");
        }
        if (!path.empty()) path += '.';
        path.append(kv.key().data(), kv.key().size());
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
  if (!v.is_string()) return wrong_type(path, "a valid string", v);
  out = to_std(v.get_string());
  return {};
}

Status get_bool(const json::value& v, const std::string& path, bool& out) {
  if (!v.is_bool()) return wrong_type(path, "a valid boolean", v);
  out = v.get_bool();
  return {};
}

Status get_int(const json::value& v, const std::string& path, std::int64_t& out) {
  std::optional<std::int64_t> i = v.is_number() ? json_to_int64(v) : std::nullopt;
  if (!i) return wrong_type(path, "a valid integer", v);
  out = *i;
  return {};
}

Status get_number(const json::value& v, const std::string& path, double lo, double hi,
                  double& out) {
  if (!v.is_number()) return wrong_type(path, "a valid number", v);
  out = v.to_number<double>();
  if (out < lo || out > hi) {
    return invalid(path,
                   "Input should be between " + shortest_number(lo) + " and " +
                       shortest_number(hi) + ", got " + shortest_number(out) + ".",
                   "invalid_value");
  }
  return {};
}

Result<const json::object*> required_object(const json::object& o, std::string_view key,
                                            const std::string& path) {
  const std::string p = dot(path, key);
  const json::value* v = field(o, key);
  if (v == nullptr) return missing(p);
  if (!v->is_object()) return wrong_type(p, "a valid dictionary", *v);
  return &v->get_object();
}

Status block_type(const json::object& block, const std::string& path, std::string& type) {
  const json::value* t = field(block, "type");
  if (t == nullptr) return missing(dot(path, "type"));
  return get_string(*t, dot(path, "type"), type);
}

}  // namespace gw::anthropic::detail
