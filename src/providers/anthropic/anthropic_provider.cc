// The Anthropic Messages adapter (see anthropic_provider.h).
#include "providers/anthropic/anthropic_provider.h"

#include <utility>

#include "wire/anthropic/anthropic_error.h"
#include "wire/anthropic/anthropic_response.h"
#include "wire/anthropic/anthropic_stream_decoder.h"
#include "wire/json_read.h"

namespace gw {
namespace {

constexpr std::string_view kMessagesPath = "/v1/messages";

// ".../v1" as a base URL must not become ".../v1/v1/messages".
std::string messages_path(std::string_view base_url) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  std::string_view path = kMessagesPath;
  if (base_url.ends_with("/v1")) path.remove_prefix(3);
  return std::string(path);
}

Capabilities anthropic_capabilities() {
  Capabilities c;
  c.streaming = true;
  c.tool_calling = true;
  c.parallel_tool_calls = true;
  c.json_mode = false;
  c.json_schema = false;
  c.vision = true;
  c.system_prompt = true;
  c.usage_in_stream = true;
  c.tools = ToolRules{};  // JSON Schema, 64 characters, letters, digits, '_' and '-'
  return c;
}

Error config_error(const ProviderSettings& s, std::string_view field, std::string_view problem) {
  return Error::make(
      ErrorKind::gateway_internal,
      "provider \"" + s.name + "\": " + std::string(field) + " " + std::string(problem));
}

}  // namespace

AnthropicProvider::AnthropicProvider(ProviderSettings settings, AnthropicOptions options)
    : settings_(std::move(settings)),
      options_(std::move(options)),
      capabilities_(anthropic_capabilities()),
      path_(messages_path(settings_.base_url.empty() ? default_base_url() : settings_.base_url)) {}

Result<UpstreamRequest> AnthropicProvider::encode(const ChatRequest& request,
                                                  std::string_view upstream_model,
                                                  const EncodeContext& /*ctx*/) const {
  if (settings_.credential_missing) {
    return Error::make(ErrorKind::provider_auth,
                       "provider \"" + settings_.name +
                           "\" has no usable credential: " + settings_.credential_problem,
                       "credential_unavailable");
  }
  Result<std::string> body =
      anthropic::encode_messages_request(request, upstream_model, options_.encode);
  if (!body) return std::move(body).error();
  UpstreamRequest out;
  out.method = "POST";
  out.path = path_;
  out.stream = request.stream;
  out.headers.emplace_back("content-type", "application/json");
  out.headers.emplace_back("accept", request.stream ? "text/event-stream" : "application/json");
  out.headers.emplace_back("anthropic-version", options_.version);
  if (!settings_.api_key.empty()) out.headers.emplace_back("x-api-key", settings_.api_key);
  out.body = std::move(body).value();
  return out;
}

Result<ChatResponse> AnthropicProvider::decode_response(std::string_view body) const {
  return anthropic::decode_messages_response(body);
}

Error AnthropicProvider::decode_error(int status, const HeaderLookup& headers,
                                      std::string_view body) const {
  std::string_view retry_after;
  std::string_view retry_after_ms;
  if (headers) {
    retry_after = headers("retry-after");
    retry_after_ms = headers("retry-after-ms");
  }
  return anthropic::decode_upstream_error(status, retry_after, retry_after_ms, body);
}

std::unique_ptr<StreamDecoder> AnthropicProvider::make_stream_decoder() const {
  return std::make_unique<anthropic::AnthropicStreamDecoder>();
}

Result<std::unique_ptr<Provider>> make_anthropic_provider(const ProviderSettings& settings) {
  AnthropicOptions options;
  if (const boost::json::value* v = json_field(settings.raw, "anthropic_version")) {
    if (!v->is_string() || v->get_string().empty()) {
      return config_error(settings, "anthropic_version", "must be a non-empty string");
    }
    options.version = std::string(v->get_string());
  }
  if (const boost::json::value* v = json_field(settings.raw, "max_tokens_default")) {
    std::optional<std::int64_t> n = v->is_number() ? json_to_int64(*v) : std::nullopt;
    if (!n || *n < 1) {
      return config_error(settings, "max_tokens_default", "must be an integer of at least 1");
    }
    options.encode.default_max_tokens = *n;
  }
  return std::unique_ptr<Provider>(
      std::make_unique<AnthropicProvider>(settings, std::move(options)));
}

}  // namespace gw
