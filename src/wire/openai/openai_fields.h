// Field mappings shared by the OpenAI response and stream codecs: finish_reason and usage.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "model/chat.h"

namespace gw::openai {

// "stop", "length", "tool_calls", "content_filter"; unset and error (no OpenAI equivalent; the
// error itself travels separately) become "stop".
std::string_view finish_reason_name(FinishReason reason);

// OpenAI and OpenAI-compatible values; the legacy "function_call" is "tool_calls"; "error" is
// error; any other non-empty value is stop (the model stopped for a reason we cannot name).
FinishReason parse_finish_reason(std::string_view value);

// usage {prompt_tokens, completion_tokens, prompt_tokens_details.cached_tokens,
// completion_tokens_details.reasoning_tokens}; nulls and absent members read as 0.
Usage decode_usage(const boost::json::object& usage);

// Appends the usage object the official SDKs expect: prompt_tokens, completion_tokens,
// total_tokens, prompt_tokens_details{cached_tokens}, completion_tokens_details{reasoning_tokens}.
void append_usage_json(std::string& out, const Usage& usage);

}  // namespace gw::openai
