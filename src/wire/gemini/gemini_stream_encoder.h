// Canonical StreamEvents → the streamGenerateContent?alt=sse stream the @google/genai SDKs read:
// `data: {GenerateContentResponse}\r\n\r\n` records, as the Gemini API frames them. Runs once per
// streamed event, so it writes JSON by hand into the caller's buffer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "model/chat.h"
#include "spi/dialect.h"

namespace gw::gemini {

class GeminiStreamEncoder final : public StreamEncoder {
 public:
  // Every record ends with "modelVersion": start.model and "responseId": start.id.
  explicit GeminiStreamEncoder(const StreamStart& start);

  // text_delta / reasoning_delta → one record whose candidate holds that part ({"text"} or
  // {"text","thought":true}); a tool call is held until it is complete (the next event that is
  // not one of its argument fragments, or the end) and then sent as one record with a
  // functionCall {name, args} part; finish and usage are kept for end(). start writes nothing, nor
  // do empty deltas.
  void event(const StreamEvent& e, std::string& out) override;
  // `data: {"error":{"code","message","status"}}` — how the SDKs learn of a failure mid-stream.
  void error(const Error& e, std::string& out) override;
  // The last record: the held tool call (or an empty text part), finishReason and usageMetadata.
  // A call whose arguments never formed a JSON object is dropped and the finish reason becomes
  // MALFORMED_FUNCTION_CALL, as Gemini reports such calls.
  void end(std::string& out) override;

 private:
  struct HeldCall {
    std::string name;
    std::string arguments;
  };

  void flush_call(std::string& out);
  void open_record(std::string& out) const;  // data: {"candidates":[{"content":{"parts":[
  void close_record(std::string& out, std::string_view finish_reason) const;

  std::string tail_;  // ,"modelVersion":…,"responseId":…}\r\n\r\n
  std::optional<HeldCall> call_;
  FinishReason finish_ = FinishReason::unset;
  Usage usage_;
  bool malformed_call_ = false;
};

}  // namespace gw::gemini
