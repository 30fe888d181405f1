// Anthropic Messages request codec: client body → canonical ChatRequest (the gateway's Anthropic
// ingress, POST /v1/messages) and canonical ChatRequest → upstream body (the anthropic provider
// adapter). Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "model/chat.h"

namespace gw::anthropic {

// Validates like the Messages API does and returns caller_invalid_request errors whose `param`
// is the offending field path in Anthropic's style ("messages.2.content.0.type") and whose
// message starts with it; codes: invalid_json, json_too_deep, missing_required_parameter,
// invalid_type, invalid_value, empty_array, unsupported_value.
//   - model and max_tokens are required, messages must be a non-empty array;
//   - system (a string or text blocks) becomes ChatRequest.system;
//   - a user message's tool_result blocks become Role::tool messages, one per block and in
//     order, each holding the tool_result (its text blocks joined by '\n') followed by the
//     result's image blocks; the remaining blocks of that message follow as one user message;
//   - image sources: base64 → media_type + data; url → url; thinking → reasoning (text,
//     signature); redacted_thinking → reasoning with empty text and `data`;
//   - custom tools only (a server tool such as web_search_* is rejected naming its type);
//     tool_choice auto/any/tool/none, disable_parallel_tool_use → parallel_tool_calls = false;
//   - stream: true also sets include_usage (Anthropic streams always carry usage);
//   - metadata.user_id becomes ChatRequest.user (metadata itself also goes to extra); top_k and
//     every other top-level field without a canonical meaning (thinking, service_tier,
//     cache_control, …) go to extra unchanged.
// Strings with NUL characters and numbers outside the double range are rejected; nesting is
// limited to 64 levels.
Result<ChatRequest> decode_messages_request(std::string_view body);

inline constexpr std::int64_t kDefaultMaxTokens = 4096;

struct AnthropicEncodeOptions {
  // Anthropic requires max_tokens; used when the request has none.
  std::int64_t default_max_tokens = kDefaultMaxTokens;
};

// Writes the Messages body for `upstream_model`:
//   - system: one text block as a string, several as text blocks;
//   - Role::tool messages become user messages of tool_result blocks; adjacent messages of the
//     same wire role are merged (Anthropic requires alternation) and inside a user message the
//     tool_result blocks go first (Anthropic requires that too); messages without content are
//     skipped;
//   - tool_use input is the arguments text parsed as a JSON object (empty → {}); arguments that
//     are not a JSON object fail with caller_invalid_request naming the block;
//   - reasoning blocks with a signature become thinking blocks, those with only `data` become
//     redacted_thinking; unsigned reasoning (from another provider) is not sent, because
//     Anthropic rejects thinking blocks it cannot verify;
//   - tools [{name, description, input_schema}] with a null schema sent as an empty object
//     schema; tool_choice only with tools, parallel_tool_calls = false as
//     disable_parallel_tool_use; stop → stop_sequences; user → metadata.user_id;
//   - stream: true when streaming; seed and response_format are not sent (no Anthropic field);
//   - extra: only Anthropic Messages parameters are forwarded (top_k, thinking, cache_control,
//     output_config, service_tier with an Anthropic value); anything else in extra came from
//     another dialect and would be rejected, so it is dropped.
Result<std::string> encode_messages_request(const ChatRequest& request,
                                            std::string_view upstream_model,
                                            const AnthropicEncodeOptions& options);

}  // namespace gw::anthropic
