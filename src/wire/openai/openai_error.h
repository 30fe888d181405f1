// OpenAI-dialect errors in both directions: the envelope the gateway sends to OpenAI clients, and
// the parser that turns an OpenAI-family provider's error answer into a typed Error (type/code
// first, HTTP status second, Retry-After kept; STYLE.md "Errors").
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "common/error.h"

namespace gw::openai {

// {"error":{"message","type","param","code"}}: type = openai_type(kind), param and code are null
// when empty.
std::string encode_error_envelope(const Error& error);
void append_error_envelope(std::string& out, const Error& error);

// Parses an error answer of OpenAI ({"error":{message,type,code,param}}), OpenAI-compatible
// servers (vLLM {"object":"error","message","type","code"}, Ollama /v1 {"error":{message,type}},
// Gemini's compat layer [{"error":{…}}]) and Ollama native ({"error":"text"}).
// Mapping, specific code/type first, then status:
//   insufficient_quota, billing_hard_limit_reached → provider_quota_exhausted;
//   rate_limit_exceeded (or 429)                   → provider_rate_limited;
//   invalid_api_key, authentication/permission errors (or 401/403) → provider_auth;
//   model_not_found (or 404)                       → provider_not_found;
//   context_length_exceeded (or 400/413/422/other 4xx) → provider_invalid_request;
//   overloaded_error (or 503/529) → provider_overloaded; 500 → provider_server_error;
//   502 → provider_unavailable; 504/408 → provider_timeout.
// Only a provider_invalid_request keeps the provider's own message (truncated to 500 bytes at a
// UTF-8 boundary) and param: it explains what was wrong with the client's request. Every other
// kind gets a generic message, so raw upstream text (which may echo a key) never reaches a client.
// retry_after comes from retry-after-ms, else Retry-After (delta-seconds). upstream_status is set.
Error decode_upstream_error(int status, std::string_view retry_after_header,
                            std::string_view retry_after_ms_header, std::string_view body);

// The same mapping for an already parsed body. status 0 means the error arrived inside a 2xx
// answer (an in-band stream error, or a 200 body that is an error object); without a specific
// code it is a provider_server_error.
Error decode_upstream_error_value(int status, const boost::json::value& body);

}  // namespace gw::openai
