#include "http/endpoint.h"

#include <boost/url/parse.hpp>

namespace gw::http {

Result<Endpoint> Endpoint::parse(std::string_view base_url) {
  auto u = boost::urls::parse_uri(base_url);
  if (!u)
    return Error::make(ErrorKind::gateway_internal, "invalid base_url: " + std::string(base_url));
  Endpoint ep;
  std::string scheme(u->scheme());
  if (scheme == "https") {
    ep.tls = true;
  } else if (scheme != "http") {
    return Error::make(ErrorKind::gateway_internal, "base_url scheme must be http or https");
  }
  ep.host = std::string(u->encoded_host());
  if (ep.host.size() >= 2 && ep.host.front() == '[')
    ep.host = ep.host.substr(1, ep.host.size() - 2);
  if (ep.host.empty()) return Error::make(ErrorKind::gateway_internal, "base_url has no host");
  ep.port = u->has_port() ? u->port_number() : (ep.tls ? 443 : 80);
  ep.prefix = std::string(u->encoded_path());
  while (!ep.prefix.empty() && ep.prefix.back() == '/') ep.prefix.pop_back();
  bool default_port = (ep.tls && ep.port == 443) || (!ep.tls && ep.port == 80);
  ep.host_header = default_port ? std::string(u->encoded_host())
                                : std::string(u->encoded_host()) + ":" + std::to_string(ep.port);
  ep.pool_key = scheme + "://" + ep.host + ":" + std::to_string(ep.port);
  return ep;
}

}  // namespace gw::http
