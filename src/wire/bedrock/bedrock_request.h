// Bedrock Converse / ConverseStream request codec. encode: canonical ChatRequest → the Converse
// body (the provider adapter's direction; the model id travels in the URL path, not the body).
// decode: a Converse body → ChatRequest, for the mock provider's Bedrock dialect — the gateway
// has no Bedrock ingress — and as a round-trip check of the encoder.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "model/chat.h"

namespace gw::bedrock {

// The Converse body:
//   system [{text}] (possibly empty); messages [{role, content}] where user content is text, image
//   {format, source.bytes}, toolResult {toolUseId, content [{text}], status "error" when
//   is_error} and assistant content is text, toolUse {toolUseId, name, input (the arguments as
//   a JSON object)}, reasoningContent {reasoningText {text, signature}}. Role::tool messages
//   become user messages; adjacent messages of the same role are merged into one (Converse
//   requires turns to alternate). inferenceConfig {maxTokens, temperature, topP, stopSequences}
//   is always present (possibly empty, as the SDKs send it). toolConfig {tools [{toolSpec {name,
//   description, inputSchema.json}}], toolChoice auto {} | any {} | tool {name}} when tools are
//   declared; tool_choice none keeps the tools (Converse needs them when the history holds tool
//   blocks) and omits toolChoice. seed, user, response_format and dialect extras have no Converse
//   field and are not sent.
// Errors: an image given by URL (Converse takes only inline bytes) → provider_invalid_request,
// code "unsupported_content", param naming the block; an image media type other than png, jpeg,
// gif, webp → provider_invalid_request, code "unsupported_content"; tool-call arguments that are
// not a JSON object → caller_invalid_request, code "invalid_value".
Result<std::string> encode_converse_request(const ChatRequest& request);

// Reads a Converse body (what encode_converse_request writes, plus toolResult {json} content and
// document/unknown blocks, which are skipped). `model` comes from the URL path, `stream` from
// the operation. User messages made only of toolResult blocks come back as Role::tool messages,
// one per result, so plan/decode logic sees the canonical shape. Errors are
// caller_invalid_request with the offending field in `param` and Bedrock's ValidationException
// wording in the message (code "validation_error"; "invalid_json" for a body that is not JSON).
Result<ChatRequest> decode_converse_request(std::string_view body, std::string_view model,
                                            bool stream);

}  // namespace gw::bedrock
