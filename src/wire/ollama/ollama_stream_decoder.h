// StreamDecoder for Ollama /api/chat NDJSON bodies: NdjsonParser frames the lines,
// OllamaChunkDecoder maps each one. The stream must end with its done:true line; a body that
// ends before it was cut off, and the client must hear so. It lives with the wire codec (not in
// providers/ollama) so the mock's Ollama dialect can check its own bytes with the very decoder
// the provider uses.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "http/framing/ndjson_parser.h"
#include "spi/provider.h"
#include "wire/ollama/ollama_chunk_decoder.h"

namespace gw::ollama {

class OllamaStreamDecoder final : public StreamDecoder {
 public:
  // Errors: a line over the NDJSON cap or one that is not a JSON object (provider_bad_response),
  // an {"error": …} line (the provider's error). Events decoded before the failing line in the
  // same feed stay in `out`. After an error the decoder keeps returning it.
  Status feed(std::string_view bytes, std::vector<StreamEvent>& out) override;
  // provider_stream_interrupted when the done:true line never came.
  Status finish(std::vector<StreamEvent>& out) override;

 private:
  Status drain(std::vector<StreamEvent>& out);
  Status fail(Error error);

  NdjsonParser ndjson_;
  OllamaChunkDecoder chunks_;
  std::vector<std::string> lines_;
  std::optional<Error> failed_;
};

}  // namespace gw::ollama
