// Internal to the Gemini request decoder: `contents` and `systemInstruction` → canonical messages
// and system blocks (gemini_contents_decode.cc).
#pragma once

#include <boost/json/value.hpp>

#include "common/result.h"
#include "model/chat.h"

namespace gw::gemini::detail {

// contents[] → out.messages. functionCall parts get ids "call_<n>" (n counts calls over the whole
// conversation) unless they carry their own; a functionResponse answers the call with its id,
// else the oldest unanswered call of the same name, and is an error when there is none.
Status decode_contents(const boost::json::value& contents, ChatRequest& out);

// systemInstruction {parts: [{text}]} → out.system; non-text parts are rejected.
Status decode_system_instruction(const boost::json::value& instruction, ChatRequest& out);

}  // namespace gw::gemini::detail
