// The Gemini ingress dialect (see gemini_dialect.h): a thin wrapper over wire/gemini.
#include "api/gemini/gemini_dialect.h"

#include "wire/gemini/gemini_error.h"
#include "wire/gemini/gemini_request.h"
#include "wire/gemini/gemini_response.h"
#include "wire/gemini/gemini_stream_encoder.h"

namespace gw {

Result<ChatRequest> GeminiDialect::decode_request(std::string_view body,
                                                  const IngressContext& context) const {
  return gemini::decode_generate_request(body, context);
}

std::string GeminiDialect::encode_response(const ChatResponse& response,
                                           std::string_view model) const {
  return gemini::encode_generate_response(response, model);
}

std::unique_ptr<StreamEncoder> GeminiDialect::make_stream_encoder(const StreamStart& start) const {
  return std::make_unique<gemini::GeminiStreamEncoder>(start);
}

std::string GeminiDialect::encode_error(const Error& error) const {
  return gemini::encode_error_envelope(error);
}

}  // namespace gw
