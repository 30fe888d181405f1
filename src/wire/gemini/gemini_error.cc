// Gemini error envelopes, both directions (see gemini_error.h).
#include "wire/gemini/gemini_error.h"

#include <charconv>
#include <chrono>
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/json_text.h"
#include "wire/json_read.h"

namespace gw::gemini {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxProviderMessage = 1000;

// What a google.rpc.Status body says, details included.
struct StatusFields {
  std::int64_t code = 0;
  std::string message;
  std::string status;  // "RESOURCE_EXHAUSTED"
  std::string reason;  // ErrorInfo.reason
  std::optional<std::chrono::milliseconds> retry_delay;
  bool per_day_quota = false;
};

// "34.4s", "37s" (google.protobuf.Duration in JSON) → milliseconds.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text.size() < 2 || text.back() != 's') return std::nullopt;
  text.remove_suffix(1);
  double seconds = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc{} || ptr != text.data() + text.size() || !(seconds >= 0)) {
    return std::nullopt;
  }
  if (seconds > 86400) seconds = 86400;
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000 + 0.5));
}

void read_details(const json::array& details, StatusFields& f) {
  for (const json::value& d : details) {
    const json::object* o = d.if_object();
    if (o == nullptr) continue;
    const std::string_view type = json_string_field(*o, "@type");
    if (type.ends_with("google.rpc.ErrorInfo")) {
      f.reason = std::string(json_string_field(*o, "reason"));
    } else if (type.ends_with("google.rpc.RetryInfo")) {
      f.retry_delay = parse_duration(json_string_field(*o, "retryDelay"));
    } else if (type.ends_with("google.rpc.QuotaFailure")) {
      const json::value* violations = json_field(*o, "violations");
      if (violations == nullptr || !violations->is_array()) continue;
      for (const json::value& v : violations->get_array()) {
        const json::object* vo = v.if_object();
        if (vo == nullptr) continue;
        // A per-day quota does not come back within any retry a request can wait for.
        if (json_string_field(*vo, "quotaId").find("PerDay") != std::string_view::npos) {
          f.per_day_quota = true;
        }
      }
    }
  }
}

StatusFields extract(const json::value& body) {
  StatusFields f;
  const json::value* v = &body;
  if (const json::array* arr = v->if_array(); arr != nullptr && !arr->empty()) v = &(*arr)[0];
  const json::object* root = v->if_object();
  const json::object* err = root != nullptr ? json_object_field(*root, "error") : nullptr;
  if (err == nullptr) return f;
  if (const json::value* code = json_field(*err, "code")) f.code = json_to_int64(*code).value_or(0);
  f.message = std::string(json_string_field(*err, "message"));
  f.status = std::string(json_string_field(*err, "status"));
  if (const json::value* details = json_field(*err, "details"); details && details->is_array()) {
    read_details(details->get_array(), f);
  }
  return f;
}

std::optional<ErrorKind> kind_from_status_name(const StatusFields& f) {
  const std::string_view s = f.status;
  if (s == "INVALID_ARGUMENT") {
    if (f.reason == "API_KEY_INVALID") return ErrorKind::provider_auth;
    return ErrorKind::provider_invalid_request;
  }
  if (s == "UNAUTHENTICATED" || s == "PERMISSION_DENIED" || s == "FAILED_PRECONDITION") {
    return ErrorKind::provider_auth;
  }
  if (s == "NOT_FOUND") return ErrorKind::provider_not_found;
  if (s == "RESOURCE_EXHAUSTED") {
    if (f.per_day_quota || f.reason.find("BILLING") != std::string::npos) {
      return ErrorKind::provider_quota_exhausted;
    }
    return ErrorKind::provider_rate_limited;
  }
  if (s == "UNAVAILABLE") return ErrorKind::provider_overloaded;
  if (s == "INTERNAL" || s == "UNKNOWN" || s == "DATA_LOSS" || s == "ABORTED" || s == "CANCELLED") {
    return ErrorKind::provider_server_error;
  }
  if (s == "DEADLINE_EXCEEDED") return ErrorKind::provider_timeout;
  if (s == "OUT_OF_RANGE" || s == "ALREADY_EXISTS") return ErrorKind::provider_invalid_request;
  return std::nullopt;
}

ErrorKind kind_from_http_status(int status) {
  switch (status) {
    case 400:
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
    case 503:
      return ErrorKind::provider_unavailable;
    default:
      break;
  }
  if (status == 0 || (status >= 200 && status < 300)) return ErrorKind::provider_server_error;
  if (status >= 500 && status < 600) return ErrorKind::provider_server_error;
  if (status >= 400 && status < 500) return ErrorKind::provider_invalid_request;
  return ErrorKind::provider_bad_response;
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

bool context_too_long(const StatusFields& f) {
  return f.status == "INVALID_ARGUMENT" &&
         f.message.find("input token count") != std::string::npos &&
         f.message.find("exceeds the maximum") != std::string::npos;
}

Error map_error(int status, const StatusFields& f) {
  const int effective = status != 0 ? status : static_cast<int>(f.code);
  const ErrorKind kind = kind_from_status_name(f).value_or(kind_from_http_status(effective));
  std::string code = f.reason.empty() ? f.status : f.reason;
  if (context_too_long(f)) code = "context_length_exceeded";
  std::string message = truncate_utf8(f.message, kMaxProviderMessage);
  if (message.empty()) {
    message = "the provider answered HTTP " + std::to_string(effective);
    if (!f.status.empty()) message += " " + f.status;
  }
  Error e = Error::make(kind, std::move(message), std::move(code));
  e.upstream_status = status;
  if (f.retry_delay) e.retry_after = *f.retry_delay;
  return e;
}

}  // namespace

void append_error_envelope(std::string& out, const Error& error) {
  out.append(R"({"error":{"code":)");
  json_int_append(out, http_status(error.kind));
  out.append(R"(,"message":)");
  json_quote_append(out, error.message);
  out.append(R"(,"status":)");
  json_quote_append(out, google_status(error.kind));
  out.append("}}");
}

std::string encode_error_envelope(const Error& error) {
  std::string out;
  out.reserve(96 + error.message.size());
  append_error_envelope(out, error);
  return out;
}

Error decode_error_value(int status, const json::value& body) {
  return map_error(status, extract(body));
}

Error decode_upstream_error(int status, std::string_view retry_after_header,
                            std::string_view body) {
  StatusFields fields;
  if (Result<json::value> parsed = parse_json(body, ErrorKind::provider_bad_response)) {
    fields = extract(parsed.value());
  }
  Error e = map_error(status, fields);
  if (e.retry_after.count() == 0) {
    if (auto delay = parse_retry_after(retry_after_header)) e.retry_after = *delay;
  }
  return e;
}

}  // namespace gw::gemini
