// OpenAI Chat Completions (non-streamed) response codec: upstream body → canonical ChatResponse
// (provider adapters) and canonical ChatResponse → the body the official openai SDKs parse
// (the gateway's OpenAI ingress).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "model/chat.h"

namespace gw::openai {

// Reads choices[0] only. Content blocks come out as: reasoning (vLLM/DeepSeek reasoning_content,
// Ollama/OpenRouter reasoning), text (content string or text parts), refusal (as text — the
// canonical model has no refusal block), then tool calls in order (arguments kept as the exact
// string; an object, as some compatible servers send, is serialised). Tolerates the nulls and
// extras of vLLM and Ollama. Missing choices or message → provider_bad_response; a 200 body that
// is an error object is mapped like an in-band stream error.
Result<ChatResponse> decode_chat_response(std::string_view body);

// {"id","object":"chat.completion","created","model","choices":[{"index":0,"message":{"role":
// "assistant","content","refusal":null,"tool_calls"?},"logprobs":null,"finish_reason"}],
// "usage"?,"system_fingerprint"?}. content is null when the answer is only tool calls; text
// blocks are concatenated; reasoning is sent as message.reasoning_content (the vLLM/DeepSeek
// convention, ignored by SDKs that do not know it); usage is omitted when not present; an unset
// finish reason is "tool_calls" when there are tool calls, else "stop".
std::string encode_chat_response(const ChatResponse& response, std::string_view model_shown);

}  // namespace gw::openai
