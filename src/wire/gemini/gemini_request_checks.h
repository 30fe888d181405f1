// Internal to the Gemini request decoder: Gemini-style validation errors (the message and
// `param` name the field path), snake_case → camelCase key folding and typed field readers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/result.h"

namespace gw::gemini::detail {

// caller_invalid_request "Invalid value at '<path>': <detail>" with param = path.
Error invalid(const std::string& path, std::string_view detail, std::string code = "invalid_value");
// "Invalid value at 'p': expected X, but got Y." (invalid_type)
Error wrong_type(const std::string& path, std::string_view expected, const boost::json::value& got);
// "Missing required field 'p'." (missing_required_parameter)
Error missing(const std::string& path);
// Google's wording for a name it does not know (unknown_field).
Error unknown_field(const std::string& path, std::string_view key);
// A valid Gemini feature the gateway does not translate (unsupported).
Error unsupported(const std::string& path, std::string_view detail);

// Field paths: at("contents", 2) == "contents[2]", dot("contents[2]", "parts"); dot("", k) == k.
std::string at(std::string_view base, std::size_t i);
std::string dot(std::string_view base, std::string_view key);

// Google accepts proto field names in both spellings: "inline_data" and "inlineData" are the
// same field. Returns the lowerCamelCase spelling.
std::string camel(std::string_view key);

// Rejects strings (and keys) containing NUL and numbers that overflowed to infinity anywhere in
// the document; `path` is a scratch buffer that names the offending field.
Status check_values(const boost::json::value& v, std::string& path);

Status get_string(const boost::json::value& v, const std::string& path, std::string& out);
Status get_bool(const boost::json::value& v, const std::string& path, bool& out);
Status get_int(const boost::json::value& v, const std::string& path, std::int64_t& out);
// A number within [lo, hi].
Status get_number(const boost::json::value& v, const std::string& path, double lo, double hi,
                  double& out);
Status get_object(const boost::json::value& v, const std::string& path,
                  const boost::json::object*& out);

}  // namespace gw::gemini::detail
