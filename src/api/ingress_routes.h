// Which inbound dialect serves a path: OpenAI /v1/chat/completions, Anthropic /v1/messages,
// Gemini /v1beta/models/{model}:generateContent | :streamGenerateContent. One table, so the
// handler, the error envelopes of early rejections and the metric route labels agree.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "spi/dialect.h"

namespace gw {

struct IngressDialects {
  const Dialect* openai = nullptr;
  const Dialect* anthropic = nullptr;
  const Dialect* gemini = nullptr;
};

struct ChatRoute {
  const Dialect* dialect = nullptr;
  std::string_view label;  // fixed metric label, never the raw path
  std::string model;       // from the path (Gemini), URL-decoded; empty otherwise
  bool path_stream = false;
  bool known_method = true;  // false: a Gemini model path with a method we do not serve
  IngressContext context() const { return IngressContext{model, path_stream}; }
};

// The chat route for `path`, or nullopt when the path is not a chat endpoint.
std::optional<ChatRoute> match_chat_route(std::string_view path, const IngressDialects& dialects);

// The dialect whose error envelope a request to `path` should get (OpenAI by default).
const Dialect& dialect_for_path(std::string_view path, const IngressDialects& dialects);

}  // namespace gw
