// The Anthropic Messages dialect for inbound clients (official @anthropic-ai/sdk and anthropic
// Python SDK, POST /v1/messages), built on the shared Anthropic wire codec in wire/anthropic.
#pragma once

#include "spi/dialect.h"

namespace gw {

class AnthropicDialect final : public Dialect {
 public:
  std::string_view name() const override { return "anthropic"; }
  // The context is not used: everything Anthropic needs is in the body.
  Result<ChatRequest> decode_request(std::string_view body,
                                     const IngressContext& context) const override;
  std::string encode_response(const ChatResponse& response, std::string_view model) const override;
  // Anthropic streams always carry usage, so StreamStart::include_usage is not consulted.
  std::unique_ptr<StreamEncoder> make_stream_encoder(const StreamStart& start) const override;
  std::string encode_error(const Error& error) const override;
  std::string_view stream_content_type() const override {
    return "text/event-stream; charset=utf-8";
  }
};

}  // namespace gw
