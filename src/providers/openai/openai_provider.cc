#include "providers/openai/openai_provider.h"

#include <utility>

#include "providers/openai/openai_stream_decoder.h"
#include "wire/openai/openai_error.h"
#include "wire/openai/openai_response.h"

namespace gw {
namespace {

std::string join_path(std::string_view base_url, std::string_view chat_path) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  if (base_url.ends_with("/v1") && chat_path.starts_with("/v1/")) chat_path.remove_prefix(3);
  return std::string(chat_path);
}

}  // namespace

OpenAIProvider::OpenAIProvider(ProviderSettings settings, OpenAIDialectOptions options)
    : settings_(std::move(settings)), options_(std::move(options)) {
  base_url_ = settings_.base_url.empty() ? options_.default_base_url : settings_.base_url;
  path_ = join_path(base_url_, options_.chat_path);
}

Result<UpstreamRequest> OpenAIProvider::encode(const ChatRequest& request,
                                               std::string_view upstream_model,
                                               const EncodeContext& /*ctx*/) const {
  if (options_.bearer_auth && settings_.credential_missing) {
    Error e = Error::make(ErrorKind::provider_auth,
                          "provider \"" + settings_.name +
                              "\" has no usable credential: " + settings_.credential_problem,
                          "credential_unavailable");
    return e;
  }
  UpstreamRequest out;
  out.method = "POST";
  out.path = path_;
  out.stream = request.stream;
  out.headers.emplace_back("Content-Type", "application/json");
  out.headers.emplace_back("Accept", request.stream ? "text/event-stream" : "application/json");
  if (options_.bearer_auth && !settings_.api_key.empty()) {
    out.headers.emplace_back("Authorization", "Bearer " + settings_.api_key);
  }
  out.body = openai::encode_chat_request(request, upstream_model, options_.encode);
  return out;
}

Result<ChatResponse> OpenAIProvider::decode_response(std::string_view body) const {
  return openai::decode_chat_response(body);
}

Error OpenAIProvider::decode_error(int status, const HeaderLookup& headers,
                                   std::string_view body) const {
  std::string_view retry_after;
  std::string_view retry_after_ms;
  if (headers) {
    retry_after = headers("retry-after");
    retry_after_ms = headers("retry-after-ms");
  }
  return openai::decode_upstream_error(status, retry_after, retry_after_ms, body);
}

std::unique_ptr<StreamDecoder> OpenAIProvider::make_stream_decoder() const {
  return std::make_unique<OpenAIStreamDecoder>();
}

Result<std::unique_ptr<Provider>> make_openai_provider(const ProviderSettings& settings) {
  OpenAIDialectOptions options;
  options.type = "openai";
  options.default_base_url = "https://api.openai.com";
  // Current OpenAI models (o-series, gpt-5) reject max_tokens; max_completion_tokens works for all.
  options.encode.max_tokens_field = "max_completion_tokens";
  return std::unique_ptr<Provider>(std::make_unique<OpenAIProvider>(settings, std::move(options)));
}

Result<std::unique_ptr<Provider>> make_mock_provider(const ProviderSettings& settings) {
  OpenAIDialectOptions options;
  options.type = "mock";
  options.bearer_auth = false;
  return std::unique_ptr<Provider>(std::make_unique<OpenAIProvider>(settings, std::move(options)));
}

}  // namespace gw
