// What the chat pipeline calls per attempt: compile a request's tools (names and schemas) to the
// target provider's ToolRules before encode, and map tool-call names back to the caller's on
// the way out. Rules: docs/tool-schemas.md.
#pragma once

#include <optional>

#include "common/result.h"
#include "model/chat.h"
#include "spi/provider.h"
#include "wire/tool_schema/compiled_tools.h"
#include "wire/tool_schema/tool_name_map.h"

namespace gw::tool_schema {

// The request as `rules` needs it, or nullopt when it needs no change (then nothing is copied:
// the fast path for json_schema providers and valid names). Otherwise a copy with the tools
// compiled (compile_tools), tool_use names in the history and a named tool_choice renamed, and,
// for openapi_subset, the json_schema response_format compiled like a tool schema (param
// "response_format.json_schema.schema"). `names` is cleared, then receives every rename.
Result<std::optional<ChatRequest>> compile_request(const ChatRequest& request,
                                                   const ToolRules& rules, ToolNameMap& names);

// Provider tool names back to the caller's: tool_use blocks of a response, the name of a
// tool_call_start event. Names the map does not know are left as they are.
void restore_names(ChatResponse& response, const ToolNameMap& names);
void restore_names(StreamEvent& event, const ToolNameMap& names);

}  // namespace gw::tool_schema
