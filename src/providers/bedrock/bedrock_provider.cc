// BedrockProvider (see bedrock_provider.h): configuration checks, then encode = Converse body +
// SigV4 or Bearer auth; decoding is the wire/bedrock codec's.
#include "providers/bedrock/bedrock_provider.h"

#include <utility>

#include "wire/bedrock/bedrock_error.h"
#include "wire/bedrock/bedrock_request.h"
#include "wire/bedrock/bedrock_response.h"
#include "wire/bedrock/bedrock_stream_decoder.h"

namespace gw {
namespace {

// Bedrock runtime requests are signed for the service name "bedrock", not "bedrock-runtime".
constexpr std::string_view kSigningService = "bedrock";

Error config_error(const ProviderSettings& s, std::string why) {
  return Error::make(ErrorKind::gateway_internal,
                     "bedrock provider \"" + s.name + "\": " + std::move(why),
                     "invalid_provider_config");
}

// A string member of the provider's config; absent → empty; any other type → error.
Result<std::string> string_setting(const ProviderSettings& s, std::string_view key) {
  const boost::json::value* v = s.raw.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return config_error(s, std::string(key) + " must be a string");
  return std::string(v->get_string());
}

bool valid_region(std::string_view region) {
  if (region.empty()) return false;
  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Capabilities bedrock_capabilities() {
  Capabilities c;
  c.streaming = true;
  c.tool_calling = true;
  c.parallel_tool_calls = true;
  c.json_mode = false;  // Converse has no response_format
  c.json_schema = false;
  c.vision = true;
  c.system_prompt = true;
  c.usage_in_stream = true;  // the metadata event always carries usage
  c.tools = ToolRules{};     // toolSpec.name: [a-zA-Z0-9_-]{1,64}, inputSchema.json: JSON Schema
  return c;
}

}  // namespace

Result<std::unique_ptr<BedrockProvider>> BedrockProvider::create(const ProviderSettings& settings) {
  std::unique_ptr<BedrockProvider> p(new BedrockProvider());
  p->settings_ = settings;
  p->capabilities_ = bedrock_capabilities();

  Result<std::string> region = string_setting(settings, "region");
  if (!region) return std::move(region).error();
  if (region->empty()) return config_error(settings, "\"region\" is required (e.g. \"us-east-1\")");
  if (!valid_region(*region)) {
    return config_error(settings, "\"region\" \"" + *region + "\" is not an AWS region name");
  }
  p->region_ = std::move(region).value();

  Result<std::string> key_id = string_setting(settings, "access_key_id");
  if (!key_id) return std::move(key_id).error();
  Result<std::string> secret = string_setting(settings, "secret_access_key");
  if (!secret) return std::move(secret).error();
  Result<std::string> token = string_setting(settings, "session_token");
  if (!token) return std::move(token).error();
  p->credentials_ = {std::move(key_id).value(), std::move(secret).value(),
                     std::move(token).value()};
  p->api_key_ = settings.api_key;

  const bool has_id = !p->credentials_.access_key_id.empty();
  const bool has_secret = !p->credentials_.secret_access_key.empty();
  // An unresolvable secret was removed from raw by the config loader: what is left may be half a
  // pair, and requests fail with provider_auth until it resolves.
  if (!settings.credential_missing) {
    if (has_id != has_secret) {
      return config_error(settings, "access_key_id and secret_access_key go together");
    }
    if (has_id && !p->api_key_.empty()) {
      return config_error(settings,
                          "set either access_key_id/secret_access_key (SigV4) or api_key (a "
                          "Bedrock API key), not both");
    }
    if (!has_id && p->api_key_.empty()) {
      return config_error(settings,
                          "needs access_key_id and secret_access_key, or api_key (a Bedrock API "
                          "key)");
    }
  }

  const std::string base_url =
      settings.base_url.empty() ? bedrock::default_base_url(p->region_) : settings.base_url;
  Result<bedrock::BedrockEndpoint> endpoint = bedrock::parse_endpoint(base_url);
  if (!endpoint) return config_error(settings, endpoint.error().message);
  p->endpoint_ = std::move(endpoint).value();
  return p;
}

std::string BedrockProvider::default_base_url() const {
  return bedrock::default_base_url(region_);
}

Result<UpstreamRequest> BedrockProvider::encode(const ChatRequest& request,
                                                std::string_view upstream_model,
                                                const EncodeContext& ctx) const {
  if (settings_.credential_missing) {
    return Error::make(ErrorKind::provider_auth,
                       "provider \"" + settings_.name +
                           "\" has no usable credential: " + settings_.credential_problem,
                       "credential_unavailable");
  }
  Result<std::string> body = bedrock::encode_converse_request(request);
  if (!body) return std::move(body).error();

  UpstreamRequest out;
  out.method = "POST";
  out.path = bedrock::model_path(upstream_model, request.stream);
  out.stream = request.stream;
  out.body = std::move(body).value();
  out.headers.emplace_back("Content-Type", "application/json");
  out.headers.emplace_back(
      "Accept", request.stream ? "application/vnd.amazon.eventstream" : "application/json");
  if (!api_key_.empty()) {
    out.headers.emplace_back("Authorization", "Bearer " + api_key_);
    return out;
  }
  sigv4::RequestToSign to_sign;
  to_sign.method = out.method;
  to_sign.host = endpoint_.host_header;
  to_sign.wire_path = endpoint_.prefix + out.path;
  to_sign.headers = out.headers;
  to_sign.body = out.body;
  HeaderList auth =
      sigv4::sign_request(to_sign, credentials_, {region_, std::string(kSigningService)}, ctx.now);
  out.headers.insert(out.headers.end(), auth.begin(), auth.end());
  return out;
}

Result<ChatResponse> BedrockProvider::decode_response(std::string_view body) const {
  return bedrock::decode_converse_response(body);
}

Error BedrockProvider::decode_error(int status, const HeaderLookup& headers,
                                    std::string_view body) const {
  std::string_view errortype;
  std::string_view retry_after;
  if (headers) {
    errortype = headers("x-amzn-errortype");
    retry_after = headers("retry-after");
  }
  return bedrock::decode_upstream_error(status, errortype, retry_after, body);
}

std::unique_ptr<StreamDecoder> BedrockProvider::make_stream_decoder() const {
  return std::make_unique<bedrock::BedrockStreamDecoder>();
}

Result<std::unique_ptr<Provider>> make_bedrock_provider(const ProviderSettings& settings) {
  Result<std::unique_ptr<BedrockProvider>> p = BedrockProvider::create(settings);
  if (!p) return std::move(p).error();
  return std::unique_ptr<Provider>(std::move(p).value());
}

}  // namespace gw
