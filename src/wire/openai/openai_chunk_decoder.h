// Turns the data of one OpenAI-format SSE event (a chat.completion.chunk, an in-band error or
// "[DONE]") into canonical StreamEvents. Shared by the openai, openai_compatible (vLLM, Ollama
// /v1) and mock adapters; the SSE framing itself is SseParser's job.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "model/chat.h"

namespace gw::openai {

namespace detail {
struct ChunkFields;
struct ToolCallFields;
class ChunkSaxReader;
}  // namespace detail

class OpenAIChunkDecoder {
 public:
  OpenAIChunkDecoder();
  ~OpenAIChunkDecoder();
  OpenAIChunkDecoder(const OpenAIChunkDecoder&) = delete;
  OpenAIChunkDecoder& operator=(const OpenAIChunkDecoder&) = delete;

  // Appends the events of one chunk to `out`:
  //   first chunk → start (id, model, created); delta.reasoning_content / delta.reasoning →
  //   reasoning_delta; delta.content (and refusal) → text_delta; a tool call's first delta (id or
  //   name) → tool_call_start, numbered in order of first appearance whatever the provider's
  //   index; non-empty arguments fragments → tool_call_delta; finish_reason → finish; a non-null
  //   usage → usage. Only choice 0 is read (n > 1 is not streamed through the gateway).
  // "[DONE]" sets done(); data after it is ignored. An {"error": …} chunk returns the provider's
  // error (see decode_upstream_error_value); data that is not a JSON object returns
  // provider_bad_response.
  Status decode(std::string_view data, std::vector<StreamEvent>& out);

  bool done() const { return done_; }
  bool started() const { return started_; }

 private:
  struct ToolSlot {
    std::int64_t provider_index;  // -1 when the server sent none
    std::string id;
  };

  void emit(const detail::ChunkFields& fields, std::vector<StreamEvent>& out);
  void emit_tool_call(const detail::ToolCallFields& call, std::vector<StreamEvent>& out);

  // Chunks are read by a SAX pass into reusable buffers (no DOM on the hot path); the few shapes
  // it does not take (error objects, non-string arguments) go through a DOM reader.
  std::unique_ptr<detail::ChunkSaxReader> reader_;
  std::unique_ptr<detail::ChunkFields> fields_;
  std::vector<ToolSlot> tools_;  // position = canonical index
  std::string detail_;
  bool started_ = false;
  bool done_ = false;
};

}  // namespace gw::openai
