// Compact JSON text the way Ollama (Go's encoding/json) writes it: Boost.JSON 1.81 prints 0.7 as
// "7E-1", which every parser accepts but a client reading tool-call arguments should not see.
#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace gw::ollama {

// {"a":0.7,"b":[1,true,null]}: object key order kept, doubles in their shortest round-trip form.
std::string compact_json(const boost::json::value& value);
void append_compact_json(std::string& out, const boost::json::value& value);

}  // namespace gw::ollama
