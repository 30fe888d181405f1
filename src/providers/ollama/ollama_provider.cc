// OllamaProvider (see ollama_provider.h).
#include "providers/ollama/ollama_provider.h"

#include <utility>

#include "wire/ollama/ollama_error.h"
#include "wire/ollama/ollama_request.h"
#include "wire/ollama/ollama_response.h"
#include "wire/ollama/ollama_stream_decoder.h"

namespace gw {
namespace {

Capabilities ollama_capabilities() {
  Capabilities c;
  c.streaming = true;
  c.tool_calling = true;
  c.parallel_tool_calls = true;
  c.json_mode = true;    // format: "json"
  c.json_schema = true;  // format: <schema>
  c.vision = true;       // images[] (base64 only; URLs are refused at encode)
  c.system_prompt = true;
  c.usage_in_stream = true;  // the done:true line carries the eval counts
  return c;                  // ToolRules default: full JSON Schema, names up to 64 [A-Za-z0-9_-]
}

std::string chat_path(std::string_view base_url) {
  while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
  return base_url.ends_with("/api") ? "/chat" : "/api/chat";
}

}  // namespace

OllamaProvider::OllamaProvider(ProviderSettings settings)
    : settings_(std::move(settings)),
      capabilities_(ollama_capabilities()),
      path_(chat_path(settings_.base_url)) {}

Result<UpstreamRequest> OllamaProvider::encode(const ChatRequest& request,
                                               std::string_view upstream_model,
                                               const EncodeContext& /*ctx*/) const {
  if (settings_.credential_missing) {
    return Error::make(ErrorKind::provider_auth,
                       "provider \"" + settings_.name +
                           "\" has no usable credential: " + settings_.credential_problem,
                       "credential_unavailable");
  }
  Result<std::string> body = ollama::encode_chat_request(request, upstream_model);
  if (!body) return std::move(body).error();
  UpstreamRequest out;
  out.method = "POST";
  out.path = path_;
  out.stream = request.stream;
  out.headers.emplace_back("Content-Type", "application/json");
  out.headers.emplace_back("Accept", request.stream ? "application/x-ndjson" : "application/json");
  if (!settings_.api_key.empty()) {
    out.headers.emplace_back("Authorization", "Bearer " + settings_.api_key);
  }
  out.body = std::move(body).value();
  return out;
}

Result<ChatResponse> OllamaProvider::decode_response(std::string_view body) const {
  return ollama::decode_chat_response(body);
}

Error OllamaProvider::decode_error(int status, const HeaderLookup& headers,
                                   std::string_view body) const {
  std::string_view retry_after = headers ? headers("retry-after") : std::string_view();
  return ollama::decode_upstream_error(status, retry_after, body);
}

std::unique_ptr<StreamDecoder> OllamaProvider::make_stream_decoder() const {
  return std::make_unique<ollama::OllamaStreamDecoder>();
}

Result<std::unique_ptr<Provider>> make_ollama_provider(const ProviderSettings& settings) {
  return std::unique_ptr<Provider>(std::make_unique<OllamaProvider>(settings));
}

}  // namespace gw
