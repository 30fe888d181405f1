// Ollama native /api/chat non-streamed answer codec: upstream body → canonical ChatResponse (the
// ollama provider adapter) and canonical ChatResponse → the body Ollama sends (the mock's Ollama
// dialect).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "model/chat.h"

namespace gw::ollama {

// {"model","created_at","message":{"role","content","thinking"?,"tool_calls"?},"done_reason",
// "done","prompt_eval_count","eval_count",…} → blocks in the order reasoning (thinking), text
// (content, when not empty), tool_use (ids "call_<index>" since Ollama sends none; arguments as
// compact JSON text). finish: "length" → length, tool calls → tool_calls, else stop. Usage from
// the eval counts (present when Ollama sent either). created from created_at; id stays empty
// (Ollama has none). A body that is not an object or has no message → provider_bad_response;
// a 200 body holding {"error": …} → that error (see decode_error_value).
Result<ChatResponse> decode_chat_response(std::string_view body);

// The answer as Ollama writes it (compact): model = `model_shown`, created_at from created,
// message {role "assistant", content (text blocks concatenated), thinking when there is
// reasoning, tool_calls [{function:{name, arguments}}] when there are calls — arguments as an
// object, or as the raw string when the text is not a JSON object}, done_reason, done: true, and
// prompt_eval_count / eval_count when usage is present.
std::string encode_chat_response(const ChatResponse& response, std::string_view model_shown);

}  // namespace gw::ollama
