#include "wire/openai/openai_error.h"

#include <charconv>
#include <chrono>
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/json_text.h"
#include "wire/json_read.h"

namespace gw::openai {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxProviderMessage = 500;

struct UpstreamFields {
  std::string message;
  std::string type;
  std::string code;
  std::string param;
};

UpstreamFields extract(const json::value& body) {
  UpstreamFields f;
  const json::value* v = &body;
  if (const json::array* arr = v->if_array(); arr != nullptr && !arr->empty()) v = &(*arr)[0];
  const json::object* obj = v->if_object();
  if (obj == nullptr) return f;
  if (const json::value* err = json_field(*obj, "error")) {
    if (err->is_string()) {  // Ollama native: {"error": "text"}
      f.message = std::string(err->get_string());
      return f;
    }
    if (err->is_object()) obj = &err->get_object();
  }
  f.message = std::string(json_string_field(*obj, "message"));
  f.type = std::string(json_string_field(*obj, "type"));
  f.code = std::string(json_string_field(*obj, "code"));  // vLLM's numeric code is the status
  f.param = std::string(json_string_field(*obj, "param"));
  return f;
}

// Codes and types that say precisely what happened, whatever the status. Generic types
// (invalid_request_error, api_error, server_error) are left to the status, which is sharper.
std::optional<ErrorKind> kind_from_name(std::string_view n) {
  if (n.empty()) return std::nullopt;
  if (n == "insufficient_quota" || n == "billing_hard_limit_reached" || n == "billing_not_active" ||
      n == "quota_exceeded") {
    return ErrorKind::provider_quota_exhausted;
  }
  if (n == "rate_limit_exceeded" || n == "rate_limit_error" || n == "requests" || n == "tokens") {
    return ErrorKind::provider_rate_limited;
  }
  if (n == "invalid_api_key" || n == "authentication_error" || n == "permission_error" ||
      n == "invalid_authentication" || n == "permission_denied" || n == "unauthorized") {
    return ErrorKind::provider_auth;
  }
  if (n == "model_not_found" || n == "not_found_error") return ErrorKind::provider_not_found;
  if (n == "context_length_exceeded" || n == "string_above_max_length") {
    return ErrorKind::provider_invalid_request;
  }
  if (n == "overloaded_error" || n == "overloaded" || n == "engine_overloaded") {
    return ErrorKind::provider_overloaded;
  }
  return std::nullopt;
}

ErrorKind kind_from_status(int status) {
  switch (status) {
    case 400:
    case 413:
    case 422:
      return ErrorKind::provider_invalid_request;
    case 401:
    case 403:
      return ErrorKind::provider_auth;
    case 402:  // Payment Required: billing, never a transient condition
      return ErrorKind::provider_quota_exhausted;
    case 404:
      return ErrorKind::provider_not_found;
    case 408:
    case 504:
      return ErrorKind::provider_timeout;
    case 429:
      return ErrorKind::provider_rate_limited;
    case 500:
      return ErrorKind::provider_server_error;
    case 502:
      return ErrorKind::provider_unavailable;
    case 503:
    case 529:
      return ErrorKind::provider_overloaded;
    default:
      break;
  }
  if (status == 0 || (status >= 200 && status < 300)) return ErrorKind::provider_server_error;
  if (status >= 500 && status < 600) return ErrorKind::provider_server_error;
  if (status >= 400 && status < 500) return ErrorKind::provider_invalid_request;
  return ErrorKind::provider_bad_response;
}

std::string generic_message(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::provider_quota_exhausted:
      return "the provider account's quota is exhausted";
    case ErrorKind::provider_rate_limited:
      return "the provider's rate limit was reached";
    case ErrorKind::provider_auth:
      return "the provider rejected the gateway's credentials";
    case ErrorKind::provider_not_found:
      return "the provider does not know the requested model or endpoint";
    case ErrorKind::provider_invalid_request:
      return "the provider rejected the request";
    case ErrorKind::provider_overloaded:
      return "the provider is overloaded";
    case ErrorKind::provider_unavailable:
      return "the provider is unavailable";
    case ErrorKind::provider_timeout:
      return "the provider timed out";
    case ErrorKind::provider_server_error:
      return "the provider failed to process the request";
    default:
      return "the provider returned an unexpected response";
  }
}

// Keeps at most `max` bytes, ellipsis included, without splitting a UTF-8 sequence.
std::string truncate_utf8(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t n = max - 3;  // room for the 3-byte "…"
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  text.resize(n);
  text += "…";
  return text;
}

Error map_error(int status, const UpstreamFields& f) {
  std::optional<ErrorKind> kind = kind_from_name(f.code);
  if (!kind) kind = kind_from_name(f.type);
  if (!kind) kind = kind_from_status(status);
  std::string message;
  if (*kind == ErrorKind::provider_invalid_request && !f.message.empty()) {
    message = truncate_utf8(f.message, kMaxProviderMessage);
  } else {
    message = generic_message(*kind);
    if (status > 0) message += " (HTTP " + std::to_string(status) + ")";
  }
  Error e = Error::make(*kind, std::move(message), f.code);
  if (*kind == ErrorKind::provider_invalid_request) e.param = f.param;
  e.upstream_status = status;
  return e;
}

std::optional<std::chrono::milliseconds> parse_retry_after_ms(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  double ms = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
  if (ec != std::errc{} || ptr != value.data() + value.size() || !(ms >= 0)) return std::nullopt;
  if (ms > 86400000.0) ms = 86400000.0;
  return std::chrono::milliseconds(static_cast<long long>(ms));
}

}  // namespace

void append_error_envelope(std::string& out, const Error& error) {
  out.append(R"({"error":{"message":)");
  json_quote_append(out, error.message);
  out.append(R"(,"type":)");
  json_quote_append(out, openai_type(error.kind));
  out.append(R"(,"param":)");
  json_quote_or_null_append(out, error.param);
  out.append(R"(,"code":)");
  json_quote_or_null_append(out, error.code);
  out.append("}}");
}

std::string encode_error_envelope(const Error& error) {
  std::string out;
  out.reserve(128 + error.message.size());
  append_error_envelope(out, error);
  return out;
}

Error decode_upstream_error_value(int status, const json::value& body) {
  return map_error(status, extract(body));
}

Error decode_upstream_error(int status, std::string_view retry_after_header,
                            std::string_view retry_after_ms_header, std::string_view body) {
  UpstreamFields fields;
  if (Result<json::value> parsed = parse_json(body, ErrorKind::provider_bad_response)) {
    fields = extract(parsed.value());
  }
  Error e = map_error(status, fields);
  std::optional<std::chrono::milliseconds> delay = parse_retry_after_ms(retry_after_ms_header);
  if (!delay) delay = parse_retry_after(retry_after_header);
  if (delay) e.retry_after = *delay;
  return e;
}

}  // namespace gw::openai
