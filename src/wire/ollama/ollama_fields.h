// Field mappings shared by Ollama's response, stream and request codecs: tool calls (whose
// arguments are a JSON object and which carry no id), done_reason and the eval counts.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "model/chat.h"

namespace gw::ollama {

struct ToolCallFields {
  std::string id;  // empty unless the server sent one (Ollama does not)
  std::string name;
  std::string arguments;  // compact JSON text
};

// message.tool_calls[].function {name, arguments}: an arguments object is written as compact
// JSON, a string (some servers) is kept, absent or null is "{}". Entries that are not objects
// are skipped.
std::vector<ToolCallFields> read_tool_calls(const boost::json::object& message);

// {"function":{"name","arguments"}}: arguments as the JSON object its text holds ({} when empty),
// or as the text itself when that is not a JSON object (never silently dropped).
boost::json::value tool_call_json(std::string_view name, std::string_view arguments);

// The id a call without one gets: "call_<index>", index counting the calls of the answer.
std::string synthesized_call_id(std::size_t index);

// "length" → length; otherwise tool_calls when the answer made tool calls (Ollama reports
// "stop" for them), else stop ("stop", "load", "unload" and an absent reason alike).
FinishReason finish_from_done_reason(std::string_view done_reason, bool made_tool_calls);

// The reverse: length → "length", everything else → "stop".
std::string_view done_reason_name(FinishReason reason);

// prompt_eval_count → input_tokens, eval_count → output_tokens; present when either is there
// (Ollama leaves prompt_eval_count out when the whole prompt came from its cache).
Usage read_usage(const boost::json::object& body);

}  // namespace gw::ollama
