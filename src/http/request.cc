#include "http/request.h"

namespace gw::http {

std::string_view Request::header(std::string_view lower_name) const {
  for (const auto& h : headers) {
    if (h.name == lower_name) return h.value;
  }
  return {};
}

std::size_t Request::header_count(std::string_view lower_name) const {
  std::size_t n = 0;
  for (const auto& h : headers) n += h.name == lower_name ? 1 : 0;
  return n;
}

std::string_view Request::path() const {
  std::string_view t = target;
  auto q = t.find('?');
  return q == std::string_view::npos ? t : t.substr(0, q);
}

std::string_view Request::query() const {
  std::string_view t = target;
  auto q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

}  // namespace gw::http
