// stop_reason and usage mappings between the Messages API and the canonical model.
#include "wire/anthropic/anthropic_fields.h"

#include <algorithm>

#include "common/json_text.h"
#include "wire/json_read.h"

namespace gw::anthropic {

namespace json = boost::json;

FinishReason parse_stop_reason(std::string_view value) {
  if (value.empty()) return FinishReason::unset;
  if (value == "max_tokens" || value == "model_context_window_exceeded") {
    return FinishReason::length;
  }
  if (value == "tool_use") return FinishReason::tool_calls;
  if (value == "refusal") return FinishReason::content_filter;
  return FinishReason::stop;  // end_turn, stop_sequence, pause_turn, and names added later
}

std::string_view stop_reason_name(FinishReason reason, bool has_tool_calls) {
  switch (reason) {
    case FinishReason::length:
      return "max_tokens";
    case FinishReason::tool_calls:
      return "tool_use";
    case FinishReason::content_filter:
      return "refusal";
    case FinishReason::unset:
      return has_tool_calls ? "tool_use" : "end_turn";
    case FinishReason::stop:
    case FinishReason::error:
      break;
  }
  return "end_turn";
}

void read_usage(const json::object& usage, WireUsage& into) {
  auto take = [&usage](std::string_view key, std::int64_t& field) {
    if (const json::value* v = json_field(usage, key)) {
      if (auto n = json_to_int64(*v)) field = std::max<std::int64_t>(0, *n);
    }
  };
  take("input_tokens", into.input_tokens);
  take("cache_creation_input_tokens", into.cache_creation_input_tokens);
  take("cache_read_input_tokens", into.cache_read_input_tokens);
  take("output_tokens", into.output_tokens);
}

Usage to_canonical(const WireUsage& u) {
  Usage out;
  out.input_tokens = u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens;
  out.output_tokens = u.output_tokens;
  out.cache_read_tokens = u.cache_read_input_tokens;
  out.cache_write_tokens = u.cache_creation_input_tokens;
  out.present = true;
  return out;
}

WireUsage from_canonical(const Usage& u) {
  WireUsage out;
  out.cache_read_input_tokens = std::max<std::int64_t>(0, u.cache_read_tokens);
  out.cache_creation_input_tokens = std::max<std::int64_t>(0, u.cache_write_tokens);
  out.input_tokens = std::max<std::int64_t>(
      0, u.input_tokens - out.cache_read_input_tokens - out.cache_creation_input_tokens);
  out.output_tokens = std::max<std::int64_t>(0, u.output_tokens);
  return out;
}

void append_usage_json(std::string& out, const WireUsage& u) {
  out.append(R"({"input_tokens":)");
  json_int_append(out, u.input_tokens);
  out.append(R"(,"cache_creation_input_tokens":)");
  json_int_append(out, u.cache_creation_input_tokens);
  out.append(R"(,"cache_read_input_tokens":)");
  json_int_append(out, u.cache_read_input_tokens);
  out.append(R"(,"output_tokens":)");
  json_int_append(out, u.output_tokens);
  out.push_back('}');
}

}  // namespace gw::anthropic
