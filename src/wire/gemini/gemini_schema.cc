// OpenAPI-flavoured Gemini Schema → JSON Schema (see gemini_schema.h).
#include "wire/gemini/gemini_schema.h"

#include <cctype>
#include <string>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace gw::gemini {
namespace {

namespace json = boost::json;

bool is_int64_keyword(std::string_view key) {
  return key == "minItems" || key == "maxItems" || key == "minLength" || key == "maxLength" ||
         key == "minProperties" || key == "maxProperties";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "2" → 2; anything that is not a decimal integer string is kept as given.
json::value int64_value(const json::value& v) {
  if (!v.is_string()) return v;
  const json::string& s = v.get_string();
  if (s.empty() || s.size() > 18) return v;
  std::int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return v;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

json::value openapi_to_json_schema(const json::value& schema) {
  const json::object* in = schema.if_object();
  if (in == nullptr) return schema;
  json::object out;
  bool nullable = false;
  for (const auto& kv : *in) {
    const std::string_view key = kv.key();
    const json::value& v = kv.value();
    if (key == "type" && v.is_string()) {
      std::string t = lower(std::string_view(v.get_string().data(), v.get_string().size()));
      if (t != "type_unspecified") out["type"] = t;
    } else if (key == "nullable") {
      nullable = v.is_bool() && v.get_bool();
    } else if (key == "propertyOrdering") {
      continue;  // Gemini's output ordering hint; JSON Schema has no equivalent
    } else if (key == "example") {
      out["examples"] = json::array{v};
    } else if (key == "properties" && v.is_object()) {
      json::object props;
      for (const auto& p : v.get_object()) props[p.key()] = openapi_to_json_schema(p.value());
      out["properties"] = std::move(props);
    } else if (key == "items") {
      out["items"] = openapi_to_json_schema(v);
    } else if (key == "anyOf" && v.is_array()) {
      json::array alts;
      for (const auto& a : v.get_array()) alts.push_back(openapi_to_json_schema(a));
      out["anyOf"] = std::move(alts);
    } else if (is_int64_keyword(key)) {
      out[key] = int64_value(v);
    } else {
      out[key] = v;
    }
  }
  if (nullable) {
    if (json::value* t = out.if_contains("type"); t != nullptr && t->is_string()) {
      *t = json::array{*t, "null"};
    } else if (json::value* any = out.if_contains("anyOf"); any != nullptr && any->is_array()) {
      any->get_array().push_back(json::object{{"type", "null"}});
    }
  }
  return out;
}

}  // namespace gw::gemini
