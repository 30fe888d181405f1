// Provider type "azure_openai": Azure OpenAI speaks the OpenAI Chat Completions wire format at a
// per-deployment URL with an `api-key` header, so this adapter is OpenAIProvider (body, response,
// stream and error codecs unchanged) with Azure's URL and authentication around it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "providers/openai/openai_provider.h"
#include "spi/provider.h"
#include "spi/provider_settings.h"

namespace gw {

// The Azure fields of a provider's config object (settings.raw).
struct AzureOptions {
  std::string api_version = "2024-10-21";  // "v1": the v1 GA surface, model in the body
  std::string deployment;                  // empty: the route's model name is the deployment name
};

class AzureOpenAIProvider final : public Provider {
 public:
  AzureOpenAIProvider(ProviderSettings settings, AzureOptions options);

  std::string_view type() const override { return "azure_openai"; }
  const Capabilities& capabilities() const override { return openai_.capabilities(); }

  // POST /openai/deployments/{deployment}/chat/completions?api-version={api_version} (the
  // deployment and version percent-encoded), or /openai/v1/chat/completions for api_version
  // "v1" with the deployment (else the route's model) as the body's model. A base_url that
  // already ends in the path's leading part ("…/openai") is not repeated. Headers as OpenAI's
  // except authentication: `api-key: <key>`, never Authorization. An unresolved key fails with
  // provider_auth.
  Result<UpstreamRequest> encode(const ChatRequest& request, std::string_view upstream_model,
                                 const EncodeContext& ctx) const override;
  Result<ChatResponse> decode_response(std::string_view body) const override;
  // The OpenAI error codec: Azure's {"error":{"code","message",…,"innererror"}} reads the same
  // (content_filter → provider_invalid_request, code "content_filter").
  Error decode_error(int status, const HeaderLookup& headers, std::string_view body) const override;
  std::unique_ptr<StreamDecoder> make_stream_decoder() const override;

  // The path encode() uses for a route's model.
  std::string path_for(std::string_view upstream_model) const;

 private:
  ProviderSettings settings_;
  AzureOptions options_;
  std::string base_path_;  // the base URL's own path, without a trailing '/'
  OpenAIProvider openai_;
};

// Factory for the registry (registry.cc). Reads settings.raw api_version and deployment
// (strings; anything else fails with gateway_internal, code "invalid_provider_config").
// API versions before 2024-09-01 predate max_completion_tokens and stream_options, so for them
// the body carries max_tokens and no stream_options (and usage_in_stream is off).
Result<std::unique_ptr<Provider>> make_azure_openai_provider(const ProviderSettings& settings);

}  // namespace gw
