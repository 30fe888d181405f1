// Anthropic Messages (non-streamed) response codec: upstream body → canonical ChatResponse (the
// anthropic provider adapter) and canonical ChatResponse → the Message object the official
// @anthropic-ai/sdk and anthropic Python SDK parse (the gateway's Anthropic ingress).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "model/chat.h"

namespace gw::anthropic {

// Content blocks in order: text → text, tool_use → tool_use (input written as compact JSON
// text), thinking → reasoning (text, signature), redacted_thinking → reasoning with empty text
// and `data`; server-side tool blocks are skipped. stop_reason → finish; usage counts the cached
// prompt tokens into input_tokens and sets cache_read/cache_write. created stays 0 (the API
// sends no timestamp). A body without a content array → provider_bad_response; a 200 body that
// is an error object is mapped like an in-band stream error.
Result<ChatResponse> decode_messages_response(std::string_view body);

// {"id","type":"message","role":"assistant","model","content":[…],"stop_reason",
// "stop_sequence":null,"usage":{input_tokens,cache_creation_input_tokens,
// cache_read_input_tokens,output_tokens}}. id gets a "msg_" prefix when it lacks one; usage is
// zeros when the provider reported none (the SDKs require the object); input_tokens excludes
// the cached tokens, as Anthropic counts them. A tool call whose arguments are not a JSON object
// (some models emit broken JSON) is sent with the arguments text as a JSON string input rather
// than dropped.
std::string encode_messages_response(const ChatResponse& response, std::string_view model_shown);

// The id shown to Anthropic clients: `id` with a "msg_" prefix unless it has one.
std::string message_id(std::string_view id);

// Appends the tool_use input for canonical arguments text: the parsed object re-written
// compactly, {} for empty arguments, the text as a JSON string when it is not an object.
void append_tool_input(std::string& out, std::string_view arguments);

}  // namespace gw::anthropic
