// The Gemini adapter (see gemini_provider.h).
#include "providers/gemini/gemini_provider.h"

#include <utility>

#include "wire/gemini/gemini_error.h"
#include "wire/gemini/gemini_request.h"
#include "wire/gemini/gemini_response.h"
#include "wire/gemini/gemini_stream_decoder.h"

namespace gw {
namespace {

constexpr std::string_view kDefaultBaseUrl = "https://generativelanguage.googleapis.com";
constexpr std::string_view kDefaultApiVersion = "v1beta";

// RFC 3986 unreserved characters stay; everything else (a '/' or ':' in a model name too) is
// percent-encoded, so the name stays one path segment.
std::string encode_segment(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

bool valid_api_version(std::string_view v) {
  if (v.empty() || v.size() > 32) return false;
  for (char c : v) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Capabilities gemini_capabilities() {
  Capabilities c;  // every feature the canonical model has: all true
  c.tools.schema = ToolRules::Schema::openapi_subset;
  c.tools.max_name_length = 64;
  c.tools.name_extra_chars = "_.:-";
  c.tools.name_must_start_with_letter_or_underscore = true;
  return c;
}

}  // namespace

GeminiProvider::GeminiProvider(ProviderSettings settings, std::string api_version)
    : settings_(std::move(settings)),
      api_version_(std::move(api_version)),
      capabilities_(gemini_capabilities()) {
  std::string_view base = settings_.base_url;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  // A base URL written with the version ("…/v1beta", as SDK users often do) is not doubled.
  if (!base.ends_with("/" + api_version_)) version_prefix_ = "/" + api_version_;
}

std::string GeminiProvider::default_base_url() const {
  return std::string(kDefaultBaseUrl);
}

std::string GeminiProvider::model_path(std::string_view upstream_model) const {
  std::string_view collection = "models";
  std::string_view name = upstream_model;
  for (std::string_view c : {std::string_view("models/"), std::string_view("tunedModels/")}) {
    if (name.starts_with(c)) {
      collection = c.substr(0, c.size() - 1);
      name.remove_prefix(c.size());
      break;
    }
  }
  return version_prefix_ + "/" + std::string(collection) + "/" + encode_segment(name);
}

Result<UpstreamRequest> GeminiProvider::encode(const ChatRequest& request,
                                               std::string_view upstream_model,
                                               const EncodeContext& /*ctx*/) const {
  if (settings_.credential_missing) {
    return Error::make(ErrorKind::provider_auth,
                       "provider \"" + settings_.name +
                           "\" has no usable credential: " + settings_.credential_problem,
                       "credential_unavailable");
  }
  Result<std::string> body = gemini::encode_generate_request(request);
  if (!body) return std::move(body).error();
  UpstreamRequest out;
  out.method = "POST";
  out.path = model_path(upstream_model) +
             (request.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
  out.stream = request.stream;
  out.headers.emplace_back("Content-Type", "application/json");
  out.headers.emplace_back("Accept", request.stream ? "text/event-stream" : "application/json");
  if (!settings_.api_key.empty()) out.headers.emplace_back("x-goog-api-key", settings_.api_key);
  out.body = std::move(body).value();
  return out;
}

Result<ChatResponse> GeminiProvider::decode_response(std::string_view body) const {
  return gemini::decode_generate_response(body);
}

Error GeminiProvider::decode_error(int status, const HeaderLookup& headers,
                                   std::string_view body) const {
  std::string_view retry_after;
  if (headers) retry_after = headers("retry-after");
  return gemini::decode_upstream_error(status, retry_after, body);
}

std::unique_ptr<StreamDecoder> GeminiProvider::make_stream_decoder() const {
  return std::make_unique<gemini::GeminiStreamDecoder>();
}

Result<std::unique_ptr<Provider>> make_gemini_provider(const ProviderSettings& settings) {
  std::string api_version(kDefaultApiVersion);
  if (const auto* v = settings.raw.if_contains("api_version"); v != nullptr && !v->is_null()) {
    if (!v->is_string() || !valid_api_version(v->get_string())) {
      return Error::make(ErrorKind::gateway_internal,
                         "provider \"" + settings.name +
                             "\": api_version must be a path segment such as \"v1beta\"",
                         "invalid_provider_config");
    }
    api_version.assign(v->get_string().data(), v->get_string().size());
  }
  return std::unique_ptr<Provider>(std::make_unique<GeminiProvider>(settings, api_version));
}

}  // namespace gw
