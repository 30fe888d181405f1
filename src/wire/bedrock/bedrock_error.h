// Bedrock errors in both directions: the typed Error for a non-2xx answer or an exception message
// inside a ConverseStream (exception type first, HTTP status second, Retry-After kept), and the
// exception names and bodies Bedrock sends, for the mock provider and the stream encoder.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace gw::bedrock {

// The exception type comes from the x-amzn-errortype header ("ThrottlingException:http://…"),
// else the body's "__type" ("…#ThrottlingException") or "code"; the message from the body's
// "message" or "Message" (kept, truncated to 500 bytes). Mapping, case-insensitive:
//   ThrottlingException, TooManyRequestsException → provider_rate_limited;
//   ServiceQuotaExceededException → provider_quota_exhausted;
//   ValidationException, ConflictException → provider_invalid_request, with code
//     "context_length_exceeded" when the message says the input is too long / has too many tokens;
//   AccessDeniedException, UnrecognizedClientException, InvalidSignatureException,
//     ExpiredTokenException, MissingAuthenticationTokenException, IncompleteSignatureException,
//     InvalidClientTokenId → provider_auth;
//   ResourceNotFoundException → provider_not_found;
//   ModelNotReadyException, ServiceUnavailableException → provider_unavailable;
//   ModelTimeoutException → provider_timeout;
//   InternalServerException, InternalFailure, ModelErrorException, ModelStreamErrorException →
//     provider_server_error (a model stream error whose originalStatusCode is 429 → rate limited);
// otherwise by status: 401/403 auth, 404 not found, 408/504 timeout, 429 rate limited,
// 503 unavailable, other 5xx server error, other 4xx invalid request. Error::code is the
// exception type (or context_length_exceeded); upstream_status is `status`.
Error decode_upstream_error(int status, std::string_view errortype_header,
                            std::string_view retry_after_header, std::string_view body);

// An exception message of a ConverseStream (":message-type" exception): `exception_type` is the
// ":exception-type" header (camelCase, e.g. "throttlingException"), `payload` its JSON body.
// Same mapping as above with status 0 (the answer itself was a 200): an unknown type is
// provider_server_error.
Error decode_stream_exception(std::string_view exception_type, std::string_view payload);

// The exception type Bedrock answers an HTTP status with (400 ValidationException, 403
// AccessDeniedException, 429 ThrottlingException, 503 ServiceUnavailableException, …).
std::string_view exception_for_status(int status);
// The ConverseStream exception event for a canonical error kind ("throttlingException",
// "validationException", "serviceUnavailableException", "modelStreamErrorException",
// "internalServerException").
std::string_view stream_exception_for(ErrorKind kind);
// The x-amzn-errortype header value for an exception type.
std::string errortype_header(std::string_view exception_type);
// {"message":"…"} — the body of every Bedrock runtime error.
std::string error_body(std::string_view message);

}  // namespace gw::bedrock
