// Provider type "ollama": Ollama's native POST /api/chat (NDJSON streams, tool-call arguments as
// objects, thinking, format). The translation lives in wire/ollama; this adapter adds the URL,
// the headers and the capabilities. (Ollama's OpenAI-compatible /v1 endpoint is served by
// "openai_compatible" with the ollama flavor instead.)
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "spi/provider.h"
#include "spi/provider_settings.h"

namespace gw {

class OllamaProvider final : public Provider {
 public:
  explicit OllamaProvider(ProviderSettings settings);

  std::string_view type() const override { return "ollama"; }
  const Capabilities& capabilities() const override { return capabilities_; }

  // POST <path()> with Content-Type: application/json, Accept: application/x-ndjson (streaming)
  // or application/json, and Authorization: Bearer <api_key> when a key is configured (Ollama
  // behind an authenticating proxy, or ollama.com). A key that could not be resolved fails with
  // provider_auth; a request Ollama cannot carry (image URLs, non-object tool arguments) fails
  // with provider_invalid_request before anything is sent.
  Result<UpstreamRequest> encode(const ChatRequest& request, std::string_view upstream_model,
                                 const EncodeContext& ctx) const override;
  Result<ChatResponse> decode_response(std::string_view body) const override;
  // Reads Retry-After through `headers`.
  Error decode_error(int status, const HeaderLookup& headers, std::string_view body) const override;
  std::unique_ptr<StreamDecoder> make_stream_decoder() const override;

  // "/api/chat", or "/chat" when the base URL already ends in "/api".
  const std::string& path() const { return path_; }

 private:
  ProviderSettings settings_;
  Capabilities capabilities_;
  std::string path_;
};

// Factory for the registry (registry.cc). base_url comes from the config and is required there
// (Ollama has no well-known remote address; locally it is usually http://localhost:11434), so
// default_base_url() stays empty and a provider without one is reported unavailable.
Result<std::unique_ptr<Provider>> make_ollama_provider(const ProviderSettings& settings);

}  // namespace gw
