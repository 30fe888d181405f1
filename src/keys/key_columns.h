// How a key's lists and budget are kept in text columns, the same in both backends: personas
// and scopes as JSON arrays of strings, the budget as a JSON object or NULL for none.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace gw::keys {

std::string encode_list(const std::vector<std::string>& values);
// Anything but a JSON array of strings reads as empty (the table is ours).
std::vector<std::string> decode_list(const std::string& text);

// "" for no budget (stored as NULL).
std::string encode_budget(const boost::json::object& budget);
// "" or anything but a JSON object reads as no budget.
boost::json::object decode_budget(const std::string& text);

}  // namespace gw::keys
