// Anthropic-dialect errors in both directions: the envelope the gateway sends to Anthropic
// clients, and the parser that turns an Anthropic error answer (or an in-band `event: error`)
// into a typed Error (error type first, HTTP status second, retry-after kept).
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "common/error.h"

namespace gw::anthropic {

// {"type":"error","error":{"type":anthropic_type(kind),"message":…}}
std::string encode_error_envelope(const Error& error);
void append_error_envelope(std::string& out, const Error& error);

// Parses {"type":"error","error":{"type","message"},"request_id"?}. Mapping, type first:
//   invalid_request_error → provider_invalid_request, except a "credit balance is too low"
//     message → provider_quota_exhausted (code insufficient_quota) and "prompt is too long" →
//     code context_length_exceeded;
//   authentication_error, permission_error → provider_auth; not_found_error →
//   provider_not_found; request_too_large → provider_invalid_request; rate_limit_error →
//   provider_rate_limited; billing_error → provider_quota_exhausted; overloaded_error →
//   provider_overloaded; timeout_error → provider_timeout; api_error → by status (503
//   provider_unavailable, 504 provider_timeout, else provider_server_error).
// Without a known type, by status: 400/413/422 and other 4xx → provider_invalid_request;
// 401/403 → provider_auth; 402 → provider_quota_exhausted; 404 → provider_not_found; 408/504 →
// provider_timeout; 429 → provider_rate_limited; 503 → provider_unavailable; 529 →
// provider_overloaded; 500 and other 5xx → provider_server_error.
// The provider's message is kept (at most 1000 bytes, cut at a UTF-8 boundary; the pipeline
// scrubs secrets); code is the Anthropic error type unless a sharper one is named above.
// retry_after comes from retry-after-ms, else retry-after. upstream_status is set.
Error decode_upstream_error(int status, std::string_view retry_after_header,
                            std::string_view retry_after_ms_header, std::string_view body);

// The same mapping for an already parsed body. status 0 means the error arrived inside a 200
// stream (`event: error`); without a known type it is a provider_server_error.
Error decode_error_value(int status, const boost::json::value& body);

}  // namespace gw::anthropic
