// What a provider adapter is: a pure translator between the canonical model and one provider's
// wire format. It does no I/O, no retries and no timing — the upstream HTTP client and the router
// do those once for every provider (DESIGN.md §2). Capabilities are data, not methods.
#pragma once

#include <chrono>
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
};

struct Capabilities {
  bool streaming = true;
  bool tool_calling = true;
  bool parallel_tool_calls = true;
  bool json_mode = true;
  bool vision = true;
  bool usage_in_stream = true;
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
};

}  // namespace gw
