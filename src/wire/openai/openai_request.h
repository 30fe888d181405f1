// OpenAI Chat Completions request codec: client body → canonical ChatRequest (the gateway's
// OpenAI ingress) and canonical ChatRequest → upstream body (OpenAI-family provider adapters).
// Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/chat.h"

namespace gw::openai {

// Validates like the OpenAI API does and returns caller_invalid_request errors with `param` set to
// the offending field path ("messages[2].content") and an OpenAI-style message and code
// (invalid_json, json_too_deep, missing_required_parameter, invalid_type, invalid_value,
// empty_array, …).
//   - system and developer messages become ChatRequest.system text blocks, in order (their
//     position among the other messages is not kept; the canonical model has one system field);
//   - image_url data: URLs are split into media_type + base64 data; http(s) URLs stay in url;
//   - a tool message becomes a Role::tool message with one tool_result block;
//   - assistant refusal text becomes a text block (the canonical model has no refusal block);
//   - tool_choice "auto"/"none" and parallel_tool_calls are dropped when no tools are given
//     (OpenAI rejects them there); "required" or a named choice without tools is an error;
//   - every top-level field without a canonical meaning goes to ChatRequest.extra unchanged.
// Strings with NUL characters and numbers outside the double range are rejected; Boost.JSON
// rejects invalid UTF-8.
Result<ChatRequest> decode_chat_request(std::string_view body);

// How an OpenAI-family server wants the body written (from a provider data file, see
// config/providers.d/).
struct OpenAIEncodeOptions {
  std::string max_tokens_field = "max_tokens";  // or "max_completion_tokens"
  bool stream_usage = true;                     // the server honours stream_options.include_usage
  bool forward_extra = true;                    // copy ChatRequest.extra (same-dialect parameters)
  std::vector<std::string> drop_fields;         // top-level fields the server rejects; removed last
};

// Writes the Chat Completions body for `upstream_model`:
//   - each system block becomes its own leading {"role":"system"} message with string content
//     (one message per block keeps block boundaries, so decode(encode(r)) == r);
//   - tool_result blocks become {"role":"tool"} messages, emitted before the rest of the message
//     they came in (an Anthropic-style user turn carries results and text together);
//   - assistant tool_use blocks become tool_calls with the arguments string as is; reasoning
//     blocks are not sent (Chat Completions has no input field for them);
//   - a message whose only block is text is sent with string content, otherwise as parts;
//   - when streaming, "stream": true plus stream_options {"include_usage": true} whatever the
//     client asked, so the gateway can always meter usage (unless options.stream_usage is false);
//   - tool_choice and parallel_tool_calls only when tools are present;
//   - extra fields are copied unless a canonical field already wrote that key.
std::string encode_chat_request(const ChatRequest& request, std::string_view upstream_model,
                                const OpenAIEncodeOptions& options);

}  // namespace gw::openai
