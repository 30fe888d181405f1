// compile_tools: names, schemas and the per-thread cache (see compiled_tools.h).
#include "wire/tool_schema/compiled_tools.h"

#include <string_view>

#include "wire/tool_schema/tool_cache.h"
#include "wire/tool_schema/tool_name.h"

namespace gw::tool_schema {

namespace {

Result<CompiledTools> compile_uncached(const std::vector<ToolSpec>& tools, const ToolRules& rules) {
  CompiledTools out;
  std::vector<std::string_view> names;
  names.reserve(tools.size());
  for (const ToolSpec& t : tools) names.emplace_back(t.name);
  ToolNamer(rules).assign_declared(names, out.names);
  out.changed = !out.names.empty();
  out.tools.reserve(tools.size());
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const ToolSpec& tool = tools[i];
    ToolSpec compiled;
    compiled.name = std::string(out.names.provider_name(tool.name));
    compiled.description = tool.description;
    compiled.strict = tool.strict;
    if (rules.schema == ToolRules::Schema::openapi_subset && !tool.parameters.is_null()) {
      const SchemaSubject subject{"Tool '" + tool.name + "'",
                                  "tools[" + std::to_string(i) + "].parameters", true};
      Result<CompiledSchema> schema = compile_openapi_schema(tool.parameters, subject);
      if (!schema) return std::move(schema).error();
      for (SchemaNote& n : schema->notes) out.notes.push_back(ToolNote{tool.name, std::move(n)});
      out.changed = out.changed || schema->schema != tool.parameters;
      compiled.parameters = std::move(schema->schema);
    } else {
      compiled.parameters = tool.parameters;  // json_schema: passed through, $refs and all
    }
    out.tools.push_back(std::move(compiled));
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<const CompiledTools>> compile_tools(const std::vector<ToolSpec>& tools,
                                                           const ToolRules& rules) {
  CompiledToolsCache& cache = CompiledToolsCache::local();
  const std::uint64_t hash = hash_tools(tools);
  if (auto hit = cache.find(rules, hash, tools)) return hit;
  Result<CompiledTools> compiled = compile_uncached(tools, rules);
  if (!compiled) return std::move(compiled).error();
  auto shared = std::make_shared<const CompiledTools>(std::move(compiled).value());
  cache.insert(rules, hash, tools, shared);
  return shared;
}

}  // namespace gw::tool_schema
