// Ollama native /api/chat request codec: canonical ChatRequest → upstream body (the ollama
// provider adapter) and /api/chat body → canonical ChatRequest (the mock provider's Ollama
// dialect, and a round-trip check of the encoder). Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "model/chat.h"

namespace gw::ollama {

// Writes {"model","messages","tools"?,"format"?,"options"?,"stream"}:
//   - each system block becomes its own leading {"role":"system"} message (block boundaries kept,
//     as the OpenAI encoder does);
//   - user text blocks are joined with "\n" into content; image blocks go to images[] as bare
//     base64 (a data: URL is unwrapped). Ollama cannot fetch URLs, so an http(s) image is a
//     provider_invalid_request (code "image_url_unsupported", retry fallback_only: a target that
//     fetches URLs can still serve the request);
//   - assistant reasoning blocks go to thinking, text to content, tool_use blocks to
//     tool_calls[{function:{name, arguments}}] with arguments as a JSON object (empty text is {};
//     text that is not a JSON object is provider_invalid_request "tool_arguments_not_object");
//   - tool_result blocks become {"role":"tool","content","tool_name"} messages, placed before the
//     rest of the message they came in; tool_name is the name of the earlier tool_use with that
//     id (omitted when no such call is in the conversation); is_error has no Ollama field;
//   - tools as [{type:"function",function:{name,description?,parameters}}] (a tool without
//     parameters gets {"type":"object","properties":{}}, the shape Ollama's templates render);
//   - tool_choice: Ollama has none. "none" drops the tools; "required" and a named choice cannot
//     be enforced, so the tools are sent and the model chooses (parallel_tool_calls likewise);
//   - format: "json" for json_object, the schema object for json_schema ("json" without one);
//   - options {temperature, top_p, seed, num_predict (max_tokens), stop}, only those given;
//   - stream always written (Ollama streams when it is absent); think never (the model's
//     default applies); message names, user and extra have no Ollama field and are dropped.
Result<std::string> encode_chat_request(const ChatRequest& request,
                                        std::string_view upstream_model);

// Reads an /api/chat body the way Ollama does, with Ollama-style errors (caller_invalid_request,
// message in Go's encoding/json wording, param = the field path, e.g. "messages[0].content"):
//   - model is required ("model is required"); messages may be absent; stream defaults to true;
//   - system messages become ChatRequest.system blocks (their position is not kept);
//   - user content + images[] (base64) become a text block then image blocks (media type sniffed
//     from the data); assistant thinking, content and tool_calls become reasoning, text and
//     tool_use blocks; tool calls get ids "call_<n>" (n counting every call of the conversation,
//     or the id the body gives), and a tool message's result is linked to the latest earlier call
//     of its tool_name not yet answered (tool_call_id when given);
//   - format "json" → json_object, an object → json_schema, "" → unset, anything else is
//     `invalid format: expected "json" or a valid JSON schema`;
//   - options temperature, top_p, seed, num_predict (negative: no limit), stop are canonical; the
//     other options go to extra["options"] and other top-level fields (think, keep_alive, …) to
//     extra, unchanged.
Result<ChatRequest> decode_chat_request(std::string_view body);

}  // namespace gw::ollama
