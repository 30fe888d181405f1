// The Gemini Developer API adapter (generativelanguage.googleapis.com): generateContent and
// streamGenerateContent?alt=sse, the API key in x-goog-api-key. A thin layer over the wire codec
// in wire/gemini, which the gateway's Gemini ingress and the mock provider share.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "spi/provider.h"
#include "spi/provider_settings.h"

namespace gw {

class GeminiProvider final : public Provider {
 public:
  // `api_version` is the path segment ("v1beta", the version the SDKs use by default).
  GeminiProvider(ProviderSettings settings, std::string api_version);

  std::string_view type() const override { return "gemini"; }
  const Capabilities& capabilities() const override { return capabilities_; }

  // POST <base path>/<api_version>/models/<model>:generateContent, or
  // :streamGenerateContent?alt=sse when streaming; Content-Type: application/json, Accept, and
  // x-goog-api-key when a key is configured (never ?key=: URLs end up in logs). The model is
  // percent-encoded as one path segment; "models/…" and "tunedModels/…" names keep their
  // collection. A credential that could not be resolved fails here with provider_auth.
  Result<UpstreamRequest> encode(const ChatRequest& request, std::string_view upstream_model,
                                 const EncodeContext& ctx) const override;
  Result<ChatResponse> decode_response(std::string_view body) const override;
  // Reads Retry-After through `headers` (Gemini normally puts the delay in RetryInfo instead).
  Error decode_error(int status, const HeaderLookup& headers, std::string_view body) const override;
  std::unique_ptr<StreamDecoder> make_stream_decoder() const override;
  std::string default_base_url() const override;

  // The path for `upstream_model` without the method suffix, e.g.
  // "/v1beta/models/gemini-2.0-flash".
  std::string model_path(std::string_view upstream_model) const;

 private:
  ProviderSettings settings_;
  std::string api_version_;
  std::string version_prefix_;  // "/v1beta", or "" when the base URL already ends with it
  Capabilities capabilities_;
};

// Factory for the registry (registry.cc). Config: optional "api_version" (default "v1beta"; a
// lower-case path segment such as "v1" or "v1alpha"), anything else is a gateway_internal error.
Result<std::unique_ptr<Provider>> make_gemini_provider(const ProviderSettings& settings);

}  // namespace gw
