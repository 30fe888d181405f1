// The gateway's one error vocabulary. Two questions are answered separately (after Bifrost):
//   ErrorKind  — who is at fault (caller_*, policy_*, provider_*, gateway_*); drives the HTTP
//                status, each dialect's envelope and the metrics label;
//   RetryClass — what the router may do about it (never / retry / retry after a delay / fall back).
// One table (below) maps every kind to its status, each dialect's error type and its retry class.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gw {
// clang-format off
// X(name, http_status, openai_type, anthropic_type, google_status, retry_class)
#define GW_ERROR_KINDS(X)                                                                                         \
  X(caller_invalid_request, 400, "invalid_request_error", "invalid_request_error", "INVALID_ARGUMENT", never)     \
  X(caller_unauthenticated, 401, "authentication_error", "authentication_error", "UNAUTHENTICATED", never)        \
  X(caller_forbidden, 403, "permission_error", "permission_error", "PERMISSION_DENIED", never)                    \
  X(caller_not_found, 404, "not_found_error", "not_found_error", "NOT_FOUND", never)                              \
  X(caller_method_not_allowed, 405, "invalid_request_error", "invalid_request_error", "INVALID_ARGUMENT", never)  \
  X(caller_timeout, 408, "invalid_request_error", "invalid_request_error", "DEADLINE_EXCEEDED", never)            \
  X(caller_payload_too_large, 413, "invalid_request_error", "request_too_large", "INVALID_ARGUMENT", never)       \
  X(caller_headers_too_large, 431, "invalid_request_error", "invalid_request_error", "INVALID_ARGUMENT", never)   \
  X(policy_rate_limited, 429, "rate_limit_error", "rate_limit_error", "RESOURCE_EXHAUSTED", retry_after)          \
  X(policy_budget_exceeded, 429, "insufficient_quota", "rate_limit_error", "RESOURCE_EXHAUSTED", never)           \
  X(provider_invalid_request, 400, "invalid_request_error", "invalid_request_error", "INVALID_ARGUMENT", never)   \
  X(provider_auth, 502, "api_error", "api_error", "INTERNAL", fallback_only)                                      \
  X(provider_not_found, 404, "not_found_error", "not_found_error", "NOT_FOUND", fallback_only)                    \
  X(provider_rate_limited, 429, "rate_limit_error", "rate_limit_error", "RESOURCE_EXHAUSTED", retry_after)        \
  X(provider_quota_exhausted, 429, "insufficient_quota", "rate_limit_error", "RESOURCE_EXHAUSTED", fallback_only) \
  X(provider_overloaded, 503, "api_error", "overloaded_error", "UNAVAILABLE", retry)                              \
  X(provider_server_error, 502, "api_error", "api_error", "INTERNAL", retry)                                      \
  X(provider_unavailable, 503, "api_error", "api_error", "UNAVAILABLE", retry)                                    \
  X(provider_timeout, 504, "api_error", "api_error", "DEADLINE_EXCEEDED", retry)                                  \
  X(provider_bad_response, 502, "api_error", "api_error", "INTERNAL", retry)                                      \
  X(provider_stream_interrupted, 502, "api_error", "api_error", "INTERNAL", never)                                \
  X(gateway_unavailable, 503, "api_error", "api_error", "UNAVAILABLE", never)                                     \
  X(gateway_internal, 500, "api_error", "api_error", "INTERNAL", never)
// clang-format on
enum class ErrorKind : std::uint8_t {
#define GW_X(name, status, type, atype, gstatus, retry) name,
  GW_ERROR_KINDS(GW_X)
#undef GW_X
};

// What the router may do with a failed attempt.
enum class RetryClass : std::uint8_t {
  never,          // give up: the same request fails the same way anywhere
  retry,          // transient: retry with backoff, or fall back
  retry_after,    // rate limited: retry no sooner than retry_after, or fall back
  fallback_only,  // this target cannot serve (credential, quota, model): try the next target
};

enum class FaultDomain : std::uint8_t { caller, policy, provider, gateway };

struct Error {
  ErrorKind kind = ErrorKind::gateway_internal;
  RetryClass retry = RetryClass::never;
  std::string message;  // safe to show the client: never a secret, never a raw upstream body
  std::string code;     // machine-readable detail ("model_not_found", "context_length_exceeded")
  std::string param;    // the offending request field, when known
  int upstream_status = 0;  // provider HTTP status, 0 when the failure was not an HTTP answer
  std::chrono::milliseconds retry_after{0};  // from Retry-After / retry-after-ms / RetryInfo

  static Error make(ErrorKind kind, std::string message, std::string code = {});
};

int http_status(ErrorKind kind);
std::string_view name(ErrorKind kind);            // "caller_invalid_request"
std::string_view openai_type(ErrorKind kind);     // "invalid_request_error"
std::string_view anthropic_type(ErrorKind kind);  // "overloaded_error"
std::string_view google_status(ErrorKind kind);   // "RESOURCE_EXHAUSTED" (google.rpc.Code name)
RetryClass default_retry(ErrorKind kind);
FaultDomain fault_domain(ErrorKind kind);
std::string_view name(FaultDomain domain);

// Parses an HTTP Retry-After value (delta-seconds only; HTTP dates are treated as absent).
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);

}  // namespace gw
