// Tool-call names back to the caller's (see tool_schema.h).
#include <string>

#include "wire/tool_schema/tool_schema.h"

namespace gw::tool_schema {

void restore_names(ChatResponse& response, const ToolNameMap& names) {
  if (names.empty()) return;
  for (ContentBlock& block : response.content) {
    if (block.type == BlockType::tool_use)
      block.name = std::string(names.original_name(block.name));
  }
}

void restore_names(StreamEvent& event, const ToolNameMap& names) {
  if (names.empty() || event.type != StreamEvent::Type::tool_call_start) return;
  event.name = std::string(names.original_name(event.name));
}

}  // namespace gw::tool_schema
