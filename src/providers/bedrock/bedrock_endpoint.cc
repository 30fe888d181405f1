// Base-URL splitting for signing (see bedrock_endpoint.h), kept in step with http::Endpoint so
// the signed Host is the one the upstream client sends.
#include "providers/bedrock/bedrock_endpoint.h"

#include "providers/bedrock/sigv4.h"

namespace gw::bedrock {
namespace {

Error invalid(std::string_view base_url, std::string_view why) {
  return Error::make(ErrorKind::gateway_internal,
                     "invalid base_url \"" + std::string(base_url) + "\": " + std::string(why),
                     "invalid_provider_config");
}

}  // namespace

std::string default_base_url(std::string_view region) {
  return "https://bedrock-runtime." + std::string(region) + ".amazonaws.com";
}

Result<BedrockEndpoint> parse_endpoint(std::string_view base_url) {
  std::string_view rest = base_url;
  std::string_view default_port;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
    default_port = "443";
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
    default_port = "80";
  } else {
    return invalid(base_url, "the scheme must be http or https");
  }
  const std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view path = end == std::string_view::npos ? "" : rest.substr(end);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  // The port follows the last ':' unless that colon is inside an IPv6 literal.
  std::string_view host = authority;
  std::string_view port;
  if (const std::size_t colon = authority.rfind(':');
      colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return invalid(base_url, "no host");
  for (char c : port) {
    if (c < '0' || c > '9') return invalid(base_url, "the port is not a number");
  }
  while (port.size() > 1 && port.front() == '0') port.remove_prefix(1);
  if (const std::size_t q = path.find_first_of("?#"); q != std::string_view::npos) {
    path = path.substr(0, q);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);

  BedrockEndpoint ep;
  ep.host_header = std::string(host);
  if (!port.empty() && port != default_port) ep.host_header += ":" + std::string(port);
  ep.prefix = std::string(path);
  return ep;
}

std::string model_path(std::string_view model_id, bool stream) {
  return "/model/" + sigv4::uri_encode(model_id) + (stream ? "/converse-stream" : "/converse");
}

}  // namespace gw::bedrock
