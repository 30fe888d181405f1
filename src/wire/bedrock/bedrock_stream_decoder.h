// StreamDecoder for Bedrock ConverseStream bodies (application/vnd.amazon.eventstream):
// EventStreamParser frames the bytes, each message is dispatched on its ":message-type" and
// ":event-type" headers. The stream must end with messageStop then metadata; one that stops
// before both was cut off, and the client must hear so.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/result.h"
#include "http/framing/eventstream_parser.h"
#include "spi/provider.h"

namespace gw::bedrock {

class BedrockStreamDecoder final : public StreamDecoder {
 public:
  // Events: messageStart → start (Bedrock names no id, model or time: they stay empty/0);
  // contentBlockStart with start.toolUse → tool_call_start (numbered 0, 1, … in order of
  // appearance); contentBlockDelta delta.text → text_delta, delta.toolUse.input →
  // tool_call_delta, delta.reasoningContent.text → reasoning_delta (signatures and redacted
  // reasoning have no canonical stream event and are dropped); messageStop → the finish reason,
  // emitted with usage when metadata arrives; unknown event types are skipped.
  // Errors: framing errors and payloads that are not JSON objects (provider_bad_response); an
  // exception message (":message-type" exception, ":exception-type" e.g. throttlingException)
  // or error message (":error-code") → the mapped Error (bedrock_error.h). Events of messages
  // before the failing one stay in `out`; after an error every call returns it.
  Status feed(std::string_view bytes, std::vector<StreamEvent>& out) override;
  // provider_stream_interrupted when messageStop or metadata never came.
  Status finish(std::vector<StreamEvent>& out) override;

  bool done() const { return done_; }

 private:
  Status drain(std::vector<StreamEvent>& out);
  Status handle(const EventStreamMessage& m, std::vector<StreamEvent>& out);
  Status event(std::string_view type, const boost::json::object& p, std::vector<StreamEvent>& out);
  Status content_delta(const boost::json::object& p, std::vector<StreamEvent>& out);
  Status fail(Error error);

  EventStreamParser parser_;
  std::vector<EventStreamMessage> messages_;
  std::map<std::int64_t, int> tools_;  // contentBlockIndex → canonical tool-call index
  FinishReason finish_ = FinishReason::unset;
  bool stopped_ = false;  // messageStop seen
  bool done_ = false;     // metadata seen after messageStop
  std::optional<Error> failed_;
};

}  // namespace gw::bedrock
