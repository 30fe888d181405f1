// The parts of a Bedrock base URL that request signing needs: the Host header exactly as the
// upstream client will send it (http::Endpoint's rule: host, plus ":port" unless it is the
// scheme's default) and the path prefix that goes in front of every request path.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace gw::bedrock {

struct BedrockEndpoint {
  std::string host_header;  // "bedrock-runtime.us-east-1.amazonaws.com", "127.0.0.1:8080"
  std::string prefix;       // path prefix without a trailing '/', may be empty
};

// https://bedrock-runtime.<region>.amazonaws.com
std::string default_base_url(std::string_view region);

// Accepts http(s)://[userinfo@]host[:port][/prefix]; anything else → gateway_internal, code
// "invalid_provider_config".
Result<BedrockEndpoint> parse_endpoint(std::string_view base_url);

// "/model/{model id percent-encoded}/converse" or ".../converse-stream" (appended to the prefix
// by the upstream client). Every byte but A-Z a-z 0-9 - . _ ~ is encoded, so an ARN's ':' and
// '/' stay inside the one path segment.
std::string model_path(std::string_view model_id, bool stream);

}  // namespace gw::bedrock
