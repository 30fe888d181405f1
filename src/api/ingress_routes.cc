#include "api/ingress_routes.h"

namespace gw {
namespace {

constexpr std::string_view kGeminiPrefixes[] = {"/v1beta/models/", "/v1/models/"};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of one path segment; a malformed escape is kept as written.
std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::optional<ChatRoute> match_gemini(std::string_view path, const IngressDialects& dialects) {
  for (std::string_view prefix : kGeminiPrefixes) {
    if (!path.starts_with(prefix)) continue;
    std::string_view rest = path.substr(prefix.size());
    const auto colon = rest.rfind(':');
    // The model may hold a slash ("anthropic/claude-…" becomes models/anthropic/claude-…).
    if (colon == std::string_view::npos || colon == 0) continue;
    ChatRoute route;
    route.dialect = dialects.gemini;
    route.model = url_decode(rest.substr(0, colon));
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
