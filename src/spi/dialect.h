// An inbound dialect (OpenAI, later Anthropic and Gemini): how clients speak to the gateway.
// Like providers, dialects are pure translators — the chat pipeline (api/chat_pipeline) does
// the I/O — so any dialect can be served by any provider.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "model/chat.h"

namespace gw {

// What a stream encoder needs to know before the first event.
struct StreamStart {
  std::string id;     // response id shown to the client
  std::string model;  // model name shown to the client
  std::int64_t created = 0;
  bool include_usage = false;
};

// Re-encodes canonical events for the client, appending bytes to `out`; the pipeline writes `out`
// once per upstream read (events decoded together leave together).
class StreamEncoder {
 public:
  virtual ~StreamEncoder() = default;
  virtual void event(const StreamEvent& e, std::string& out) = 0;
  // A terminal failure after the commit point: an in-band error record, never a silent end.
  virtual void error(const Error& e, std::string& out) = 0;
  // The normal end of the stream (OpenAI: data: [DONE]).
  virtual void end(std::string& out) = 0;
};

// What the URL says about the request, for dialects that put it there (Gemini:
// /v1beta/models/{model}:generateContent vs :streamGenerateContent).
struct IngressContext {
  std::string_view path_model;  // empty when the path carries no model
  bool path_stream = false;     // the path selected the streaming method
};

class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual std::string_view name() const = 0;
  virtual Result<ChatRequest> decode_request(std::string_view body,
                                             const IngressContext& context) const = 0;
  virtual std::string encode_response(const ChatResponse& response,
                                      std::string_view model) const = 0;
  virtual std::unique_ptr<StreamEncoder> make_stream_encoder(const StreamStart& start) const = 0;
  virtual std::string encode_error(const Error& error) const = 0;
  virtual std::string_view stream_content_type() const = 0;
};

}  // namespace gw
