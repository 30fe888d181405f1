// Canonical StreamEvents → Ollama /api/chat NDJSON lines, the way Ollama streams them (used by the
// mock's Ollama dialect). Ollama sends each tool call whole, arguments as an object, so calls are
// held until they are complete: until the next call starts or any other event arrives.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/chat.h"
#include "spi/dialect.h"

namespace gw::ollama {

class OllamaChunkEncoder final : public StreamEncoder {
 public:
  OllamaChunkEncoder(std::string_view model, std::int64_t created);

  // One line per text_delta / reasoning_delta ({"model","created_at","message":{"role":
  // "assistant","content"|"thinking"},"done":false}); completed tool calls as one line with
  // message.tool_calls; start, finish and usage write nothing themselves (finish and usage go
  // into the done line). Empty deltas write nothing. Deltas are expected to follow their call's
  // start before the next call starts, as every provider the gateway decodes sends them.
  void event(const StreamEvent& e, std::string& out) override;
  // {"error":"<message>"}: how Ollama reports a failure inside a 200 stream.
  void error(const Error& e, std::string& out) override;
  // The done:true line: done_reason from the finish event ("stop" when there was none) and
  // prompt_eval_count / eval_count when a usage event came.
  void end(std::string& out) override;

 private:
  struct PendingCall {
    int index;
    std::string name;
    std::string arguments;
  };

  void open_line(std::string& out) const;  // {"model":…,"created_at":…,"message":{"role":…
  void flush_calls(std::string& out);

  std::string head_;  // {"model":"…","created_at":"…",
  std::vector<PendingCall> pending_;
  FinishReason finish_ = FinishReason::unset;
  Usage usage_;
};

}  // namespace gw::ollama
