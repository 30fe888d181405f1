// StreamDecoder for Anthropic Messages SSE bodies: SseParser frames the bytes; each event's JSON
// (message_start, content_block_start/delta/stop, message_delta, message_stop, ping, error)
// becomes canonical events. Shared by the anthropic provider adapter and the tests of the mock's
// Anthropic dialect. The stream must end with message_stop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/result.h"
#include "http/framing/sse_parser.h"
#include "spi/provider.h"
#include "wire/anthropic/anthropic_fields.h"

namespace gw::anthropic {

class AnthropicStreamDecoder final : public StreamDecoder {
 public:
  AnthropicStreamDecoder() = default;

  // Events: message_start → start (id, name = model; created 0, the API sends none);
  // text_delta → text_delta; thinking_delta → reasoning_delta; a tool_use block start →
  // tool_call_start numbered 0, 1, … in order of appearance; non-empty
  // input_json_delta.partial_json → tool_call_delta (a tool_use start carrying a non-empty input
  // and no deltas gets that input as one delta at its block stop); message_stop → finish (the
  // last message_delta's stop_reason) then usage. Usage: message_start.message.usage, updated by
  // each message_delta.usage (cumulative), reported only when the stream carried one. ping,
  // signature_delta and event types added later are skipped.
  // Errors: `event: error` → the provider's error (overloaded_error → provider_overloaded, …);
  // data that is not JSON → provider_bad_response; the SSE event cap → provider_bad_response.
  // Events decoded before the error in the same feed stay in `out`; after an error the decoder
  // keeps returning it. Data after message_stop is ignored.
  Status feed(std::string_view bytes, std::vector<StreamEvent>& out) override;
  // provider_stream_interrupted "stream ended before message_stop" when the terminal record is
  // missing.
  Status finish(std::vector<StreamEvent>& out) override;

 private:
  struct Block {
    std::int64_t wire_index = 0;
    int tool_index = -1;  // canonical tool-call number, -1 for other blocks
    bool got_delta = false;
    std::string start_input;  // a non-empty input object sent with content_block_start
  };

  Status drain(std::vector<StreamEvent>& out);
  Status handle(const SseEvent& event, std::vector<StreamEvent>& out);
  Status fail(Error error);
  void message_start(const boost::json::object& data, std::vector<StreamEvent>& out);
  void block_start(const boost::json::object& data, std::vector<StreamEvent>& out);
  void block_delta(const boost::json::object& data, std::vector<StreamEvent>& out);
  void block_stop(const boost::json::object& data, std::vector<StreamEvent>& out);
  void message_delta(const boost::json::object& data);
  void message_stop(std::vector<StreamEvent>& out);
  Block* find_block(const boost::json::object& data);

  SseParser sse_;
  std::vector<SseEvent> events_;
  std::optional<Error> failed_;
  std::vector<Block> blocks_;
  int next_tool_ = 0;
  WireUsage usage_;
  bool usage_seen_ = false;
  FinishReason finish_ = FinishReason::unset;
  bool done_ = false;
  // Scratch memory for parsing one event's JSON without heap allocations in the common case.
  alignas(std::max_align_t) unsigned char parse_buffer_[4096];
};

}  // namespace gw::anthropic
