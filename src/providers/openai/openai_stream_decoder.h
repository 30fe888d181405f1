// StreamDecoder for OpenAI-format SSE bodies: SseParser frames the bytes, OpenAIChunkDecoder
// turns each event's data into canonical events. The stream must end with "data: [DONE]"; an
// upstream that closes before it was cut off, and the client must hear so.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "http/framing/sse_parser.h"
#include "spi/provider.h"
#include "wire/openai/openai_chunk_decoder.h"

namespace gw {

class OpenAIStreamDecoder final : public StreamDecoder {
 public:
  OpenAIStreamDecoder() = default;

  // Errors: the SSE event cap (provider_bad_response), a chunk that is not JSON
  // (provider_bad_response), an in-band {"error": …} chunk or an `event: error` record (the
  // provider's error, mapped by the OpenAI error parser). After an error the decoder keeps
  // returning it.
  Status feed(std::string_view bytes, std::vector<StreamEvent>& out) override;
  // provider_stream_interrupted "stream ended before [DONE]" when the terminal record is missing.
  Status finish(std::vector<StreamEvent>& out) override;

 private:
  Status drain(std::vector<StreamEvent>& out);
  Status fail(Error error);

  SseParser sse_;
  openai::OpenAIChunkDecoder chunks_;
  std::vector<SseEvent> events_;
  std::optional<Error> failed_;
};

}  // namespace gw
