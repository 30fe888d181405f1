// Internal to the OpenAI request decoder (openai_request_decode.cc, openai_message_decode.cc):
// OpenAI-style validation errors (message, param = field path, code) and typed field readers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include "common/result.h"
#include "model/chat.h"

namespace gw::openai::detail {

// caller_invalid_request with `param` set.
Error invalid(std::string message, std::string param, std::string code);
// "Invalid type for 'p': expected X, but got Y instead." (invalid_type)
Error wrong_type(const std::string& param, std::string_view expected,
                 const boost::json::value& got);
// "Missing required parameter: 'p'." (missing_required_parameter)
Error missing(const std::string& param);
// "Invalid value: 'v'. Supported values are: …." (invalid_value)
Error bad_value(const std::string& param, std::string_view got, std::string_view supported);
// "Invalid 'p': empty array. …" (empty_array)
Error empty_array(const std::string& param);

// Field paths: at("messages", 2) == "messages[2]", dot("messages[2]", "content").
std::string at(std::string_view base, std::size_t i);
std::string dot(std::string_view base, std::string_view key);
std::string to_std(const boost::json::string& s);

// The member `key`, or nullptr when absent or null (OpenAI treats null as "not given").
boost::json::value* field(boost::json::object& o, std::string_view key);

// Rejects strings (and keys) containing NUL and numbers that overflowed to infinity anywhere in
// the document; `path` is a scratch buffer that names the offending field.
Status check_values(const boost::json::value& v, std::string& path);

Status get_string(const boost::json::value& v, const std::string& path, std::string& out);
Status get_bool(const boost::json::value& v, const std::string& path, bool& out);
Status get_int(const boost::json::value& v, const std::string& path, std::int64_t& out);
// A number within [lo, hi] (decimal_below_min_value / decimal_above_max_value otherwise).
Status get_number(const boost::json::value& v, const std::string& path, double lo, double hi,
                  double& out);
// A part's or tool's required string "type".
Status part_type(const boost::json::object& part, const std::string& path, std::string& type);

// messages[i] → out.system (system/developer) or one out.messages entry.
Status decode_message(boost::json::value& v, const std::string& path, ChatRequest& out);

}  // namespace gw::openai::detail
