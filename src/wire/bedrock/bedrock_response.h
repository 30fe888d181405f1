// Bedrock Converse (non-streamed) response codec: the upstream body → canonical ChatResponse (the
// provider adapter), and ChatResponse → the body Bedrock sends (the mock provider).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "model/chat.h"

namespace gw::bedrock {

// output.message.content in order: text → text, toolUse {toolUseId, name, input} → tool_use
// (arguments = input serialised), reasoningContent.reasoningText {text, signature} → reasoning;
// other blocks (images, citations, redacted reasoning) are skipped. stopReason and usage via
// bedrock_fields.h; metrics are ignored. Converse bodies carry no id, model or timestamp: those
// stay empty/0. A body that is not JSON or has no output.message → provider_bad_response.
Result<ChatResponse> decode_converse_response(std::string_view body);

// {"metrics":{"latencyMs"},"output":{"message":{"content":[…],"role":"assistant"}},
// "stopReason","usage"} — compact, key order as Bedrock sends it; usage omitted when not present.
std::string encode_converse_response(const ChatResponse& response, std::int64_t latency_ms = 0);

}  // namespace gw::bedrock
