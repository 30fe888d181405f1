// Internal to the OpenAPI-subset compiler (schema_compile.cc: the walk and the plain keywords;
// schema_fold.cc: $ref, allOf, anyOf/oneOf, type unions and type-dependent keywords).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/result.h"
#include "wire/tool_schema/schema_compile.h"

namespace gw::tool_schema::detail {

namespace json = boost::json;

inline constexpr std::string_view kNotExpressible =
    "cannot be expressed in this provider's tool schema format (an OpenAPI 3.0 subset)";

// Paths are JSON-pointer fragments: child("#/properties", "a") == "#/properties/a".
std::string pointer_token(std::string_view name);  // '~' → "~0", '/' → "~1"
std::string child(const std::string& path, std::string_view keyword);
std::string child(const std::string& path, std::string_view keyword, std::size_t index);
std::string_view string_member(const json::object& o, std::string_view key);

// What one schema object says besides the keywords copied straight into the output.
struct NodeFacts {
  std::vector<std::string> types;  // the non-null members of "type"
  bool null_only_type = false;     // "type" allowed nothing but null
  bool nullable = false;           // null allowed by "type", "enum" or an anyOf/oneOf member
  const json::value* exclusive_min = nullptr;
  const json::value* exclusive_max = nullptr;
  const json::value* constant = nullptr;
};

// One compilation: the root document (for $refs), the subject (for errors) and the notes.
class Compiler {
 public:
  Compiler(const json::value& root, const SchemaSubject& subject)
      : root_(root), subject_(subject) {}

  Result<json::value> run();             // the compiled root, or the first error
  std::vector<SchemaNote> take_notes();  // sorted, without duplicates

 private:
  // caller_invalid_request / tool_schema_unsupported naming subject, keyword and path.
  Error fail(std::string_view keyword, const std::string& path, std::string_view reason) const;
  void note(SchemaNote::Kind kind, std::string_view keyword, const std::string& path);

  Result<json::object> node(const json::value& v, const std::string& path, int depth);
  Status refuse_inexpressible(const json::object& in, const std::string& path) const;
  Status plain(const json::object& in, const std::string& path, int depth, json::object& out,
               NodeFacts& facts);
  Status type_facts(const json::value& type, const std::string& path, NodeFacts& facts) const;
  Status enum_values(const json::value& values, const std::string& path, json::object& out,
                     NodeFacts& facts) const;
  Status constant(const NodeFacts& facts, const std::string& path, json::object& out) const;
  void exclusive_bounds(const NodeFacts& facts, const std::string& path, json::object& out);
  Status fold_ref(const json::value& ref, const std::string& path, int depth, json::object& out);
  Status fold_all_of(const json::value& all_of, const std::string& path, int depth,
                     json::object& out);
  Status fold_any_of(const json::object& in, const std::string& path, int depth, json::object& out,
                     NodeFacts& facts);
  Status split_type_union(const json::object& in, const std::string& path, json::object& out,
                          const NodeFacts& facts);
  Status type_dependent(json::object& out, const std::string& path);
  Status object_root(json::object& out) const;

  const json::value& root_;
  const SchemaSubject& subject_;
  std::vector<std::string> ref_stack_;  // the $refs being inlined, outermost first
  std::size_t nodes_ = 0;
  std::vector<SchemaNote> notes_;
};

}  // namespace gw::tool_schema::detail
