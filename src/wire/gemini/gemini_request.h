// Gemini GenerateContentRequest codec: client body → canonical ChatRequest (the gateway's Gemini
// ingress, for the official @google/genai SDKs) and canonical ChatRequest → upstream body (the
// Gemini provider adapter). The model travels in the URL, never in the body. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "model/chat.h"
#include "spi/dialect.h"

namespace gw::gemini {

// Validates like the Gemini API and returns caller_invalid_request errors whose message and
// `param` name the field ("contents[2].parts[0]"). Field names are accepted in camelCase and
// snake_case, as Google's JSON parser does; unknown names are rejected.
//   - model = context.path_model, stream = context.path_stream, include_usage = true (Gemini
//     always reports usage);
//   - systemInstruction text parts → ChatRequest.system;
//   - contents: role user/model ("function" is user); parts text, inlineData, fileData (→ image
//     blocks), thought text (→ reasoning, thoughtSignature → signature), functionCall (→ tool_use
//     with id "call_<n>", n counted over the conversation, or the part's own id), functionResponse
//     (→ a Role::tool message whose tool_result id is that of the oldest unanswered call of the
//     same name; a response {"content": s} or {"error": s} becomes text s, is_error for "error";
//     any other object its compact JSON);
//   - tools[].functionDeclarations (parameters in Gemini's OpenAPI flavour are converted to JSON
//     Schema, parametersJsonSchema is taken as is); other built-in tools are rejected;
//   - toolConfig.functionCallingConfig: AUTO → auto, NONE → none, ANY → required, or named when
//     allowedFunctionNames has one name (several restrict the declared tools to those names);
//   - generationConfig: temperature, topP, maxOutputTokens, stopSequences, seed; topK →
//     extra.top_k, presencePenalty/frequencyPenalty → extra.presence_penalty/frequency_penalty;
//     responseMimeType/responseSchema/responseJsonSchema → response_format; candidateCount > 1 is
//     rejected; settings with no canonical meaning (thinkingConfig, safetySettings, …) are
//     accepted and not forwarded (ChatRequest.extra is copied verbatim by other dialects).
// Non-finite numbers, NUL characters and nesting deeper than 64 are rejected.
Result<ChatRequest> decode_generate_request(std::string_view body, const IngressContext& context);

// Writes the GenerateContentRequest body:
//   - system blocks → systemInstruction.parts; user/tool turns → role "user", assistant →
//     "model"; adjacent turns of the same role are merged (so consecutive tool results share one
//     user turn);
//   - images: base64 data (or a data: URL) → inlineData, other URLs → fileData;
//   - tool_use → functionCall {name, args} (no id: the Developer API has none), tool_result →
//     functionResponse {name of the call it answers, response}; reasoning → thought parts;
//     signatures → thoughtSignature on the part that carried them;
//   - tools → [{functionDeclarations}] as given (the pipeline already compiled them to Gemini's
//     rules); tool_choice → toolConfig.functionCallingConfig; sampling and response_format →
//     generationConfig (extra top_k / presence_penalty / frequency_penalty included).
// Fails with caller_invalid_request when a tool result answers no earlier call or a call's
// arguments are not a JSON object (Gemini can carry neither).
Result<std::string> encode_generate_request(const ChatRequest& request);

}  // namespace gw::gemini
