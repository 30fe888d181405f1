// Text encodings of a key's columns (see key_columns.h).
#include "keys/key_columns.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace gw::keys {

std::string encode_list(const std::vector<std::string>& values) {
  boost::json::array a;
  for (const auto& v : values) a.emplace_back(v);
  return boost::json::serialize(a);
}

std::vector<std::string> decode_list(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& item : v.get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

std::string encode_budget(const boost::json::object& budget) {
  return budget.empty() ? std::string() : boost::json::serialize(budget);
}

boost::json::object decode_budget(const std::string& text) {
  if (text.empty()) return {};
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  return std::move(v.get_object());
}

}  // namespace gw::keys
