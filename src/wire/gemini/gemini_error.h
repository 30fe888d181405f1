// Gemini errors in both directions: the google.rpc.Status envelope the gateway sends to Gemini
// clients, and the parser that turns a Gemini error answer into a typed Error (the status name
// and its details first, the HTTP status second, retry hints kept; STYLE.md "Errors").
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "common/error.h"

namespace gw::gemini {

// {"error":{"code":<http_status(kind)>,"message":…,"status":<google_status(kind)>}}.
std::string encode_error_envelope(const Error& error);
void append_error_envelope(std::string& out, const Error& error);

// Parses {"error":{"code","message","status","details":[…]}} (also wrapped in a one-element
// array, as the non-SSE stream sends it). Mapping, status name first:
//   INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID → provider_auth (Gemini answers a bad
//   key with 400); UNAUTHENTICATED, PERMISSION_DENIED → provider_auth; FAILED_PRECONDITION (API
//   not available in the caller's region or without billing) → provider_auth, so another target
//   is tried; NOT_FOUND → provider_not_found; RESOURCE_EXHAUSTED → provider_rate_limited, or
//   provider_quota_exhausted when a QuotaFailure names a per-day quota or an ErrorInfo reason
//   names billing; UNAVAILABLE → provider_overloaded; INTERNAL, UNKNOWN, DATA_LOSS, ABORTED,
//   CANCELLED → provider_server_error; DEADLINE_EXCEEDED → provider_timeout; other
//   INVALID_ARGUMENT, OUT_OF_RANGE → provider_invalid_request ("The input token count … exceeds
//   the maximum …" gets code "context_length_exceeded").
//   No status name: 400 → invalid request, 401/403 → auth, 404 → not found, 408/504 → timeout,
//   429 → rate limited, 503 → unavailable, other 5xx → server error, other 4xx → invalid request.
// The provider's message is kept (the pipeline scrubs secrets; DebugInfo details are never read);
// code is the specific code, else the ErrorInfo reason, else the status name. retry_after comes
// from RetryInfo.retryDelay ("34.4s"), else the Retry-After header. upstream_status = status.
Error decode_upstream_error(int status, std::string_view retry_after_header, std::string_view body);

// The same mapping for an already parsed body. status 0 means the error arrived inside a 2xx
// answer (an in-band stream record); the envelope's own code then stands in for the status.
Error decode_error_value(int status, const boost::json::value& body);

}  // namespace gw::gemini
