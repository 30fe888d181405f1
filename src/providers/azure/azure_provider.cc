// AzureOpenAIProvider (see azure_provider.h).
#include "providers/azure/azure_provider.h"

#include <utility>

namespace gw {
namespace {

constexpr std::string_view kV1 = "v1";
constexpr std::string_view kFirstModernVersion = "2024-09-01";  // max_completion_tokens onwards

bool modern_version(std::string_view api_version) {
  // Dated versions ("2024-10-21", "2025-04-01-preview") compare correctly as text.
  return api_version == kV1 || api_version >= kFirstModernVersion;
}

OpenAIDialectOptions openai_options(const AzureOptions& azure) {
  OpenAIDialectOptions o;
  o.type = "azure_openai";
  o.bearer_auth = false;  // Azure's key goes in api-key (encode adds it)
  if (modern_version(azure.api_version)) {
    o.encode.max_tokens_field = "max_completion_tokens";  // o-series deployments reject max_tokens
  } else {
    o.encode.max_tokens_field = "max_tokens";
    o.encode.stream_usage = false;
    o.capabilities.usage_in_stream = false;
  }
  return o;
}

// RFC 3986 unreserved characters stay, every other byte is %XX.
std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

// "https://res.openai.azure.com/openai/" → "/openai".
std::string url_path(std::string_view base_url) {
  const std::size_t scheme = base_url.find("://");
  const std::size_t slash = base_url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (slash == std::string_view::npos) return {};
  std::string_view path = base_url.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

Result<std::string> raw_string(const ProviderSettings& settings, std::string_view key) {
  const boost::json::value* v = settings.raw.if_contains(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) {
    return Error::make(
        ErrorKind::gateway_internal,
        "provider \"" + settings.name + "\": " + std::string(key) + " must be a string",
        "invalid_provider_config");
  }
  return std::string(v->get_string());
}

}  // namespace

AzureOpenAIProvider::AzureOpenAIProvider(ProviderSettings settings, AzureOptions options)
    : settings_(std::move(settings)),
      options_(std::move(options)),
      base_path_(url_path(settings_.base_url)),
      openai_(settings_, openai_options(options_)) {}

std::string AzureOpenAIProvider::path_for(std::string_view upstream_model) const {
  std::string path;
  if (options_.api_version == kV1) {
    path = "/openai/v1/chat/completions";
  } else {
    const std::string_view deployment =
        options_.deployment.empty() ? upstream_model : std::string_view(options_.deployment);
    path = "/openai/deployments/" + percent_encode(deployment) +
           "/chat/completions?api-version=" + percent_encode(options_.api_version);
  }
  if (!base_path_.empty() && path.starts_with(base_path_ + "/")) path.erase(0, base_path_.size());
  return path;
}

Result<UpstreamRequest> AzureOpenAIProvider::encode(const ChatRequest& request,
                                                    std::string_view upstream_model,
                                                    const EncodeContext& ctx) const {
  if (settings_.credential_missing) {
    return Error::make(ErrorKind::provider_auth,
                       "provider \"" + settings_.name +
                           "\" has no usable credential: " + settings_.credential_problem,
                       "credential_unavailable");
  }
  // On the v1 surface the body's model names the deployment; on deployment paths Azure ignores it.
  const std::string_view body_model = options_.api_version == kV1 && !options_.deployment.empty()
                                          ? std::string_view(options_.deployment)
                                          : upstream_model;
  Result<UpstreamRequest> out = openai_.encode(request, body_model, ctx);
  if (!out) return out;
  out->path = path_for(upstream_model);
  if (!settings_.api_key.empty()) out->headers.emplace_back("api-key", settings_.api_key);
  return out;
}

Result<ChatResponse> AzureOpenAIProvider::decode_response(std::string_view body) const {
  return openai_.decode_response(body);
}

Error AzureOpenAIProvider::decode_error(int status, const HeaderLookup& headers,
                                        std::string_view body) const {
  return openai_.decode_error(status, headers, body);
}

std::unique_ptr<StreamDecoder> AzureOpenAIProvider::make_stream_decoder() const {
  return openai_.make_stream_decoder();
}

Result<std::unique_ptr<Provider>> make_azure_openai_provider(const ProviderSettings& settings) {
  AzureOptions options;
  Result<std::string> api_version = raw_string(settings, "api_version");
  if (!api_version) return std::move(api_version).error();
  if (!api_version->empty()) options.api_version = std::move(api_version).value();
  Result<std::string> deployment = raw_string(settings, "deployment");
  if (!deployment) return std::move(deployment).error();
  options.deployment = std::move(deployment).value();
  return std::unique_ptr<Provider>(
      std::make_unique<AzureOpenAIProvider>(settings, std::move(options)));
}

}  // namespace gw
