// The OpenAPI-subset schema compiler (see schema_compile.h). One pass over the schema tree: each
// schema object has its plain keywords copied or translated first, then its $ref, allOf and
// anyOf/oneOf folded in (schema_fold.cc), then a type union split into anyOf branches, then its
// type-dependent keywords (format, enum) checked.
#include "wire/tool_schema/schema_compile.h"

#include <algorithm>
#include <string_view>
#include <tuple>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "wire/tool_schema/schema_compiler.h"
#include "wire/tool_schema/schema_keywords.h"

namespace gw::tool_schema {

namespace detail {

// A JSON-pointer reference token: '~' → "~0", '/' → "~1".
std::string pointer_token(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string child(const std::string& path, std::string_view keyword) {
  return path + "/" + std::string(keyword);
}

std::string child(const std::string& path, std::string_view keyword, std::size_t index) {
  return child(path, keyword) + "/" + std::to_string(index);
}

std::string_view string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

Result<json::value> Compiler::run() {
  ref_stack_.emplace_back("#");  // a "$ref": "#" anywhere below is recursion
  Result<json::object> out = node(root_, "#", 0);
  if (!out) return std::move(out).error();
  if (subject_.root_must_be_object) {
    Status s = object_root(*out);
    if (!s) return std::move(s).error();
  }
  return json::value(std::move(out).value());
}

std::vector<SchemaNote> Compiler::take_notes() {
  auto key = [](const SchemaNote& n) { return std::tie(n.path, n.keyword, n.kind); };
  std::sort(notes_.begin(), notes_.end(),
            [&](const SchemaNote& a, const SchemaNote& b) { return key(a) < key(b); });
  notes_.erase(
      std::unique(notes_.begin(), notes_.end(),
                  [&](const SchemaNote& a, const SchemaNote& b) { return key(a) == key(b); }),
      notes_.end());
  return std::move(notes_);
}

Error Compiler::fail(std::string_view keyword, const std::string& path,
                     std::string_view reason) const {
  std::string message = subject_.what + ": ";
  if (keyword.empty()) {
    message += "the JSON Schema at '" + path + "' ";
  } else {
    message += "JSON Schema keyword '" + std::string(keyword) + "' at '" + path + "' ";
  }
  message += std::string(reason) + ".";
  Error e =
      Error::make(ErrorKind::caller_invalid_request, std::move(message), "tool_schema_unsupported");
  e.param = subject_.param;
  return e;
}

void Compiler::note(SchemaNote::Kind kind, std::string_view keyword, const std::string& path) {
  notes_.push_back(SchemaNote{kind, std::string(keyword), path});
}

Result<json::object> Compiler::node(const json::value& v, const std::string& path, int depth) {
  if (depth > kMaxSchemaDepth) {
    return fail("", path, "nests schemas deeper than 64 levels once references are inlined");
  }
  if (++nodes_ > kMaxSchemaNodes) {
    return fail("", path, "expands to more than 10000 schemas once references are inlined");
  }
  if (v.is_bool()) {
    if (v.get_bool()) return json::object();  // true: anything goes
    return fail("false", path, kNotExpressible);
  }
  if (!v.is_object()) return fail("", path, "is not a schema (expected an object)");
  const json::object& in = v.get_object();

  Status s = refuse_inexpressible(in, path);
  json::object out;
  NodeFacts facts;
  if (s) s = plain(in, path, depth, out, facts);
  if (s) s = constant(facts, path, out);
  if (s) exclusive_bounds(facts, path, out);
  if (s && facts.null_only_type && !in.contains("anyOf") && !in.contains("oneOf")) {
    s = fail("type", path,
             "allows only null, which " + std::string(kNotExpressible) +
                 " outside a union (where it becomes nullable)");
  }
  if (s && in.contains("$ref")) s = fold_ref(in.at("$ref"), path, depth, out);
  if (s && in.contains("allOf")) s = fold_all_of(in.at("allOf"), path, depth, out);
  if (s) s = fold_any_of(in, path, depth, out, facts);
  if (s && facts.types.size() > 1) s = split_type_union(in, path, out, facts);
  if (s && facts.nullable) out["nullable"] = true;
  if (s) s = type_dependent(out, path);
  if (!s) return std::move(s).error();
  return out;
}

Status Compiler::refuse_inexpressible(const json::object& in, const std::string& path) const {
  for (const auto& kv : in) {
    if (keyword_action(kv.key()) == KeywordAction::refuse) {
      return fail(kv.key(), path, kNotExpressible);
    }
    if (kv.key() == "items" && kv.value().is_array()) {
      return fail("items", path, "in its array (tuple) form " + std::string(kNotExpressible));
    }
  }
  return {};
}

Status Compiler::plain(const json::object& in, const std::string& path, int depth,
                       json::object& out, NodeFacts& facts) {
  for (const auto& kv : in) {
    const std::string_view key = kv.key();
    const json::value& value = kv.value();
    switch (keyword_action(key)) {
      case KeywordAction::keep:
      case KeywordAction::format:  // filtered by type_dependent once the type is known
        out[key] = value;
        break;
      case KeywordAction::enum_values: {
        Status s = enum_values(value, path, out, facts);
        if (!s) return s;
        break;
      }
      case KeywordAction::const_value:
        facts.constant = &value;
        break;
      case KeywordAction::items: {
        Result<json::object> items = node(value, child(path, key), depth + 1);
        if (!items) return std::move(items).error();
        out[key] = std::move(items).value();
        break;
      }
      case KeywordAction::properties: {
        if (!value.is_object()) return fail(key, path, "is not an object of schemas");
        json::object properties;
        for (const auto& p : value.get_object()) {
          Result<json::object> compiled =
              node(p.value(), child(child(path, key), pointer_token(p.key())), depth + 1);
          if (!compiled) return std::move(compiled).error();
          properties[p.key()] = std::move(compiled).value();
        }
        // Gemini rejects an empty "properties" map on an object; leaving it out means the same.
        if (!properties.empty()) out[key] = std::move(properties);
        break;
      }
      case KeywordAction::exclusive_min:
        facts.exclusive_min = &value;
        break;
      case KeywordAction::exclusive_max:
        facts.exclusive_max = &value;
        break;
      case KeywordAction::type: {
        Status s = type_facts(value, path, facts);
        if (!s) return s;
        if (facts.types.size() == 1) out[key] = facts.types.front();  // keeps the caller's order
        break;
      }
      case KeywordAction::ref:
      case KeywordAction::all_of:
      case KeywordAction::any_of:
      case KeywordAction::one_of:
        break;  // folded in after the plain keywords
      case KeywordAction::drop:
        note(SchemaNote::Kind::dropped, key, path);
        break;
      case KeywordAction::unknown:
        note(SchemaNote::Kind::unknown, key, path);
        break;
      case KeywordAction::refuse:
        return fail(key, path, kNotExpressible);  // refuse_inexpressible saw it first
    }
  }
  return {};
}

Status Compiler::type_facts(const json::value& type, const std::string& path,
                            NodeFacts& facts) const {
  auto add = [&](const json::value& t) -> Status {
    if (!t.is_string()) return fail("type", path, "is neither a type name nor a list of them");
    const std::string_view name = t.get_string();
    if (!known_type(name)) {
      return fail("type", path, "names an unknown type '" + std::string(name) + "'");
    }
    if (name == "null") {
      facts.nullable = true;
    } else if (std::find(facts.types.begin(), facts.types.end(), name) == facts.types.end()) {
      facts.types.emplace_back(name);
    }
    return {};
  };
  if (type.is_array()) {
    for (const json::value& t : type.get_array()) {
      Status s = add(t);
      if (!s) return s;
    }
  } else {
    Status s = add(type);
    if (!s) return s;
  }
  facts.null_only_type = facts.types.empty();
  return {};
}

// Gemini's enums are string enums; numbers and booleans cannot be turned into strings without
// the tool receiving "1" where it expects 1, so they are refused rather than translated.
Status Compiler::enum_values(const json::value& values, const std::string& path, json::object& out,
                             NodeFacts& facts) const {
  if (!values.is_array()) return fail("enum", path, "is not an array");
  json::array strings;
  for (const json::value& v : values.get_array()) {
    if (v.is_null()) {
      facts.nullable = true;
    } else if (v.is_string()) {
      strings.push_back(v);
    } else {
      return fail("enum", path,
                  "has a non-string value; this provider's tool schema format (an OpenAPI 3.0 "
                  "subset) only has string enums");
    }
  }
  if (strings.empty())
    return fail("enum", path, "allows only null, which " + std::string(kNotExpressible));
  out["enum"] = std::move(strings);
  return {};
}

Status Compiler::constant(const NodeFacts& facts, const std::string& path,
                          json::object& out) const {
  if (facts.constant == nullptr) return {};
  if (!facts.constant->is_string()) {
    return fail("const", path,
                "is not a string; this provider's tool schema format (an OpenAPI 3.0 subset) "
                "only has string enums");
  }
  if (const json::value* e = out.if_contains("enum")) {
    const json::array& values = e->get_array();
    if (std::find(values.begin(), values.end(), *facts.constant) == values.end()) {
      return fail("const", path, "contradicts the schema's enum");
    }
  }
  out["enum"] = json::array{*facts.constant};
  return {};
}

// exclusiveMinimum: 5 becomes minimum: 5 (inclusive; the lost edge is noted). The draft-04
// boolean form only modifies minimum/maximum, which are kept.
void Compiler::exclusive_bounds(const NodeFacts& facts, const std::string& path,
                                json::object& out) {
  auto apply = [&](const json::value* bound, std::string_view keyword, std::string_view target,
                   bool lower) {
    if (bound == nullptr) return;
    note(SchemaNote::Kind::approximated, keyword, path);
    if (!bound->is_number()) return;
    json::value* current = out.if_contains(target);
    if (current != nullptr && current->is_number()) {
      const double a = current->to_number<double>();
      const double b = bound->to_number<double>();
      if (lower ? b <= a : b >= a) return;  // the inclusive bound is already stricter
    }
    out[target] = *bound;
  };
  apply(facts.exclusive_min, "exclusiveMinimum", "minimum", true);
  apply(facts.exclusive_max, "exclusiveMaximum", "maximum", false);
}

Status Compiler::object_root(json::object& out) const {
  const std::string_view type = string_member(out, "type");
  if (type == "object") return {};
  if (type.empty() && !out.contains("anyOf")) {
    out["type"] = "object";  // {"properties": …} without a type is an object schema
    return {};
  }
  return fail("type", "#", "must be 'object' at the top level of a tool's parameters");
}

}  // namespace detail

namespace json = boost::json;

Result<CompiledSchema> compile_openapi_schema(const json::value& schema,
                                              const SchemaSubject& subject) {
  detail::Compiler compiler(schema, subject);
  Result<json::value> compiled = compiler.run();
  if (!compiled) return std::move(compiled).error();
  return CompiledSchema{std::move(compiled).value(), compiler.take_notes()};
}

}  // namespace gw::tool_schema
