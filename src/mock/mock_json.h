// JSON text the way LLM providers write it. Boost.JSON's serializer prints doubles as "1.5E0"
// and has no indentation in 1.81; providers print "1.5" and OpenAI pretty-prints non-streamed
// bodies with a 2-space indent (test/fixtures/providers/openai/*.json). Key order is kept.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace gw::mock {

// Compact: {"a":1,"b":[true,null]}
std::string json_compact(const boost::json::value& value);
// Pretty, 2-space indent, ": " after keys, empty containers as {} and [], no trailing newline.
std::string json_pretty(const boost::json::value& value);
// A JSON string literal (with quotes) for `text`, escaping quotes, backslashes and controls.
std::string json_quote(std::string_view text);
void append_json_quoted(std::string& out, std::string_view text);

}  // namespace gw::mock
