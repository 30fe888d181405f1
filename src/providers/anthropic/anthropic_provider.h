// The Anthropic Messages adapter (type "anthropic"): POST /v1/messages with x-api-key and
// anthropic-version headers, built on the wire codec in wire/anthropic.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "spi/provider.h"
#include "spi/provider_settings.h"
#include "wire/anthropic/anthropic_request.h"

namespace gw {

inline constexpr std::string_view kAnthropicDefaultVersion = "2023-06-01";

struct AnthropicOptions {
  std::string version = std::string(kAnthropicDefaultVersion);  // anthropic-version header
  anthropic::AnthropicEncodeOptions encode;
};

class AnthropicProvider final : public Provider {
 public:
  AnthropicProvider(ProviderSettings settings, AnthropicOptions options);

  std::string_view type() const override { return "anthropic"; }
  // Streaming, tools (parallel too), vision and system prompts; no JSON mode or structured
  // output in this API version (the router refuses or skips such requests); usage always
  // arrives in streams. Tool rules: JSON Schema, names ^[a-zA-Z0-9_-]{1,64}$.
  const Capabilities& capabilities() const override { return capabilities_; }

  // POST path() with x-api-key (when a key is configured), anthropic-version, content-type:
  // application/json and accept: text/event-stream (streaming) or application/json. A
  // credential that could not be resolved fails here with provider_auth (the message names the
  // problem, never the secret); tool arguments that are not a JSON object fail with
  // caller_invalid_request.
  Result<UpstreamRequest> encode(const ChatRequest& request, std::string_view upstream_model,
                                 const EncodeContext& ctx) const override;
  Result<ChatResponse> decode_response(std::string_view body) const override;
  // Reads retry-after-ms and retry-after through `headers`.
  Error decode_error(int status, const HeaderLookup& headers, std::string_view body) const override;
  std::unique_ptr<StreamDecoder> make_stream_decoder() const override;
  std::string default_base_url() const override { return "https://api.anthropic.com"; }

  // "/v1/messages", or "/messages" when the configured base URL already ends in "/v1".
  const std::string& path() const { return path_; }

 private:
  ProviderSettings settings_;
  AnthropicOptions options_;
  Capabilities capabilities_;
  std::string path_;
};

// Factory for the registry. Optional config fields: "anthropic_version" (a non-empty string,
// default "2023-06-01") and "max_tokens_default" (an integer ≥ 1, default 4096: Anthropic
// requires max_tokens and this is sent when the client gave none). A field of the wrong type is
// a gateway_internal error naming it.
Result<std::unique_ptr<Provider>> make_anthropic_provider(const ProviderSettings& settings);

}  // namespace gw
