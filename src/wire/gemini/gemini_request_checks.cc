// Validation helpers of the Gemini request decoder (see gemini_request_checks.h).
#include "wire/gemini/gemini_request_checks.h"

#include <charconv>
#include <cmath>

#include <boost/json/array.hpp>

#include "wire/json_read.h"

namespace gw::gemini::detail {

namespace json = boost::json;

namespace {

// 2 rather than Boost.JSON's "2E0".
std::string shortest(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc{} ? std::string(buf, end) : std::string("?");
}

}  // namespace

Error invalid(const std::string& path, std::string_view detail, std::string code) {
  Error e = Error::make(ErrorKind::caller_invalid_request,
                        "Invalid value at '" + path + "': " + std::string(detail), std::move(code));
  e.param = path;
  return e;
}

Error wrong_type(const std::string& path, std::string_view expected, const json::value& got) {
  return invalid(
      path,
      "expected " + std::string(expected) + ", but got " + std::string(json_kind_name(got)) + ".",
      "invalid_type");
}

Error missing(const std::string& path) {
  Error e = Error::make(ErrorKind::caller_invalid_request, "Missing required field '" + path + "'.",
                        "missing_required_parameter");
  e.param = path;
  return e;
}

Error unknown_field(const std::string& path, std::string_view key) {
  const std::string where = path.empty() ? std::string() : " at '" + path + "'";
  Error e = Error::make(ErrorKind::caller_invalid_request,
                        "Invalid JSON payload received. Unknown name \"" + std::string(key) + "\"" +
                            where + ": Cannot find field.",
                        "unknown_field");
  e.param = dot(path, key);
  return e;
}

Error unsupported(const std::string& path, std::string_view detail) {
  Error e =
      Error::make(ErrorKind::caller_invalid_request,
                  "Unsupported value at '" + path + "': " + std::string(detail), "unsupported");
  e.param = path;
  return e;
}

std::string at(std::string_view base, std::size_t i) {
  return std::string(base) + '[' + std::to_string(i) + ']';
}

std::string dot(std::string_view base, std::string_view key) {
  if (base.empty()) return std::string(key);
  return std::string(base) + '.' + std::string(key);
}

std::string camel(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  bool upper = false;
  for (char c : key) {
    if (c == '_' && !out.empty()) {
      upper = true;
      continue;
    }
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    upper = false;
    out.push_back(c);
  }
  return out;
}

Status check_values(const json::value& v, std::string& path) {
  switch (v.kind()) {
    case json::kind::string:
      if (v.get_string().find('\0') != json::string::npos) {
        return invalid(path, "strings must not contain NUL characters.");
      }
      return {};
    case json::kind::double_:
      if (!std::isfinite(v.get_double())) return invalid(path, "number out of range.");
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
          return invalid(path.empty() ? std::string("body") : path,
                         "keys must not contain NUL characters.");
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
  out.assign(v.get_string().data(), v.get_string().size());
  return {};
}

Status get_bool(const json::value& v, const std::string& path, bool& out) {
  if (!v.is_bool()) return wrong_type(path, "a boolean", v);
  out = v.get_bool();
  return {};
}

Status get_int(const json::value& v, const std::string& path, std::int64_t& out) {
  // Proto JSON writes 64-bit integers as strings; the SDKs send numbers, both are accepted.
  if (v.is_string()) {
    const json::string& s = v.get_string();
    std::int64_t n = 0;
    std::size_t i = 0;
    const bool negative = !s.empty() && s[0] == '-';
    if (negative) i = 1;
    if (i == s.size() || s.size() - i > 18) return wrong_type(path, "an integer", v);
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return wrong_type(path, "an integer", v);
      n = n * 10 + (s[i] - '0');
    }
    out = negative ? -n : n;
    return {};
  }
  std::optional<std::int64_t> i = v.is_number() ? json_to_int64(v) : std::nullopt;
  if (!i) return wrong_type(path, "an integer", v);
  out = *i;
  return {};
}

Status get_number(const json::value& v, const std::string& path, double lo, double hi,
                  double& out) {
  if (!v.is_number()) return wrong_type(path, "a number", v);
  out = v.to_number<double>();
  if (out < lo || out > hi) {
    return invalid(path, "must be between " + shortest(lo) + " and " + shortest(hi) + ", but got " +
                             shortest(out) + ".");
  }
  return {};
}

Status get_object(const json::value& v, const std::string& path, const json::object*& out) {
  out = v.if_object();
  if (out == nullptr) return wrong_type(path, "an object", v);
  return {};
}

}  // namespace gw::gemini::detail
