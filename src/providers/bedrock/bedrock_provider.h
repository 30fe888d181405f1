// The AWS Bedrock Converse / ConverseStream adapter (type "bedrock"). It translates with the
// wire/bedrock codec and authenticates each request either with SigV4 (access_key_id,
// secret_access_key, optional session_token) or with a Bedrock API key (Authorization: Bearer).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "providers/bedrock/bedrock_endpoint.h"
#include "providers/bedrock/sigv4.h"
#include "spi/provider.h"
#include "spi/provider_settings.h"

namespace gw {

class BedrockProvider final : public Provider {
 public:
  // Reads region (required) and the credentials from settings.raw (secrets already resolved)
  // or settings.api_key. Errors (gateway_internal, code "invalid_provider_config"): no or a
  // malformed region; half a key pair; both a key pair and an API key; no credential at all
  // (unless the config loader flagged one as unresolvable: then encode() fails instead); a
  // base_url that is not http(s).
  static Result<std::unique_ptr<BedrockProvider>> create(const ProviderSettings& settings);

  std::string_view type() const override { return "bedrock"; }
  const Capabilities& capabilities() const override { return capabilities_; }

  // POST <prefix>/model/{model}/converse (or /converse-stream when streaming) with Content-Type
  // application/json, Accept application/json or application/vnd.amazon.eventstream, and either
  // Authorization: Bearer <api key> or SigV4 (service "bedrock", signed at ctx.now over every
  // header sent plus Host; X-Amz-Date, X-Amz-Content-Sha256, X-Amz-Security-Token). An
  // unresolvable credential → provider_auth, code "credential_unavailable".
  Result<UpstreamRequest> encode(const ChatRequest& request, std::string_view upstream_model,
                                 const EncodeContext& ctx) const override;
  Result<ChatResponse> decode_response(std::string_view body) const override;
  // Reads x-amzn-errortype and Retry-After through `headers`.
  Error decode_error(int status, const HeaderLookup& headers, std::string_view body) const override;
  std::unique_ptr<StreamDecoder> make_stream_decoder() const override;
  // https://bedrock-runtime.<region>.amazonaws.com
  std::string default_base_url() const override;

  const std::string& region() const { return region_; }
  const bedrock::BedrockEndpoint& endpoint() const { return endpoint_; }

 private:
  BedrockProvider() = default;

  ProviderSettings settings_;
  std::string region_;
  sigv4::Credentials credentials_;
  std::string api_key_;  // Bedrock API key; when set, no SigV4
  bedrock::BedrockEndpoint endpoint_;
  Capabilities capabilities_;
};

// Factory for the registry (registry.cc): registry.add("bedrock", make_bedrock_provider).
Result<std::unique_ptr<Provider>> make_bedrock_provider(const ProviderSettings& settings);

}  // namespace gw
