// JSON Schema → sample value (see mock_schema.h).
#include "mock/mock_schema.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace gw::mock {
namespace {

namespace json = boost::json;

// Bounds recursion through nested objects and (possibly cyclic) $refs.
constexpr int kMaxDepth = 16;
constexpr std::int64_t kMaxSampleItems = 8;

std::string_view string_field(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_string()) return v->get_string();
  return {};
}

std::optional<double> number_field(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_double()) return v->get_double();
  return std::nullopt;
}

// The first non-"null" entry of "type" (a string or an array of strings).
std::string_view declared_type(const json::object& o) {
  const auto* t = o.if_contains("type");
  if (t == nullptr) return {};
  if (t->is_string()) return t->get_string();
  if (const auto* arr = t->if_array()) {
    std::string_view fallback;
    for (const auto& item : *arr) {
      if (!item.is_string()) continue;
      if (item.get_string() != "null") return item.get_string();
      fallback = item.get_string();
    }
    return fallback;
  }
  return {};
}

std::string_view format_sample(std::string_view format) {
  if (format == "date-time") return "2023-11-14T22:13:20Z";  // the mock's fixed clock, 1700000000
  if (format == "date") return "2023-11-14";
  if (format == "time") return "22:13:20Z";
  if (format == "email") return "mock@example.com";
  if (format == "uri" || format == "url") return "https://example.com/mock";
  if (format == "uuid") return "00000000-0000-4000-8000-000000000000";
  if (format == "ipv4") return "192.0.2.1";
  if (format == "ipv6") return "2001:db8::1";
  return {};
}

json::value sample(const json::value& node, const json::value& root, std::string_view name,
                   int depth);

json::value sample_object(const json::object& schema, const json::value& root, int depth) {
  json::object out;
  if (const auto* props = schema.if_contains("properties"); props && props->is_object()) {
    for (const auto& kv : props->get_object()) {
      out[kv.key()] = sample(kv.value(), root, kv.key(), depth + 1);
    }
  }
  return out;
}

json::value sample_array(const json::object& schema, const json::value& root, std::string_view name,
                         int depth) {
  json::array out;
  const auto min_items = number_field(schema, "minItems").value_or(0);
  const auto count =
      std::clamp<std::int64_t>(static_cast<std::int64_t>(min_items), 0, kMaxSampleItems);
  const auto* items = schema.if_contains("items");
  for (std::int64_t i = 0; i < count; ++i) {
    out.push_back(items != nullptr ? sample(*items, root, name, depth + 1) : json::value(nullptr));
  }
  return out;
}

json::value sample_integer(const json::object& schema) {
  std::int64_t v = 1;
  if (auto lo = number_field(schema, "minimum"); lo && *lo > static_cast<double>(v)) {
    v = static_cast<std::int64_t>(std::ceil(*lo));
  }
  if (auto lo = number_field(schema, "exclusiveMinimum"); lo && *lo >= static_cast<double>(v)) {
    v = static_cast<std::int64_t>(std::floor(*lo)) + 1;
  }
  if (auto hi = number_field(schema, "maximum"); hi && *hi < static_cast<double>(v)) {
    v = static_cast<std::int64_t>(std::floor(*hi));
  }
  return v;
}

json::value sample_number(const json::object& schema) {
  double v = 1.5;
  if (auto lo = number_field(schema, "minimum"); lo && *lo > v) v = *lo;
  if (auto lo = number_field(schema, "exclusiveMinimum"); lo && *lo >= v) v = *lo + 0.5;
  if (auto hi = number_field(schema, "maximum"); hi && *hi < v) v = *hi;
  return v;
}

json::value sample_string(const json::object& schema, std::string_view name) {
  if (auto f = format_sample(string_field(schema, "format")); !f.empty()) return json::string(f);
  if (name.empty()) return "value";
  std::string s(name);
  s += "-value";
  return json::string(s);
}

json::value sample(const json::value& node, const json::value& root, std::string_view name,
                   int depth) {
  const auto* schema = node.if_object();
  if (schema == nullptr || depth > kMaxDepth) return nullptr;

  if (auto ref = string_field(*schema, "$ref"); !ref.empty()) {
    if (ref.front() == '#') {
      boost::system::error_code ec;
      if (const auto* target = root.find_pointer(ref.substr(1), ec); target && !ec) {
        return sample(*target, root, name, depth + 1);
      }
    }
    return nullptr;
  }
  if (const auto* c = schema->if_contains("const")) return *c;
  if (const auto* e = schema->if_contains("enum"); e && e->is_array() && !e->get_array().empty()) {
    return e->get_array().front();
  }
  for (const char* combinator : {"anyOf", "oneOf", "allOf"}) {
    const auto* alts = schema->if_contains(combinator);
    if (alts == nullptr || !alts->is_array() || alts->get_array().empty()) continue;
    // Prefer the first alternative that is not just {"type": "null"} (Optional[...] in pydantic).
    for (const auto& alt : alts->get_array()) {
      const auto* a = alt.if_object();
      if (a != nullptr && !(a->size() == 1 && string_field(*a, "type") == "null")) {
        return sample(alt, root, name, depth + 1);
      }
    }
    return nullptr;
  }

  std::string_view type = declared_type(*schema);
  if (type.empty()) {
    if (schema->contains("properties"))
      type = "object";
    else if (schema->contains("items"))
      type = "array";
  }
  if (type == "object") return sample_object(*schema, root, depth);
  if (type == "array") return sample_array(*schema, root, name, depth);
  if (type == "string") return sample_string(*schema, name);
  if (type == "integer") return sample_integer(*schema);
  if (type == "number") return sample_number(*schema);
  if (type == "boolean") return true;
  return nullptr;
}

}  // namespace

json::value sample_from_schema(const json::value& schema) {
  if (!schema.is_object()) return json::object();
  auto v = sample(schema, schema, {}, 0);
  // An empty or unrecognised schema ({} means "anything") still gets an object, as tool
  // arguments must be one; only an explicit {"type": "null"} yields null.
  if (v.is_null() && string_field(schema.get_object(), "type") != "null") return json::object();
  return v;
}

json::value sample_from_schema(const json::value& schema, const json::value& root,
                               std::string_view name) {
  return sample(schema, root, name, 0);
}

}  // namespace gw::mock
