// stopReason and usage mappings for the Converse codecs (see bedrock_fields.h).
#include "wire/bedrock/bedrock_fields.h"

#include <algorithm>

#include "wire/json_read.h"

namespace gw::bedrock {

FinishReason parse_stop_reason(std::string_view value) {
  if (value.empty()) return FinishReason::unset;
  if (value == "end_turn" || value == "stop_sequence") return FinishReason::stop;
  if (value == "max_tokens" || value == "model_context_window_exceeded") {
    return FinishReason::length;
  }
  if (value == "tool_use") return FinishReason::tool_calls;
  if (value == "guardrail_intervened" || value == "content_filtered") {
    return FinishReason::content_filter;
  }
  if (value == "malformed_model_output" || value == "malformed_tool_use") {
    return FinishReason::error;
  }
  return FinishReason::stop;
}

std::string_view stop_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::length:
      return "max_tokens";
    case FinishReason::tool_calls:
      return "tool_use";
    case FinishReason::content_filter:
      return "content_filtered";
    case FinishReason::error:
      return "malformed_model_output";
    case FinishReason::unset:
    case FinishReason::stop:
      break;
  }
  return "end_turn";
}

Usage decode_usage(const boost::json::object& usage) {
  Usage u;
  u.cache_read_tokens = json_int_field(usage, "cacheReadInputTokens");
  u.cache_write_tokens = json_int_field(usage, "cacheWriteInputTokens");
  u.input_tokens =
      json_int_field(usage, "inputTokens") + u.cache_read_tokens + u.cache_write_tokens;
  u.output_tokens = json_int_field(usage, "outputTokens");
  u.present = true;
  return u;
}

boost::json::object encode_usage(const Usage& usage) {
  const std::int64_t uncached = std::max<std::int64_t>(
      0, usage.input_tokens - usage.cache_read_tokens - usage.cache_write_tokens);
  boost::json::object out{{"inputTokens", uncached},
                          {"outputTokens", usage.output_tokens},
                          {"totalTokens", usage.input_tokens + usage.output_tokens}};
  if (usage.cache_read_tokens != 0) out["cacheReadInputTokens"] = usage.cache_read_tokens;
  if (usage.cache_write_tokens != 0) out["cacheWriteInputTokens"] = usage.cache_write_tokens;
  return out;
}

}  // namespace gw::bedrock
