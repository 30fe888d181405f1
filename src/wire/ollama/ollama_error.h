// Ollama native errors in both directions: the {"error":"<text>"} body Ollama sends (and the mock
// renders), and the parser that turns an Ollama error answer into a typed Error. Ollama has no
// error codes, only a status and a sentence, so the sentence is read for the few failures a
// status alone cannot tell apart (a model without tool support is a 400 like any bad request).
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "common/error.h"

namespace gw::ollama {

// {"error":"<message>"}, compact, as Ollama writes it.
std::string encode_error_body(std::string_view message);

// Status first, then the message:
//   400 "... does not support tools"   → provider_invalid_request, code "tools_unsupported", retry
//                                         fallback_only (another target may well support tools);
//   400 "... context length ..."       → provider_invalid_request, code "context_length_exceeded";
//   other 400/413/422 and other 4xx    → provider_invalid_request;
//   401/403 → provider_auth; 404 → provider_not_found (code "model_not_found" when the message
//   names a model); 408/504 → provider_timeout; 429 → provider_rate_limited;
//   503 → provider_unavailable; 500, 502 and other 5xx → provider_server_error.
// The message is Ollama's own (truncated to 500 bytes at a UTF-8 boundary; the pipeline scrubs
// secrets), or "Ollama answered HTTP <status>" when the body has none. Retry-After
// (delta-seconds) becomes retry_after; upstream_status is set.
Error decode_upstream_error(int status, std::string_view retry_after_header, std::string_view body);

// An already parsed body. status 0 is an error line inside a 200 stream: provider_server_error
// unless the message says more (tool support, an unknown model).
Error decode_error_value(int status, const boost::json::value& body);

}  // namespace gw::ollama
