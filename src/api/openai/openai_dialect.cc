#include "api/openai/openai_dialect.h"

#include "wire/openai/openai_chunk_encoder.h"
#include "wire/openai/openai_error.h"
#include "wire/openai/openai_request.h"
#include "wire/openai/openai_response.h"

namespace gw {
namespace {

class OpenAIStreamEncoder final : public StreamEncoder {
 public:
  explicit OpenAIStreamEncoder(const StreamStart& s)
      : encoder_(s.id, s.model, s.created, s.include_usage) {}
  void event(const StreamEvent& e, std::string& out) override { encoder_.append(e, out); }
  void error(const Error& e, std::string& out) override { encoder_.error(e, out); }
  void end(std::string& out) override { encoder_.done(out); }

 private:
  openai::OpenAIChunkEncoder encoder_;
};

}  // namespace

Result<ChatRequest> OpenAIDialect::decode_request(std::string_view body,
                                                  const IngressContext& /*context*/) const {
  return openai::decode_chat_request(body);
}

std::string OpenAIDialect::encode_response(const ChatResponse& response,
                                           std::string_view model) const {
  return openai::encode_chat_response(response, model);
}

std::unique_ptr<StreamEncoder> OpenAIDialect::make_stream_encoder(const StreamStart& start) const {
  return std::make_unique<OpenAIStreamEncoder>(start);
}

std::string OpenAIDialect::encode_error(const Error& error) const {
  return openai::encode_error_envelope(error);
}

}  // namespace gw
