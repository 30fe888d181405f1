// Anthropic error envelope (ingress) and error answer parsing (provider); see anthropic_error.h.
#include "wire/anthropic/anthropic_error.h"

#include <charconv>
#include <optional>

#include <boost/json/object.hpp>

#include "common/json_text.h"
#include "wire/json_read.h"

namespace gw::anthropic {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxProviderMessage = 1000;

struct UpstreamFields {
  std::string type;
  std::string message;
};

UpstreamFields extract(const json::value& body) {
  UpstreamFields f;
  const json::object* obj = body.if_object();
  if (obj == nullptr) return f;
  if (const json::object* err = json_object_field(*obj, "error")) obj = err;
  f.type = std::string(json_string_field(*obj, "type"));
  f.message = std::string(json_string_field(*obj, "message"));
  return f;
}

bool contains_ascii_ci(std::string_view text, std::string_view needle) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  if (needle.size() > text.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && lower(text[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return true;
  }
  return false;
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
    case 402:
      return ErrorKind::provider_quota_exhausted;
    case 404:
      return ErrorKind::provider_not_found;
    case 408:
    case 504:
      return ErrorKind::provider_timeout;
    case 429:
      return ErrorKind::provider_rate_limited;
    case 503:
      return ErrorKind::provider_unavailable;
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

struct Mapped {
  ErrorKind kind;
  std::string code;
};

// The error type names the cause; the status only decides where the type is generic.
Mapped map_kind(int status, const UpstreamFields& f) {
  const std::string_view t = f.type;
  if (t == "invalid_request_error") {
    if (contains_ascii_ci(f.message, "credit balance is too low") ||
        contains_ascii_ci(f.message, "usage limits")) {
      return {ErrorKind::provider_quota_exhausted, "insufficient_quota"};
    }
    if (contains_ascii_ci(f.message, "prompt is too long")) {
      return {ErrorKind::provider_invalid_request, "context_length_exceeded"};
    }
    return {ErrorKind::provider_invalid_request, f.type};
  }
  if (t == "authentication_error" || t == "permission_error") {
    return {ErrorKind::provider_auth, f.type};
  }
  if (t == "not_found_error") return {ErrorKind::provider_not_found, f.type};
  if (t == "request_too_large") return {ErrorKind::provider_invalid_request, f.type};
  if (t == "rate_limit_error") {
    // A spend limit also arrives as a rate-limit 429, but waiting does not lift it.
    if (contains_ascii_ci(f.message, "spend limit") ||
        contains_ascii_ci(f.message, "usage limits")) {
      return {ErrorKind::provider_quota_exhausted, "insufficient_quota"};
    }
    return {ErrorKind::provider_rate_limited, f.type};
  }
  if (t == "billing_error") return {ErrorKind::provider_quota_exhausted, f.type};
  if (t == "overloaded_error") return {ErrorKind::provider_overloaded, f.type};
  if (t == "timeout_error") return {ErrorKind::provider_timeout, f.type};
  if (t == "api_error") {
    ErrorKind k = kind_from_status(status);
    if (k != ErrorKind::provider_unavailable && k != ErrorKind::provider_timeout) {
      k = ErrorKind::provider_server_error;
    }
    return {k, f.type};
  }
  return {kind_from_status(status), f.type};
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
  const Mapped m = map_kind(status, f);
  std::string message = truncate_utf8(f.message, kMaxProviderMessage);
  if (message.empty()) {
    message = status > 0 ? "the provider answered HTTP " + std::to_string(status)
                         : "the provider reported an error in the stream";
  }
  Error e = Error::make(m.kind, std::move(message), m.code);
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
  out.append(R"({"type":"error","error":{"type":)");
  json_quote_append(out, anthropic_type(error.kind));
  out.append(R"(,"message":)");
  json_quote_append(out, error.message);
  out.append("}}");
}

std::string encode_error_envelope(const Error& error) {
  std::string out;
  out.reserve(80 + error.message.size());
  append_error_envelope(out, error);
  return out;
}

Error decode_error_value(int status, const json::value& body) {
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

}  // namespace gw::anthropic
