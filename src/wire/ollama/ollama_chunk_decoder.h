// Turns one line of an Ollama /api/chat NDJSON stream (a chunk, the final done:true line, or an
// {"error": …} line) into canonical StreamEvents. NDJSON framing is NdjsonParser's job; both are
// put together by OllamaStreamDecoder.
#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/chat.h"

namespace gw::ollama {

class OllamaChunkDecoder {
 public:
  // Appends the events of one line:
  //   first line → start (id empty: Ollama has none; name = model; created from created_at);
  //   message.thinking → reasoning_delta; message.content → text_delta (empty ones are skipped);
  //   message.tool_calls → per call tool_call_start (index numbering every call of the stream,
  //   id "call_<index>") and one tool_call_delta with the whole arguments object as compact JSON
  //   (Ollama sends each call complete, in one line);
  //   done: true → finish (length for "length", tool_calls when the stream made calls, else stop)
  //   and usage (when the line has eval counts); lines after it are ignored.
  // An {"error": …} line returns the error (decode_error_value(0, …)); a line that is not a JSON
  // object returns provider_bad_response.
  Status decode(std::string_view line, std::vector<StreamEvent>& out);

  bool done() const { return done_; }
  bool started() const { return started_; }

 private:
  int calls_ = 0;
  bool started_ = false;
  bool done_ = false;
};

}  // namespace gw::ollama
