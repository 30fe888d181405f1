#include "api/ingress_routes.h"

#include "common/percent_decode.h"

namespace gw {
namespace {

constexpr std::string_view kGeminiPrefixes[] = {"/v1beta/models/", "/v1/models/"};

std::optional<ChatRoute> match_gemini(std::string_view path, const IngressDialects& dialects) {
  for (std::string_view prefix : kGeminiPrefixes) {
    if (!path.starts_with(prefix)) continue;
    std::string_view rest = path.substr(prefix.size());
    const auto colon = rest.rfind(':');
    // The model may hold a slash ("anthropic/claude-…" becomes models/anthropic/claude-…).
    if (colon == std::string_view::npos || colon == 0) continue;
    ChatRoute route;
    route.dialect = dialects.gemini;
    route.model = percent_decode(rest.substr(0, colon));
    const std::string_view method = rest.substr(colon + 1);
    if (method == "generateContent") {
      route.label = "/v1beta/models/{model}:generateContent";
    } else if (method == "streamGenerateContent") {
      route.label = "/v1beta/models/{model}:streamGenerateContent";
      route.path_stream = true;
    } else {
      route.label = "other";
      route.known_method = false;
    }
    return route;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ChatRoute> match_chat_route(std::string_view path, const IngressDialects& dialects) {
  if (path == "/v1/chat/completions") {
    ChatRoute r;
    r.dialect = dialects.openai;
    r.label = "/v1/chat/completions";
    return r;
  }
  if (path == "/v1/messages") {
    ChatRoute r;
    r.dialect = dialects.anthropic;
    r.label = "/v1/messages";
    return r;
  }
  return match_gemini(path, dialects);
}

const Dialect& dialect_for_path(std::string_view path, const IngressDialects& dialects) {
  if (path.starts_with("/v1/messages")) return *dialects.anthropic;
  for (std::string_view prefix : kGeminiPrefixes) {
    if (path.starts_with(prefix) && path.find(':') != std::string_view::npos) {
      return *dialects.gemini;
    }
  }
  if (path.starts_with("/v1beta/")) return *dialects.gemini;
  return *dialects.openai;
}

}  // namespace gw
