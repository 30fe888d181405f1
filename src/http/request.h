// One inbound HTTP request as handlers see it: method, target, lower-cased headers, whole body.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw::http {

struct Header {
  std::string name;  // lower-case
  std::string value;
};

struct Request {
  std::string method;
  std::string target;  // path plus query as sent
  std::vector<Header> headers;
  std::string body;
  std::string remote;  // peer address, "ip:port"

  // The first header with this (lower-case) name, or an empty view.
  std::string_view header(std::string_view lower_name) const;
  std::size_t header_count(std::string_view lower_name) const;
  std::string_view path() const;   // target without the query
  std::string_view query() const;  // after '?', or empty
};

}  // namespace gw::http
