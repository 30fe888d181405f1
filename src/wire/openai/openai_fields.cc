#include "wire/openai/openai_fields.h"

#include "common/json_text.h"
#include "wire/json_read.h"

namespace gw::openai {

std::string_view finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::length:
      return "length";
    case FinishReason::tool_calls:
      return "tool_calls";
    case FinishReason::content_filter:
      return "content_filter";
    case FinishReason::unset:
    case FinishReason::stop:
    case FinishReason::error:
      return "stop";
  }
  return "stop";
}

FinishReason parse_finish_reason(std::string_view value) {
  if (value.empty()) return FinishReason::unset;
  if (value == "stop") return FinishReason::stop;
  if (value == "length") return FinishReason::length;
  if (value == "tool_calls" || value == "function_call") return FinishReason::tool_calls;
  if (value == "content_filter") return FinishReason::content_filter;
  if (value == "error") return FinishReason::error;
  return FinishReason::stop;
}

Usage decode_usage(const boost::json::object& usage) {
  Usage u;
  u.present = true;
  u.input_tokens = json_int_field(usage, "prompt_tokens");
  u.output_tokens = json_int_field(usage, "completion_tokens");
  if (const auto* details = json_object_field(usage, "prompt_tokens_details")) {
    u.cache_read_tokens = json_int_field(*details, "cached_tokens");
  }
  if (const auto* details = json_object_field(usage, "completion_tokens_details")) {
    u.reasoning_tokens = json_int_field(*details, "reasoning_tokens");
  }
  return u;
}

void append_usage_json(std::string& out, const Usage& usage) {
  out.append(R"({"prompt_tokens":)");
  json_int_append(out, usage.input_tokens);
  out.append(R"(,"completion_tokens":)");
  json_int_append(out, usage.output_tokens);
  out.append(R"(,"total_tokens":)");
  json_int_append(out, usage.input_tokens + usage.output_tokens);
  out.append(R"(,"prompt_tokens_details":{"cached_tokens":)");
  json_int_append(out, usage.cache_read_tokens);
  out.append(R"(},"completion_tokens_details":{"reasoning_tokens":)");
  json_int_append(out, usage.reasoning_tokens);
  out.append("}}");
}

}  // namespace gw::openai
