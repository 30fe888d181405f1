// A request's tool declarations compiled for one provider's ToolRules: names made acceptable
// (with the map back), schemas translated for the provider's schema flavour. Compiled results
// are cached per thread, so an agent sending the same tools every turn compiles them once per
// flavour.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/chat.h"
#include "spi/provider.h"
#include "wire/tool_schema/schema_compile.h"
#include "wire/tool_schema/tool_name_map.h"

namespace gw::tool_schema {

// A schema change worth a debug log line, with the tool it belongs to.
struct ToolNote {
  std::string tool;  // the caller's name
  SchemaNote note;
};

struct CompiledTools {
  std::vector<ToolSpec> tools;  // what the provider is sent, in the caller's order
  ToolNameMap names;            // the declared tools that were renamed
  std::vector<ToolNote> notes;  // dropped or approximated keywords
  bool changed = false;         // false: `tools` equals the input
};

// json_schema: names only, schemas untouched. openapi_subset: names and schemas (see
// schema_compile.h); the first tool that cannot be expressed fails the call with param
// "tools[i].parameters". A tool whose parameters are null keeps them null.
// The same tools and rules on the same thread return the same pointer (a small LRU).
Result<std::shared_ptr<const CompiledTools>> compile_tools(const std::vector<ToolSpec>& tools,
                                                           const ToolRules& rules);

}  // namespace gw::tool_schema
