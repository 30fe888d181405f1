// The OpenAI Chat Completions adapter. One implementation serves every server that speaks the
// OpenAI wire format: type "openai" (api.openai.com), "mock" (the gateway's built-in mock
// provider) and "openai_compatible" (vLLM, Ollama /v1, … described by data files), which differ
// only in the OpenAIDialectOptions they are built with.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "spi/provider.h"
#include "spi/provider_settings.h"
#include "wire/openai/openai_request.h"

namespace gw {

struct OpenAIDialectOptions {
  std::string type = "openai";  // what type() reports
  std::string chat_path = "/v1/chat/completions";
  bool bearer_auth = true;       // send Authorization: Bearer <api_key> when a key is configured
  std::string default_base_url;  // used when the settings leave base_url empty
  openai::OpenAIEncodeOptions encode;
  Capabilities capabilities;
};

class OpenAIProvider final : public Provider {
 public:
  OpenAIProvider(ProviderSettings settings, OpenAIDialectOptions options);

  std::string_view type() const override { return options_.type; }
  const Capabilities& capabilities() const override { return options_.capabilities; }

  // POST <path()> with Content-Type: application/json, Accept: text/event-stream (streaming) or
  // application/json, Authorization: Bearer <api_key> when bearer auth is on and a key is set,
  // and X-Request-ID when the context has one. A credential that could not be resolved fails
  // here with provider_auth (the message names the problem, never the secret).
  Result<UpstreamRequest> encode(const ChatRequest& request, std::string_view upstream_model,
                                 const EncodeContext& ctx) const override;
  Result<ChatResponse> decode_response(std::string_view body) const override;
  // Reads retry-after-ms and Retry-After through `headers`.
  Error decode_error(int status, const HeaderLookup& headers, std::string_view body) const override;
  std::unique_ptr<StreamDecoder> make_stream_decoder() const override;

  // The effective base URL: the configured one, else the dialect's default.
  const std::string& base_url() const { return base_url_; }
  // The path appended to base_url(). base_url is an origin plus an optional path prefix and the
  // dialect's chat path ("/v1/chat/completions") is appended to it — except that when base_url
  // already ends in "/v1" (as OpenAI SDK users habitually write it) the chat path's own leading
  // "/v1" is dropped, so ".../v1" never becomes ".../v1/v1/chat/completions".
  const std::string& path() const { return path_; }

 private:
  ProviderSettings settings_;
  OpenAIDialectOptions options_;
  std::string base_url_;
  std::string path_;
};

// Factories for the registry (registry.cc).
Result<std::unique_ptr<Provider>> make_openai_provider(const ProviderSettings& settings);
// The gateway's built-in mock provider speaks the OpenAI wire format and needs no key.
Result<std::unique_ptr<Provider>> make_mock_provider(const ProviderSettings& settings);

}  // namespace gw
