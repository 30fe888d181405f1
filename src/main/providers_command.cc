// The providers command: builds each registered adapter from minimal settings and prints the
// capabilities it declares (the adapter defaults; per-model data may narrow them at routing).
#include "main/providers_command.h"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "common/embedded.h"

namespace gw {
namespace {

namespace json = boost::json;

constexpr std::string_view kFlavorDir = "config/providers.d/";
constexpr std::string_view kFlavorExt = ".json";

// The flavors embedded from config/providers.d, by file stem, sorted as embedded.
std::vector<std::string> embedded_flavors() {
  std::vector<std::string> out;
  for (const auto& f : embedded_files()) {
    if (!f.path.starts_with(kFlavorDir) || !f.path.ends_with(kFlavorExt)) continue;
    std::string_view stem = f.path.substr(kFlavorDir.size());
    stem.remove_suffix(kFlavorExt.size());
    out.emplace_back(stem);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The fewest settings each type's factory needs to build. No credentials and no base URL:
// marking the credential missing (as the config loader does for an unresolved secret) lets
// factories that insist on one (bedrock) build for the capability listing.
ProviderSettings minimal_settings(const std::string& type, const std::string& flavor) {
  ProviderSettings s;
  s.name = flavor.empty() ? type : flavor;
  s.type = type;
  s.credential_missing = true;
  s.credential_problem = "no credential: built only to list capabilities";
  if (type == "bedrock") s.raw["region"] = "us-east-1";
  if (!flavor.empty()) s.raw["flavor"] = flavor;
  return s;
}

Result<AdapterRow> build_row(const ProviderFactory& factory, const std::string& type,
                             const std::string& flavor) {
  auto adapter = factory(minimal_settings(type, flavor));
  AdapterRow row;
  row.type = type;
  row.flavor = flavor;
  row.label = flavor.empty() ? type : type + " (" + flavor + ")";
  if (!adapter) {
    return Error::make(ErrorKind::gateway_internal,
                       "cannot build the " + row.label + " adapter: " + adapter.error().message);
  }
  row.capabilities = (*adapter)->capabilities();
  return row;
}

std::string_view schema_name(ToolRules::Schema schema) {
  switch (schema) {
    case ToolRules::Schema::json_schema:
      return "json_schema";
    case ToolRules::Schema::openapi_subset:
      return "openapi_subset";
  }
  return "unknown";
}

// The tool-name rule as a regular expression, e.g. ^[A-Za-z0-9_-]{1,64}$.
std::string name_pattern(const ToolRules& rules) {
  std::string extra;
  bool dash = false;
  for (char c : rules.name_extra_chars) {
    if (c == '-') {
      dash = true;  // last in the class, where it is literal
      continue;
    }
    if (c == '\\' || c == ']' || c == '^') extra += '\\';
    extra += c;
  }
  if (dash) extra += '-';
  const std::string any = "[A-Za-z0-9" + extra + "]";
  const std::string max = std::to_string(rules.max_name_length);
  if (rules.name_must_start_with_letter_or_underscore) {
    const std::string rest = std::to_string(rules.max_name_length - 1);
    return "^[A-Za-z_]" + any + "{0," + rest + "}$";
  }
  return "^" + any + "{1," + max + "}$";
}

const char* yes_no(bool b) {
  return b ? "yes" : "no";
}

// A table cell: pipes would end the cell even inside backticks.
std::string cell_code(const std::string& text) {
  std::string out = "`";
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out + "`";
}

}  // namespace

Result<std::vector<AdapterRow>> adapter_rows(const ProviderRegistry& registry) {
  std::vector<AdapterRow> rows;
  for (const std::string& type : registry.types()) {
    const ProviderFactory* factory = registry.find(type);
    std::vector<std::string> flavors{""};
    if (type == "openai_compatible") flavors = embedded_flavors();
    for (const std::string& flavor : flavors) {
      auto row = build_row(*factory, type, flavor);
      if (!row) return std::move(row).error();
      rows.push_back(std::move(row).value());
    }
  }
  return rows;
}

std::string adapters_json(const std::vector<AdapterRow>& rows) {
  std::string out = "[\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const AdapterRow& r = rows[i];
    const Capabilities& c = r.capabilities;
    json::object caps{
        {"streaming", c.streaming},
        {"tool_calling", c.tool_calling},
        {"parallel_tool_calls", c.parallel_tool_calls},
        {"vision", c.vision},
        {"json_mode", c.json_mode},
        {"json_schema", c.json_schema},
        {"system_prompt", c.system_prompt},
        {"usage_in_stream", c.usage_in_stream},
        {"tool_names", json::object{{"max_length", c.tools.max_name_length},
                                    {"extra_chars", c.tools.name_extra_chars},
                                    {"must_start_with_letter_or_underscore",
                                     c.tools.name_must_start_with_letter_or_underscore},
                                    {"pattern", name_pattern(c.tools)}}},
        {"tool_schema", schema_name(c.tools.schema)},
    };
    json::object row{{"adapter", r.label},
                     {"type", r.type},
                     {"flavor", r.flavor.empty() ? json::value(nullptr) : json::value(r.flavor)},
                     {"capabilities", std::move(caps)}};
    out += "  " + json::serialize(row) + (i + 1 < rows.size() ? ",\n" : "\n");
  }
  return out + "]\n";
}

std::string adapters_markdown(const std::vector<AdapterRow>& rows) {
  std::string out =
      "## Adapter capabilities\n\n"
      "| adapter | streaming | tool_calling | parallel_tool_calls | vision | json_mode | "
      "json_schema | system_prompt | usage_in_stream | tool names | tool schema |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const AdapterRow& r : rows) {
    const Capabilities& c = r.capabilities;
    out += "| " + r.label;
    for (bool b : {c.streaming, c.tool_calling, c.parallel_tool_calls, c.vision, c.json_mode,
                   c.json_schema, c.system_prompt, c.usage_in_stream}) {
      out += std::string(" | ") + yes_no(b);
    }
    out += " | " + cell_code(name_pattern(c.tools));
    out += " | " + std::string(schema_name(c.tools.schema)) + " |\n";
  }
  return out;
}

int providers_command(bool markdown, std::ostream& out, std::ostream& err) {
  auto rows = adapter_rows(builtin_providers());
  if (!rows) {
    err << "execution-platform providers: " << rows.error().message << "\n";
    return 1;
  }
  out << (markdown ? adapters_markdown(*rows) : adapters_json(*rows));
  return 0;
}

}  // namespace gw
