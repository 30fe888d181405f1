// Internal to the Anthropic request decoder (anthropic_request_decode.cc,
// anthropic_message_decode.cc): validation errors in the Messages API's style ("<path>: <what is
// wrong>", param = the dotted path) and typed field readers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include "common/result.h"
#include "model/chat.h"

namespace gw::anthropic::detail {

// caller_invalid_request "<param>: <problem>" with `param` and `code` set.
Error invalid(const std::string& param, std::string_view problem, std::string code);
// "<p>: Field required." (missing_required_parameter)
Error missing(const std::string& param);
// "<p>: Input should be <expected>, got <kind>." (invalid_type)
Error wrong_type(const std::string& param, std::string_view expected,
                 const boost::json::value& got);
// "<p>: Input should be <supported>, got '<got>'." (invalid_value)
Error bad_value(const std::string& param, std::string_view got, std::string_view supported);
// "<p>: <what> is not supported by this gateway." (unsupported_value)
Error unsupported(const std::string& param, std::string_view what);

// Field paths: at("messages", 2) == "messages.2", dot("messages.2", "content").
std::string at(std::string_view base, std::size_t i);
std::string dot(std::string_view base, std::string_view key);
std::string to_std(const boost::json::string& s);

// The member `key`, or nullptr when absent or null (the API treats null as "not given").
const boost::json::value* field(const boost::json::object& o, std::string_view key);

// Rejects strings (and keys) containing NUL and numbers that overflowed to infinity anywhere in
// the document; `path` is a scratch buffer that names the offending field.
Status check_values(const boost::json::value& v, std::string& path);

Status get_string(const boost::json::value& v, const std::string& path, std::string& out);
Status get_bool(const boost::json::value& v, const std::string& path, bool& out);
Status get_int(const boost::json::value& v, const std::string& path, std::int64_t& out);
// A number within [lo, hi].
Status get_number(const boost::json::value& v, const std::string& path, double lo, double hi,
                  double& out);
// An object member that must be present, non-null and an object.
Result<const boost::json::object*> required_object(const boost::json::object& o,
                                                   std::string_view key, const std::string& path);
// A content block's or tool's "type", which must be a string when present.
Status block_type(const boost::json::object& block, const std::string& path, std::string& type);

// messages.i → one or more canonical messages appended to out.messages. `last` says whether
// this is the final message (the only one allowed to have empty assistant content).
Status decode_message(const boost::json::value& v, const std::string& path, bool last,
                      ChatRequest& out);

}  // namespace gw::anthropic::detail
