// The Gemini generateContent dialect for inbound clients (official @google/genai SDKs), built on
// the shared Gemini wire codec in wire/gemini. The model and the streaming choice come from the
// URL (IngressContext), not the body.
#pragma once

#include "spi/dialect.h"

namespace gw {

class GeminiDialect final : public Dialect {
 public:
  std::string_view name() const override { return "gemini"; }
  Result<ChatRequest> decode_request(std::string_view body,
                                     const IngressContext& context) const override;
  std::string encode_response(const ChatResponse& response, std::string_view model) const override;
  std::unique_ptr<StreamEncoder> make_stream_encoder(const StreamStart& start) const override;
  std::string encode_error(const Error& error) const override;
  std::string_view stream_content_type() const override { return "text/event-stream"; }
};

}  // namespace gw
