// AnthropicDialect: a thin wrapper over wire/anthropic (see anthropic_dialect.h).
#include "api/anthropic/anthropic_dialect.h"

#include "wire/anthropic/anthropic_error.h"
#include "wire/anthropic/anthropic_request.h"
#include "wire/anthropic/anthropic_response.h"
#include "wire/anthropic/anthropic_stream_encoder.h"

namespace gw {

Result<ChatRequest> AnthropicDialect::decode_request(std::string_view body,
                                                     const IngressContext& /*context*/) const {
  return anthropic::decode_messages_request(body);
}

std::string AnthropicDialect::encode_response(const ChatResponse& response,
                                              std::string_view model) const {
  return anthropic::encode_messages_response(response, model);
}

std::unique_ptr<StreamEncoder> AnthropicDialect::make_stream_encoder(
    const StreamStart& start) const {
  return std::make_unique<anthropic::AnthropicStreamEncoder>(start);
}

std::string AnthropicDialect::encode_error(const Error& error) const {
  return anthropic::encode_error_envelope(error);
}

}  // namespace gw
