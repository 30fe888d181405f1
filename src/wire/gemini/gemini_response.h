// Gemini GenerateContentResponse (non-streamed) codec: upstream body → canonical ChatResponse
// (provider adapter) and canonical ChatResponse → the body the @google/genai SDKs parse (the
// gateway's Gemini ingress).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "model/chat.h"

namespace gw::gemini {

// Reads candidates[0]: text parts → text, thought parts → reasoning (thoughtSignature →
// signature, also kept on text and tool_use blocks), functionCall → tool_use with id = the part's
// id or "call_<n>" (n counts the calls of this answer) and arguments = compact JSON of args.
// finishReason per parse_finish_reason, STOP with calls → tool_calls. responseId → id,
// modelVersion → model, usageMetadata → usage. No candidate + promptFeedback.blockReason →
// provider_invalid_request "content_blocked"; no candidate otherwise → provider_bad_response; a
// 200 body holding {"error": …} is mapped like an error answer.
Result<ChatResponse> decode_generate_response(std::string_view body);

// {"candidates":[{"content":{"parts":[…],"role":"model"},"finishReason","index":0}],
// "usageMetadata"?,"modelVersion","responseId"}. Parts: reasoning → {text, thought: true},
// text → {text}, tool_use → {functionCall {name, args}} (thoughtSignature on each when the block
// has a signature). A call whose arguments are not a JSON object cannot be written and turns the
// finish reason into MALFORMED_FUNCTION_CALL (what Gemini itself reports for such calls).
std::string encode_generate_response(const ChatResponse& response, std::string_view model_shown);

}  // namespace gw::gemini
