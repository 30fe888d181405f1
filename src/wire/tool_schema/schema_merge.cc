// Schema merging for allOf and $ref siblings (see schema_merge.h).
#include "wire/tool_schema/schema_merge.h"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace gw::tool_schema {

namespace json = boost::json;

namespace {

bool is_lower_bound(json::string_view k) {
  return k == "minimum" || k == "minLength" || k == "minItems" || k == "minProperties";
}

bool is_upper_bound(json::string_view k) {
  return k == "maximum" || k == "maxLength" || k == "maxItems" || k == "maxProperties";
}

// The stricter of two numeric bounds; false when either is not a number.
bool stricter_bound(json::value& mine, const json::value& theirs, bool lower) {
  if (!mine.is_number() || !theirs.is_number()) return false;
  const double a = mine.to_number<double>();
  const double b = theirs.to_number<double>();
  if (lower ? b > a : b < a) mine = theirs;
  return true;
}

// Values of `theirs` missing from `mine` are appended (required, propertyOrdering).
bool join_lists(json::value& mine, const json::value& theirs) {
  if (!mine.is_array() || !theirs.is_array()) return false;
  json::array& out = mine.get_array();
  for (const json::value& v : theirs.get_array()) {
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  }
  return true;
}

bool intersect_enums(json::value& mine, const json::value& theirs) {
  if (!mine.is_array() || !theirs.is_array()) return false;
  json::array kept;
  for (const json::value& v : mine.get_array()) {
    const json::array& other = theirs.get_array();
    if (std::find(other.begin(), other.end(), v) != other.end()) kept.push_back(v);
  }
  if (kept.empty()) return false;
  mine = std::move(kept);
  return true;
}

bool merge_types(json::value& mine, const json::value& theirs) {
  if (mine == theirs) return true;
  auto is = [](const json::value& v, json::string_view t) {
    return v.is_string() && v.get_string() == t;
  };
  if ((is(mine, "integer") && is(theirs, "number")) ||
      (is(mine, "number") && is(theirs, "integer"))) {
    mine = "integer";
    return true;
  }
  return false;
}

std::string merge_properties(json::value& mine, const json::value& theirs) {
  if (!mine.is_object() || !theirs.is_object()) return "properties";
  json::object& out = mine.get_object();
  for (const auto& [name, schema] : theirs.get_object()) {
    json::value* existing = out.if_contains(name);
    if (existing == nullptr) {
      out.emplace(name, schema);
      continue;
    }
    if (!existing->is_object() || !schema.is_object()) {
      if (*existing != schema) return "properties/" + std::string(name);
      continue;
    }
    std::string conflict = merge_schema(existing->get_object(), schema.get_object());
    if (!conflict.empty()) return "properties/" + std::string(name) + "/" + conflict;
  }
  return {};
}

// One keyword of `from` into `into`, which already has it.
std::string merge_keyword(json::string_view key, json::value& mine, const json::value& theirs) {
  if (key == "title" || key == "description") return {};  // `into` keeps its own annotations
  if (key == "properties") return merge_properties(mine, theirs);
  bool ok = false;
  if (key == "type") {
    ok = merge_types(mine, theirs);
  } else if (is_lower_bound(key) || is_upper_bound(key)) {
    ok = stricter_bound(mine, theirs, is_lower_bound(key));
  } else if (key == "required" || key == "propertyOrdering") {
    ok = join_lists(mine, theirs);
  } else if (key == "enum") {
    ok = intersect_enums(mine, theirs);
  } else if (key == "nullable") {
    // Both schemas must accept null for the merged one to.
    ok = mine.is_bool() && theirs.is_bool();
    if (ok) mine = mine.get_bool() && theirs.get_bool();
  } else if (key == "items" && mine.is_object() && theirs.is_object()) {
    std::string conflict = merge_schema(mine.get_object(), theirs.get_object());
    return conflict.empty() ? conflict : "items/" + conflict;
  } else {
    ok = mine == theirs;
  }
  return ok ? std::string() : std::string(key);
}

}  // namespace

std::string merge_schema(json::object& into, const json::object& from) {
  for (const auto& [key, value] : from) {
    json::value* mine = into.if_contains(key);
    if (mine == nullptr) {
      into.emplace(key, value);
      continue;
    }
    std::string conflict = merge_keyword(key, *mine, value);
    if (!conflict.empty()) return conflict;
  }
  return {};
}

}  // namespace gw::tool_schema
