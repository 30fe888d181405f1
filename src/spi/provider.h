// What a provider adapter is: a pure translator between the canonical model and one provider's
// wire format. It does no I/O, no retries and no timing — the upstream HTTP client and the router
// do those once for every provider (DESIGN.md §2). Capabilities are data, not methods.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "model/chat.h"

namespace gw {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// An HTTP request ready for the upstream client; the path is appended to the provider base URL.
struct UpstreamRequest {
  std::string method = "POST";
  std::string path;  // e.g. "/v1/chat/completions" (may carry a query string)
  HeaderList headers;
  std::string body;
  bool stream = false;
};

struct EncodeContext {
  std::string request_id;
  std::chrono::system_clock::time_point now;  // for request signing (SigV4)
};

// Reads a response header case-insensitively; empty when absent.
using HeaderLookup = std::function<std::string_view(std::string_view name)>;

// Turns the bytes of one streamed upstream body into canonical events. Bytes may be split
// anywhere. finish() is called at end of body: a stream that ended without its terminal record
// is an error (provider_stream_interrupted), never a silent success.
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  virtual Status feed(std::string_view bytes, std::vector<StreamEvent>& out) = 0;
  virtual Status finish(std::vector<StreamEvent>& out) = 0;

  // One read of the body into events: its bytes fed, or at the end of the body (an empty read)
  // finish(), setting `ended`. A failed read is its error. The streamed-read loops share this.
  Status take(Result<std::string_view> piece, std::vector<StreamEvent>& out, bool& ended) {
    if (!piece) return std::move(piece).error();
    if (piece->empty()) {
      ended = true;
      return finish(out);
    }
    return feed(*piece, out);
  }
};

// How a provider accepts tool declarations. The chat pipeline compiles every request's tools to
// these rules before encode (wire/tool_schema) and maps tool-call names back on the way out, so
// adapters receive names and schemas their provider accepts and never rename anything.
struct ToolRules {
  enum class Schema : std::uint8_t {
    json_schema,     // full JSON Schema (OpenAI, Anthropic, Bedrock, Ollama); $ref kept
    openapi_subset,  // Gemini: OpenAPI 3 subset — no $ref, additionalProperties, default, …
  };
  Schema schema = Schema::json_schema;
  std::size_t max_name_length = 64;
  // Characters allowed in a tool name besides ASCII letters and digits.
  std::string_view name_extra_chars = "_-";
  bool name_must_start_with_letter_or_underscore = false;
};

struct Capabilities {
  bool streaming = true;
  bool tool_calling = true;
  bool parallel_tool_calls = true;
  bool json_mode = true;    // response_format json_object
  bool json_schema = true;  // response_format json_schema (structured output)
  bool vision = true;
  bool system_prompt = true;
  bool usage_in_stream = true;
  std::int64_t max_context_tokens = 0;  // 0 = unknown (per-model data may set it)
  std::int64_t max_output_tokens = 0;   // 0 = unknown
  ToolRules tools;
};

class Provider {
 public:
  virtual ~Provider() = default;

  virtual std::string_view type() const = 0;  // "openai", "openai_compatible", …
  virtual const Capabilities& capabilities() const = 0;

  // Canonical request → upstream HTTP request for `upstream_model`.
  virtual Result<UpstreamRequest> encode(const ChatRequest& request,
                                         std::string_view upstream_model,
                                         const EncodeContext& ctx) const = 0;
  // A 2xx non-streamed body → canonical response.
  virtual Result<ChatResponse> decode_response(std::string_view body) const = 0;
  // A non-2xx answer → typed error (type/code first, status second, Retry-After kept).
  virtual Error decode_error(int status, const HeaderLookup& headers,
                             std::string_view body) const = 0;
  virtual std::unique_ptr<StreamDecoder> make_stream_decoder() const = 0;

  // The base URL to use when the config gives none (Bedrock derives it from the region);
  // empty when the provider cannot do without one.
  virtual std::string default_base_url() const { return {}; }
};

}  // namespace gw
