// The folding half of the OpenAPI-subset compiler (see schema_compiler.h): $ref inlining, allOf
// merging, anyOf/oneOf with null members, type unions split into anyOf, and the keywords whose
// meaning depends on the type.
#include <algorithm>
#include <string_view>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "wire/tool_schema/schema_compiler.h"
#include "wire/tool_schema/schema_keywords.h"
#include "wire/tool_schema/schema_merge.h"
#include "wire/tool_schema/schema_ref.h"

namespace gw::tool_schema::detail {

namespace {

// {"type":"null"} or {"type":["null"]}: a union member that only allows null.
bool is_null_schema(const json::value& v) {
  const json::object* o = v.if_object();
  const json::value* t = o == nullptr ? nullptr : o->if_contains("type");
  if (t == nullptr) return false;
  if (t->is_string()) return t->get_string() == "null";
  const json::array* a = t->if_array();
  return a != nullptr && a->size() == 1 && (*a)[0].is_string() && (*a)[0].get_string() == "null";
}

}  // namespace

Status Compiler::fold_ref(const json::value& ref, const std::string& path, int depth,
                          json::object& out) {
  if (!ref.is_string()) return fail("$ref", path, "is not a string");
  const std::string target_path(ref.get_string());
  if (std::find(ref_stack_.begin(), ref_stack_.end(), target_path) != ref_stack_.end()) {
    return fail("$ref", path,
                "is recursive ('" + target_path + "' refers back to itself), which " +
                    std::string(kNotExpressible));
  }
  std::string reason;
  const json::value* target = resolve_local_ref(root_, target_path, reason);
  if (target == nullptr) return fail("$ref", path, reason);
  ref_stack_.push_back(target_path);
  // Errors inside the target name its own location ("#/$defs/Address/…").
  Result<json::object> compiled = node(*target, target_path, depth + 1);
  ref_stack_.pop_back();
  if (!compiled) return std::move(compiled).error();
  const std::string conflict = merge_schema(out, *compiled);
  if (!conflict.empty()) {
    return fail("$ref", path,
                "conflicts with its sibling keywords on '" + conflict + "', which " +
                    std::string(kNotExpressible));
  }
  return {};
}

Status Compiler::fold_all_of(const json::value& all_of, const std::string& path, int depth,
                             json::object& out) {
  if (!all_of.is_array() || all_of.get_array().empty()) {
    return fail("allOf", path, "is not a non-empty array of schemas");
  }
  const json::array& members = all_of.get_array();
  for (std::size_t i = 0; i < members.size(); ++i) {
    Result<json::object> compiled = node(members[i], child(path, "allOf", i), depth + 1);
    if (!compiled) return std::move(compiled).error();
    const std::string conflict = merge_schema(out, *compiled);
    if (!conflict.empty()) {
      return fail(
          "allOf", path,
          "has members that disagree on '" + conflict + "', which " + std::string(kNotExpressible));
    }
  }
  return {};
}

// anyOf/oneOf: members that only allow null make the schema nullable; one remaining member is
// merged into the schema when they agree (pydantic's Optional[Model]), several stay an anyOf.
Status Compiler::fold_any_of(const json::object& in, const std::string& path, int depth,
                             json::object& out, NodeFacts& facts) {
  const bool has_any = in.contains("anyOf");
  const bool has_one = in.contains("oneOf");
  if (!has_any && !has_one) return {};
  if (has_any && has_one)
    return fail("oneOf", path, "next to anyOf " + std::string(kNotExpressible));
  const std::string_view key = has_any ? "anyOf" : "oneOf";
  const json::value& value = in.at(key);
  if (!value.is_array() || value.get_array().empty()) {
    return fail(key, path, "is not a non-empty array of schemas");
  }
  if (has_one) note(SchemaNote::Kind::approximated, key, path);  // "exactly one" becomes "any"
  json::array members;
  const json::array& given = value.get_array();
  for (std::size_t i = 0; i < given.size(); ++i) {
    if (is_null_schema(given[i])) {
      facts.nullable = true;
      continue;
    }
    Result<json::object> compiled = node(given[i], child(path, key, i), depth + 1);
    if (!compiled) return std::move(compiled).error();
    members.emplace_back(std::move(compiled).value());
  }
  if (members.empty()) {
    return fail(key, path, "allows only null, which " + std::string(kNotExpressible));
  }
  const bool had_any_of = out.contains("anyOf");  // brought in by a $ref or allOf
  if (members.size() == 1) {
    json::object merged = out;
    if (merge_schema(merged, members.front().get_object()).empty()) {
      out = std::move(merged);
      return {};
    }
  }
  if (had_any_of) {
    return fail(key, path,
                "combined with another anyOf (from $ref or allOf) " + std::string(kNotExpressible));
  }
  out["anyOf"] = std::move(members);
  return {};
}

// "type": ["string", "integer"] → anyOf [{type: string, …string keywords}, {type: integer, …}];
// annotations stay on the parent.
Status Compiler::split_type_union(const json::object& in, const std::string& path,
                                  json::object& out, const NodeFacts& facts) {
  if (in.contains("$ref") || in.contains("allOf") || in.contains("anyOf") || in.contains("oneOf")) {
    return fail("type", path,
                "is a union of several types next to $ref/allOf/anyOf/oneOf, which " +
                    std::string(kNotExpressible));
  }
  const std::string_view format = string_member(out, "format");
  json::array branches;
  for (const std::string& type : facts.types) {
    json::object branch;
    branch["type"] = type;
    const std::string_view wanted = type == "integer" ? "number" : std::string_view(type);
    for (const auto& kv : out) {
      if (keyword_instance_type(kv.key()) == wanted) branch[kv.key()] = kv.value();
    }
    if (!format.empty() && format_allowed(type, format)) branch["format"] = format;
    Status s = type_dependent(branch, path);
    if (!s) return s;
    branches.emplace_back(std::move(branch));
  }
  json::object parent;
  for (const auto& kv : out) {
    if (keyword_instance_type(kv.key()).empty() && kv.key() != "format")
      parent[kv.key()] = kv.value();
  }
  if (!format.empty() &&
      std::none_of(facts.types.begin(), facts.types.end(),
                   [&](const std::string& t) { return format_allowed(t, format); })) {
    note(SchemaNote::Kind::dropped, "format", path);
  }
  parent["anyOf"] = std::move(branches);
  out = std::move(parent);
  return {};
}

// Keywords whose meaning depends on the type: Gemini knows only a few formats per type, and
// enums only on strings.
Status Compiler::type_dependent(json::object& out, const std::string& path) {
  const std::string_view type = string_member(out, "type");
  if (const json::value* format = out.if_contains("format")) {
    if (!format->is_string() || !format_allowed(type, format->get_string())) {
      note(SchemaNote::Kind::dropped, "format", path);
      out.erase("format");
    }
  }
  if (out.contains("enum")) {
    if (type.empty()) {
      out["type"] = "string";
    } else if (type != "string") {
      return fail("enum", path,
                  "is on a '" + std::string(type) +
                      "' schema; this provider's tool schema format (an OpenAPI 3.0 subset) only "
                      "has string enums");
    }
  }
  return {};
}

}  // namespace gw::tool_schema::detail
