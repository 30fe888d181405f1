// Ollama error bodies (see ollama_error.h).
#include "wire/ollama/ollama_error.h"

#include <optional>

#include <boost/json/object.hpp>

#include "common/json_text.h"
#include "wire/json_read.h"

namespace gw::ollama {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxProviderMessage = 500;

// {"error":"text"} (Ollama), {"error":{"message":"text"}} (proxies in front of it).
std::string extract_message(const json::value& body) {
  const json::object* obj = body.if_object();
  if (obj == nullptr) return {};
  const json::value* err = json_field(*obj, "error");
  if (err == nullptr) return {};
  if (err->is_string()) return std::string(err->get_string());
  if (const json::object* inner = err->if_object()) {
    return std::string(json_string_field(*inner, "message"));
  }
  return {};
}

std::string truncate_utf8(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t n = max - 3;  // room for the 3-byte "…"
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  text.resize(n);
  text += "…";
  return text;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

ErrorKind kind_from_status(int status) {
  switch (status) {
    case 401:
    case 403:
      return ErrorKind::provider_auth;
    case 404:
      return ErrorKind::provider_not_found;
    case 408:
    case 504:
      return ErrorKind::provider_timeout;
    case 429:
      return ErrorKind::provider_rate_limited;
    case 503:
      return ErrorKind::provider_unavailable;
    default:
      break;
  }
  if (status >= 400 && status < 500) return ErrorKind::provider_invalid_request;
  return ErrorKind::provider_server_error;  // 5xx, and an error inside a 2xx answer
}

Error map_error(int status, std::string message) {
  ErrorKind kind = kind_from_status(status);
  std::string code;
  std::optional<RetryClass> retry;
  if (contains(message, "does not support tools")) {
    kind = ErrorKind::provider_invalid_request;
    code = "tools_unsupported";
    retry = RetryClass::fallback_only;
  } else if (kind == ErrorKind::provider_invalid_request && contains(message, "context length")) {
    code = "context_length_exceeded";
  } else if ((status == 404 || status == 0) && contains(message, "model") &&
             contains(message, "not found")) {
    kind = ErrorKind::provider_not_found;
    code = "model_not_found";
  }
  if (message.empty()) {
    message = status > 0 ? "Ollama answered HTTP " + std::to_string(status)
                         : "Ollama reported an error in the stream";
  }
  Error e =
      Error::make(kind, truncate_utf8(std::move(message), kMaxProviderMessage), std::move(code));
  if (retry) e.retry = *retry;
  e.upstream_status = status;
  return e;
}

}  // namespace

std::string encode_error_body(std::string_view message) {
  std::string out = R"({"error":)";
  json_quote_append(out, message);
  out += '}';
  return out;
}

Error decode_error_value(int status, const json::value& body) {
  return map_error(status, extract_message(body));
}

Error decode_upstream_error(int status, std::string_view retry_after_header,
                            std::string_view body) {
  std::string message;
  if (Result<json::value> parsed = parse_json(body, ErrorKind::provider_bad_response)) {
    message = extract_message(parsed.value());
  }
  Error e = map_error(status, std::move(message));
  if (auto delay = parse_retry_after(retry_after_header)) e.retry_after = *delay;
  return e;
}

}  // namespace gw::ollama
