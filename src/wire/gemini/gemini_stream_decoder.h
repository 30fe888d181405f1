// StreamDecoder for Gemini streamGenerateContent?alt=sse bodies: SseParser frames the records
// (Gemini separates them with CRLF CRLF), and every record is a complete GenerateContentResponse
// turned into canonical events here. Lives beside the wire codec so the mock provider's tests
// decode with exactly what the provider adapter uses.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/result.h"
#include "http/framing/sse_parser.h"
#include "model/chat.h"
#include "spi/provider.h"

namespace gw::gemini {

class GeminiStreamDecoder final : public StreamDecoder {
 public:
  // Events: the first record → start (id = responseId, name = modelVersion); text parts →
  // text_delta, thought parts → reasoning_delta; each functionCall → tool_call_start (index
  // 0, 1, … in order, id = the part's id or "call_<index>") + one tool_call_delta with the whole
  // args JSON; the record with a finishReason → finish (STOP with calls → tool_calls) and then
  // one usage event with the last usageMetadata seen (it is cumulative). Records after it carry
  // nothing new and are ignored.
  // Errors (returned, and returned again on every later call): an {"error": …} record (mapped by
  // decode_error_value), a blocked prompt (content_blocked), a record that is not a JSON object
  // (provider_bad_response), the SSE event cap.
  Status feed(std::string_view bytes, std::vector<StreamEvent>& out) override;
  // provider_stream_interrupted when no record had a finishReason.
  Status finish(std::vector<StreamEvent>& out) override;

 private:
  Status drain(std::vector<StreamEvent>& out);
  Status record(std::string_view data, std::vector<StreamEvent>& out);
  void content(const boost::json::object& response, std::vector<StreamEvent>& out);
  Status fail(Error error);

  SseParser sse_;
  std::vector<SseEvent> events_;
  std::optional<Error> failed_;
  Usage usage_;  // the last usageMetadata seen
  int calls_ = 0;
  bool started_ = false;
  bool finished_ = false;
};

}  // namespace gw::gemini
