// A provider base URL split once at config load: scheme, host, port and path prefix.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace gw::http {

struct Endpoint {
  bool tls = false;
  std::string host;
  std::uint16_t port = 0;
  std::string prefix;       // path prefix without trailing '/', may be empty
  std::string host_header;  // "host" or "host:port"
  std::string pool_key;     // "https://host:443"

  static Result<Endpoint> parse(std::string_view base_url);
};

}  // namespace gw::http
