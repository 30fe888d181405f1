// Field mappings shared by the Converse response and ConverseStream codecs: stopReason and usage.
#pragma once

#include <string_view>

#include <boost/json/object.hpp>

#include "model/chat.h"

namespace gw::bedrock {

// end_turn, stop_sequence → stop; max_tokens, model_context_window_exceeded → length; tool_use →
// tool_calls; guardrail_intervened, content_filtered → content_filter; malformed_model_output,
// malformed_tool_use → error; empty → unset; anything else → stop.
FinishReason parse_stop_reason(std::string_view value);

// The stopReason Bedrock sends for a canonical reason (unset and stop → end_turn).
std::string_view stop_reason_name(FinishReason reason);

// usage {inputTokens, outputTokens, cacheReadInputTokens, cacheWriteInputTokens}. Bedrock's
// inputTokens leaves out the tokens read from and written to the prompt cache (AWS prompt
// caching guide), so the canonical input_tokens is the sum of the three. present is set.
Usage decode_usage(const boost::json::object& usage);

// The inverse: {inputTokens (uncached part), outputTokens, totalTokens, cacheReadInputTokens and
// cacheWriteInputTokens when non-zero}.
boost::json::object encode_usage(const Usage& usage);

}  // namespace gw::bedrock
