// Bedrock error mapping (see bedrock_error.h): one table from exception type to ErrorKind, the
// HTTP status only when no type is named.
#include "wire/bedrock/bedrock_error.h"

#include <optional>

#include <boost/json/object.hpp>

#include "common/json_text.h"
#include "wire/json_read.h"

namespace gw::bedrock {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxProviderMessage = 500;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool any_of(std::string_view type, std::initializer_list<std::string_view> names) {
  for (std::string_view n : names) {
    if (iequals(type, n)) return true;
  }
  return false;
}

// "ThrottlingException:http://internal.amazon.com/…" and "aws.bedrock#ThrottlingException" →
// "ThrottlingException".
std::string_view bare_type(std::string_view t) {
  if (const std::size_t hash = t.rfind('#'); hash != std::string_view::npos)
    t.remove_prefix(hash + 1);
  if (const std::size_t colon = t.find(':'); colon != std::string_view::npos)
    t = t.substr(0, colon);
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  return t;
}

std::optional<ErrorKind> kind_from_type(std::string_view type) {
  if (type.empty()) return std::nullopt;
  if (any_of(type, {"ThrottlingException", "TooManyRequestsException"})) {
    return ErrorKind::provider_rate_limited;
  }
  if (any_of(type, {"ServiceQuotaExceededException"})) return ErrorKind::provider_quota_exhausted;
  if (any_of(type, {"ValidationException", "ConflictException"})) {
    return ErrorKind::provider_invalid_request;
  }
  if (any_of(type,
             {"AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException",
              "ExpiredTokenException", "MissingAuthenticationTokenException",
              "IncompleteSignatureException", "InvalidClientTokenId"})) {
    return ErrorKind::provider_auth;
  }
  if (any_of(type, {"ResourceNotFoundException"})) return ErrorKind::provider_not_found;
  if (any_of(type, {"ModelNotReadyException", "ServiceUnavailableException"})) {
    return ErrorKind::provider_unavailable;
  }
  if (any_of(type, {"ModelTimeoutException"})) return ErrorKind::provider_timeout;
  if (any_of(type, {"InternalServerException", "InternalFailure", "ModelErrorException",
                    "ModelStreamErrorException"})) {
    return ErrorKind::provider_server_error;
  }
  return std::nullopt;
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
  return ErrorKind::provider_server_error;  // 5xx, and status 0 (inside a 200 stream)
}

// Bedrock's wording for an input over the model's context window varies by model family.
bool says_too_long(std::string_view message) {
  for (std::string_view hint : {"too long", "too many tokens", "too many input tokens",
                                "context length", "context window", "maximum context"}) {
    if (icontains(message, hint)) return true;
  }
  return false;
}

std::string truncate_utf8(std::string text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t n = max - 3;  // room for the 3-byte "…"
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  text.resize(n);
  text += "…";
  return text;
}

struct Body {
  std::string type;
  std::string message;
  std::optional<std::int64_t> original_status;  // modelStreamErrorException
};

Body read_body(std::string_view text) {
  Body b;
  Result<json::value> parsed = parse_json(text, ErrorKind::provider_bad_response);
  if (!parsed || !parsed->is_object()) return b;
  const json::object& o = parsed->get_object();
  b.type = std::string(json_string_field(o, "__type"));
  if (b.type.empty()) b.type = std::string(json_string_field(o, "code"));
  b.message = std::string(json_string_field(o, "message"));
  if (b.message.empty()) b.message = std::string(json_string_field(o, "Message"));
  if (const json::value* v = json_field(o, "originalStatusCode"))
    b.original_status = json_to_int64(*v);
  return b;
}

Error build(int status, std::string_view type, const Body& body) {
  ErrorKind kind = kind_from_type(type).value_or(kind_from_status(status));
  if (iequals(type, "ModelStreamErrorException") && body.original_status == 429) {
    kind = ErrorKind::provider_rate_limited;
  }
  std::string code(type);
  if (kind == ErrorKind::provider_invalid_request && says_too_long(body.message)) {
    code = "context_length_exceeded";
  }
  std::string message = truncate_utf8(body.message, kMaxProviderMessage);
  if (message.empty()) {
    message = "Bedrock answered " + (type.empty() ? std::string("an error") : std::string(type));
    if (status > 0) message += " (HTTP " + std::to_string(status) + ")";
  }
  Error e = Error::make(kind, std::move(message), std::move(code));
  e.upstream_status = status;
  return e;
}

}  // namespace

Error decode_upstream_error(int status, std::string_view errortype_header,
                            std::string_view retry_after_header, std::string_view body) {
  const Body parsed = read_body(body);
  std::string_view type = bare_type(errortype_header);
  if (type.empty()) type = bare_type(parsed.type);
  Error e = build(status, type, parsed);
  if (const auto delay = parse_retry_after(retry_after_header)) e.retry_after = *delay;
  return e;
}

Error decode_stream_exception(std::string_view exception_type, std::string_view payload) {
  const Body parsed = read_body(payload);
  std::string_view type = bare_type(exception_type);
  if (type.empty()) type = bare_type(parsed.type);
  return build(0, type, parsed);
}

std::string_view exception_for_status(int status) {
  switch (status) {
    case 400:
      return "ValidationException";
    case 401:
      return "UnrecognizedClientException";
    case 403:
      return "AccessDeniedException";
    case 404:
      return "ResourceNotFoundException";
    case 408:
      return "ModelTimeoutException";
    case 409:
      return "ConflictException";
    case 424:
      return "ModelErrorException";
    case 429:
      return "ThrottlingException";
    case 503:
      return "ServiceUnavailableException";
    default:
      break;
  }
  return status >= 500 ? "InternalServerException" : "ValidationException";
}

std::string_view stream_exception_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::provider_rate_limited:
    case ErrorKind::provider_quota_exhausted:
    case ErrorKind::policy_rate_limited:
      return "throttlingException";
    case ErrorKind::provider_invalid_request:
    case ErrorKind::caller_invalid_request:
      return "validationException";
    case ErrorKind::provider_unavailable:
    case ErrorKind::provider_overloaded:
      return "serviceUnavailableException";
    case ErrorKind::provider_bad_response:
      return "modelStreamErrorException";
    default:
      break;
  }
  return "internalServerException";
}

std::string errortype_header(std::string_view exception_type) {
  return std::string(exception_type) + ":http://internal.amazon.com/coral/com.amazon.bedrock/";
}

std::string error_body(std::string_view message) {
  std::string out = R"({"message":)";
  json_quote_append(out, message);
  out.push_back('}');
  return out;
}

}  // namespace gw::bedrock
