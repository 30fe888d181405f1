// valijson reports generic sentences ("Failed to match against any enum values.") at a context
// path, plus one "Failed to validate against schema associated with property …" wrapper per
// enclosing level. We drop the wrappers (their leaf errors are reported at their own pointer)
// and rewrite each leaf using the subschema at that pointer: the allowed enum values, the
// expected type, the schema's own `errorMessage` for patterns.
#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/boost_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/embedded.h"
#include "config/json_pointer.h"
#include "config/schema_validator.h"

namespace gw::config {
namespace {

constexpr std::string_view kSchemaPath = "config/schema/gateway.schema.json";

struct CompiledSchema {
  boost::json::value document;  // the schema itself, consulted to phrase messages
  valijson::Schema schema;
  std::string error;  // set when the embedded schema is missing or unusable
};

std::unique_ptr<CompiledSchema> compile_schema() {
  auto compiled = std::make_unique<CompiledSchema>();
  const std::string_view text = embedded_file(kSchemaPath);
  if (text.empty()) {
    compiled->error = "internal error: " + std::string(kSchemaPath) + " is not embedded";
    return compiled;
  }
  boost::system::error_code ec;
  compiled->document = boost::json::parse(text, ec);
  if (ec) {
    compiled->error = "internal error: embedded schema is not JSON: " + ec.message();
    return compiled;
  }
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::BoostJsonAdapter adapter(compiled->document);
    parser.populateSchema(adapter, compiled->schema);
  } catch (const std::exception& e) {
    compiled->error = std::string("internal error: embedded schema is invalid: ") + e.what();
  }
  return compiled;
}

const CompiledSchema& compiled_schema() {
  static const std::unique_ptr<CompiledSchema> schema = compile_schema();
  return *schema;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Errors that only say "something below me failed"; the something is reported on its own.
bool is_wrapper(std::string_view description) {
  static constexpr std::string_view kWrappers[] = {
      "Failed to validate against schema associated with property name",
      "Failed to validate against schema associated with pattern",
      "Failed to validate against additional properties schema",
      "Failed to validate item #",
      "Failed to validate against child schema #",
      "Failed to validate against dependent schema",
      "Failed to validate against a conditional schema",
  };
  return std::any_of(std::begin(kWrappers), std::end(kWrappers),
                     [&](std::string_view w) { return starts_with(description, w); });
}

// The text between the last pair of single quotes: valijson's way of naming a property.
std::string quoted_name(std::string_view description) {
  const std::size_t close = description.rfind('\'');
  if (close == std::string_view::npos || close == 0) return {};
  const std::size_t open = description.rfind('\'', close - 1);
  if (open == std::string_view::npos) return {};
  return std::string(description.substr(open + 1, close - open - 1));
}

const boost::json::object* as_object(const boost::json::value* v) {
  return v != nullptr ? v->if_object() : nullptr;
}

// Follows local "$ref": "#/definitions/…" links.
const boost::json::object* deref(const boost::json::value& root, const boost::json::object* s) {
  for (int hops = 0; s != nullptr && hops < 16; ++hops) {
    const auto* ref = s->if_contains("$ref");
    if (ref == nullptr || !ref->is_string()) return s;
    const std::string_view target = ref->get_string();
    if (!starts_with(target, "#")) return s;
    boost::system::error_code ec;
    s = as_object(root.find_pointer(target.substr(1), ec));
  }
  return s;
}

// The subschema that governs the value at `pointer`, or nullptr when the schema says nothing.
const boost::json::object* schema_at(const boost::json::value& root, std::string_view pointer) {
  const boost::json::object* s = deref(root, root.if_object());
  for (const auto& token : pointer_tokens(pointer)) {
    if (s == nullptr) return nullptr;
    const boost::json::object* next = nullptr;
    if (const auto* props = as_object(s->if_contains("properties"))) {
      next = as_object(props->if_contains(token));
    }
    if (next == nullptr) next = as_object(s->if_contains("additionalProperties"));
    if (next == nullptr) next = as_object(s->if_contains("items"));
    s = deref(root, next);
  }
  return s;
}

std::string type_name(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
      return "integer";
    case boost::json::kind::double_:
      return "number";
    case boost::json::kind::string:
      return "string";
    case boost::json::kind::array:
      return "array";
    case boost::json::kind::object:
      return "object";
  }
  return "value";
}

std::string join_values(const boost::json::value* list, std::string_view separator,
                        bool quote_strings) {
  std::string out;
  if (list == nullptr) return out;
  auto append = [&](const boost::json::value& v) {
    if (!out.empty()) out += separator;
    if (v.is_string() && !quote_strings) {
      out += v.get_string();
    } else {
      out += boost::json::serialize(v);
    }
  };
  if (const auto* arr = list->if_array()) {
    for (const auto& v : *arr) append(v);
  } else {
    append(*list);
  }
  return out;
}

std::string allowed_fields(const boost::json::object* schema) {
  std::vector<std::string> names;
  if (const auto* props =
          schema != nullptr ? as_object(schema->if_contains("properties")) : nullptr) {
    for (const auto& kv : *props) names.emplace_back(kv.key());
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Only values of fields that carry a pattern/enum/const are echoed; secret fields have none.
std::string describe_value(const boost::json::value* v) {
  if (v == nullptr) return "value";
  return boost::json::serialize(*v);
}

std::string schema_number(const boost::json::object* schema, std::string_view key,
                          std::string_view fallback) {
  if (schema != nullptr) {
    if (const auto* v = schema->if_contains(key)) return boost::json::serialize(*v);
  }
  return std::string(fallback);
}

// The number at the end of valijson's sentence ("… no fewer than 1 elements."), as text.
std::string trailing_number(std::string_view description) {
  std::size_t end = description.find_last_of("0123456789");
  if (end == std::string_view::npos) return {};
  std::size_t begin = end;
  while (begin > 0 && (std::isdigit(static_cast<unsigned char>(description[begin - 1])) != 0 ||
                       description[begin - 1] == '.')) {
    --begin;
  }
  return std::string(description.substr(begin, end - begin + 1));
}

ConfigProblem rewrite(const boost::json::value& schema_root, const boost::json::value& document,
                      std::string pointer, const std::string& description) {
  boost::system::error_code ec;
  const boost::json::value* value = document.find_pointer(pointer, ec);
  const boost::json::object* schema = schema_at(schema_root, pointer);

  if (starts_with(description, "Object contains a property that could not be validated")) {
    const std::string field = quoted_name(description);
    std::string message = "unknown field \"" + field + "\"";
    const std::string allowed = allowed_fields(schema);
    message += allowed.empty() ? " (no fields are allowed here)" : " (allowed: " + allowed + ")";
    return {pointer_append(pointer, field), message, false};
  }
  if (starts_with(description, "Missing required property")) {
    return {pointer, "missing required field \"" + quoted_name(description) + "\"", false};
  }
  if (starts_with(description, "Value type not permitted")) {
    std::string expected = "another type";
    if (schema != nullptr && schema->contains("type")) {
      expected = join_values(schema->if_contains("type"), " or ", false);
    }
    return {pointer,
            "expected " + expected + ", got " + (value ? type_name(*value) : std::string("?")),
            false};
  }
  if (starts_with(description, "Failed to match against any enum values")) {
    const boost::json::value* options = schema ? schema->if_contains("enum") : nullptr;
    return {pointer, describe_value(value) + " is not one of: " + join_values(options, ", ", false),
            false};
  }
  if (starts_with(description, "Failed to match expected value set by 'const'")) {
    const boost::json::value* expected = schema ? schema->if_contains("const") : nullptr;
    return {pointer, "must be " + describe_value(expected) + " (got " + describe_value(value) + ")",
            false};
  }
  if (starts_with(description, "Failed to match regex")) {
    const boost::json::value* custom = schema ? schema->if_contains("errorMessage") : nullptr;
    if (custom != nullptr && custom->is_string()) {
      return {pointer, describe_value(value) + " " + std::string(custom->get_string()), false};
    }
    return {pointer,
            describe_value(value) + " does not match the pattern " +
                schema_number(schema, "pattern", "required here"),
            false};
  }
  if (starts_with(description, "Expected number greater than or equal to")) {
    return {pointer,
            "must be at least " + schema_number(schema, "minimum", trailing_number(description)) +
                " (got " + describe_value(value) + ")",
            false};
  }
  if (starts_with(description, "Expected number less than or equal to")) {
    return {pointer,
            "must be at most " + schema_number(schema, "maximum", trailing_number(description)) +
                " (got " + describe_value(value) + ")",
            false};
  }
  if (starts_with(description, "Expected number greater than")) {
    return {pointer, "must be greater than " + trailing_number(description), false};
  }
  if (starts_with(description, "Expected number less than")) {
    return {pointer, "must be less than " + trailing_number(description), false};
  }
  if (starts_with(description, "String should be no fewer than")) {
    const std::string n = trailing_number(description);
    return {pointer, n == "1" ? "must not be empty" : "must be at least " + n + " characters",
            false};
  }
  if (starts_with(description, "String should be no more than")) {
    return {pointer, "must be at most " + trailing_number(description) + " characters", false};
  }
  if (starts_with(description, "Array should contain no fewer than")) {
    return {pointer, "must have at least " + trailing_number(description) + " item(s)", false};
  }
  if (starts_with(description, "Array should contain no more than")) {
    return {pointer, "must have at most " + trailing_number(description) + " item(s)", false};
  }
  if (starts_with(description, "Elements at indexes #")) {
    // "Elements at indexes #0 and #2 violate uniqueness constraint."
    const std::size_t first = description.find('#');
    const std::size_t second = description.find('#', first + 1);
    const std::string a = description.substr(first + 1, description.find(' ', first) - first - 1);
    const std::string b =
        description.substr(second + 1, description.find(' ', second) - second - 1);
    const std::string item = pointer + "/" + b;
    const boost::json::value* repeated = document.find_pointer(item, ec);
    return {item, "duplicate entry " + describe_value(repeated) + " (same as item " + a + ")",
            false};
  }
  return {std::move(pointer), description, false};
}

}  // namespace

std::vector<ConfigProblem> validate_against_schema(const boost::json::value& document) {
  const CompiledSchema& compiled = compiled_schema();
  if (!compiled.error.empty()) return {{"", compiled.error, false}};

  valijson::Validator validator;  // strict types: "1" is not an integer
  valijson::ValidationResults results;
  valijson::adapters::BoostJsonAdapter target(document);
  std::vector<ConfigProblem> problems;
  try {
    if (validator.validate(compiled.schema, target, &results)) return problems;
  } catch (const std::exception& e) {
    return {{"", std::string("internal error while validating: ") + e.what(), false}};
  }

  std::set<std::pair<std::string, std::string>> seen;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    if (is_wrapper(error.description)) continue;
    ConfigProblem problem =
        rewrite(compiled.document, document, pointer_from_valijson_context(error.context),
                error.description);
    if (seen.emplace(problem.pointer, problem.message).second) {
      problems.push_back(std::move(problem));
    }
  }
  return problems;
}

}  // namespace gw::config
