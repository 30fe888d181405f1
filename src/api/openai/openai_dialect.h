// The OpenAI Chat Completions dialect for inbound clients (official `openai` SDKs), built on
// the shared OpenAI wire codec in wire/openai.
#pragma once

#include "spi/dialect.h"

namespace gw {

class OpenAIDialect final : public Dialect {
 public:
  std::string_view name() const override { return "openai"; }
  Result<ChatRequest> decode_request(std::string_view body,
                                     const IngressContext& context) const override;
  std::string encode_response(const ChatResponse& response, std::string_view model) const override;
  std::unique_ptr<StreamEncoder> make_stream_encoder(const StreamStart& start) const override;
  std::string encode_error(const Error& error) const override;
  std::string_view stream_content_type() const override {
    return "text/event-stream; charset=utf-8";
  }
};

}  // namespace gw
