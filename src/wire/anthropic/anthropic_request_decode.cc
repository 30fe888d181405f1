// decode_messages_request: Anthropic Messages body → canonical ChatRequest, with Messages-API
// style validation errors (param = dotted field path). Messages: anthropic_message_decode.cc.
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "wire/anthropic/anthropic_request.h"
#include "wire/anthropic/anthropic_request_checks.h"
#include "wire/json_read.h"

namespace gw::anthropic {
namespace {

namespace json = boost::json;
using detail::at;
using detail::bad_value;
using detail::block_type;
using detail::dot;
using detail::field;
using detail::get_bool;
using detail::get_int;
using detail::get_number;
using detail::get_string;
using detail::invalid;
using detail::missing;
using detail::to_std;
using detail::unsupported;
using detail::wrong_type;

bool valid_tool_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status system_prompt(const json::value& v, ChatRequest& out) {
  const std::string path = "system";
  if (v.is_string()) {
    if (!v.get_string().empty())
      out.system.push_back(ContentBlock::make_text(to_std(v.get_string())));
    return {};
  }
  if (!v.is_array()) return wrong_type(path, "a valid string or a list of text blocks", v);
  const json::array& blocks = v.get_array();
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const std::string p = at(path, i);
    if (!blocks[i].is_object()) return wrong_type(p, "a valid dictionary", blocks[i]);
    const json::object& b = blocks[i].get_object();
    std::string type;
    if (auto s = block_type(b, p, type); !s) return s;
    if (type != "text") return bad_value(dot(p, "type"), type, "'text'");
    const json::value* text = field(b, "text");
    if (text == nullptr) return missing(dot(p, "text"));
    std::string t;
    if (auto s = get_string(*text, dot(p, "text"), t); !s) return s;
    out.system.push_back(ContentBlock::make_text(std::move(t)));
  }
  return {};
}

Status tool(const json::value& v, const std::string& path, ChatRequest& out) {
  if (!v.is_object()) return wrong_type(path, "a valid dictionary", v);
  const json::object& t = v.get_object();
  if (const json::value* type = field(t, "type")) {
    std::string ty;
    if (auto s = get_string(*type, dot(path, "type"), ty); !s) return s;
    // Server tools (web_search_20250305, bash_20250124, …) run inside Anthropic's API; a gateway
    // that may route the request elsewhere cannot honour them.
    if (ty != "custom") return unsupported(dot(path, "type"), "tool type '" + ty + "'");
  }
  ToolSpec spec;
  const json::value* name = field(t, "name");
  if (name == nullptr) return missing(dot(path, "name"));
  if (auto s = get_string(*name, dot(path, "name"), spec.name); !s) return s;
  if (!valid_tool_name(spec.name)) {
    return invalid(dot(path, "name"), "String should match pattern '^[a-zA-Z0-9_-]{1,64}$'.",
                   "invalid_value");
  }
  if (const json::value* d = field(t, "description")) {
    if (auto s = get_string(*d, dot(path, "description"), spec.description); !s) return s;
  }
  const json::value* schema = field(t, "input_schema");
  if (schema == nullptr) return missing(dot(path, "input_schema"));
  if (!schema->is_object())
    return wrong_type(dot(path, "input_schema"), "a valid dictionary", *schema);
  spec.parameters = *schema;
  if (const json::value* strict = field(t, "strict")) {
    bool b = false;
    if (auto s = get_bool(*strict, dot(path, "strict"), b); !s) return s;
    spec.strict = b;
  }
  out.tools.push_back(std::move(spec));
  return {};
}

Status tools(const json::value& v, ChatRequest& out) {
  if (!v.is_array()) return wrong_type("tools", "a valid list", v);
  const json::array& arr = v.get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (auto s = tool(arr[i], at("tools", i), out); !s) return s;
  }
  return {};
}

Status tool_choice(const json::value& v, ChatRequest& out) {
  const std::string path = "tool_choice";
  if (!v.is_object()) return wrong_type(path, "a valid dictionary", v);
  const json::object& o = v.get_object();
  std::string type;
  if (auto s = block_type(o, path, type); !s) return s;
  ToolChoice& c = out.tool_choice;
  if (type == "auto") {
    c.mode = ToolChoice::Mode::auto_;
  } else if (type == "any") {
    c.mode = ToolChoice::Mode::required;
  } else if (type == "none") {
    c.mode = ToolChoice::Mode::none;
  } else if (type == "tool") {
    c.mode = ToolChoice::Mode::named;
    const json::value* name = field(o, "name");
    if (name == nullptr) return missing(dot(path, "name"));
    if (auto s = get_string(*name, dot(path, "name"), c.name); !s) return s;
  } else {
    return bad_value(dot(path, "type"), type, "'auto', 'any', 'tool' or 'none'");
  }
  if (const json::value* d = field(o, "disable_parallel_tool_use")) {
    if (type == "none")
      return unsupported(dot(path, "disable_parallel_tool_use"),
                         "'disable_parallel_tool_use' with type 'none'");
    bool disable = false;
    if (auto s = get_bool(*d, dot(path, "disable_parallel_tool_use"), disable); !s) return s;
    out.parallel_tool_calls = !disable;
  }
  return {};
}

Status stop_sequences(const json::value& v, ChatRequest& out) {
  if (!v.is_array()) return wrong_type("stop_sequences", "a valid list", v);
  const json::array& arr = v.get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string s;
    if (auto st = get_string(arr[i], at("stop_sequences", i), s); !st) return st;
    out.stop.push_back(std::move(s));
  }
  return {};
}

Status metadata(const json::value& v, ChatRequest& out) {
  if (!v.is_object()) return wrong_type("metadata", "a valid dictionary", v);
  if (const json::value* id = field(v.get_object(), "user_id")) {
    if (auto s = get_string(*id, "metadata.user_id", out.user); !s) return s;
  }
  return {};
}

Status max_tokens(const json::value& v, ChatRequest& out) {
  std::int64_t n = 0;
  if (auto s = get_int(v, "max_tokens", n); !s) return s;
  if (n < 1) {
    return invalid("max_tokens",
                   "Input should be greater than or equal to 1, got " + std::to_string(n) + ".",
                   "invalid_value");
  }
  out.max_tokens = n;
  return {};
}

// One top-level member; false when it has no canonical meaning (it then goes to extra).
Result<bool> top_level_field(std::string_view key, const json::value& v, ChatRequest& out) {
  const std::string k(key);
  Status s;
  if (key == "model") {
    s = get_string(v, k, out.model);
  } else if (key == "messages") {
    if (!v.is_array()) return wrong_type(k, "a valid list", v);
    const json::array& arr = v.get_array();
    if (arr.empty()) {
      return invalid(k, "List should have at least 1 item after validation, not 0.", "empty_array");
    }
    for (std::size_t i = 0; i < arr.size() && s.ok(); ++i) {
      s = detail::decode_message(arr[i], at(k, i), i + 1 == arr.size(), out);
    }
  } else if (key == "system") {
    s = system_prompt(v, out);
  } else if (key == "tools") {
    s = tools(v, out);
  } else if (key == "tool_choice") {
    s = tool_choice(v, out);
  } else if (key == "max_tokens") {
    s = max_tokens(v, out);
  } else if (key == "temperature") {
    double d = 0;
    s = get_number(v, k, 0.0, 1.0, d);
    out.temperature = d;
  } else if (key == "top_p") {
    double d = 0;
    s = get_number(v, k, 0.0, 1.0, d);
    out.top_p = d;
  } else if (key == "top_k") {
    std::int64_t n = 0;
    s = get_int(v, k, n);
    if (s && n < 0)
      return invalid(k, "Input should be greater than or equal to 0.", "invalid_value");
    if (s) return false;  // validated, then kept in extra: no canonical meaning
  } else if (key == "stop_sequences") {
    s = stop_sequences(v, out);
  } else if (key == "stream") {
    s = get_bool(v, k, out.stream);
    out.include_usage = out.stream;
  } else if (key == "metadata") {
    s = metadata(v, out);
    if (s) return false;  // the rest of metadata has no canonical meaning
  } else {
    return false;
  }
  if (!s) return std::move(s).error();
  return true;
}

}  // namespace

Result<ChatRequest> decode_messages_request(std::string_view body) {
  Result<json::value> parsed = parse_json(body, ErrorKind::caller_invalid_request);
  if (!parsed) {
    Error e = std::move(parsed).error();
    e.message = "request body: " + e.message;
    return e;
  }
  const json::value& root = parsed.value();
  if (!root.is_object()) {
    return invalid("",
                   "request body: Input should be a valid dictionary, got " +
                       std::string(json_kind_name(root)) + ".",
                   "invalid_type");
  }
  std::string path;
  if (auto s = detail::check_values(root, path); !s) return std::move(s).error();

  const json::object& obj = root.get_object();
  ChatRequest out;
  for (const auto& kv : obj) {
    if (kv.value().is_null()) continue;  // null means "not given"
    Result<bool> known = top_level_field(kv.key(), kv.value(), out);
    if (!known) return std::move(known).error();
    if (!known.value()) out.extra.emplace(kv.key(), kv.value());
  }
  if (field(obj, "model") == nullptr) return missing("model");
  if (out.model.empty())
    return invalid("model", "String should have at least 1 character.", "invalid_value");
  if (field(obj, "max_tokens") == nullptr) return missing("max_tokens");
  if (field(obj, "messages") == nullptr) return missing("messages");

  if (out.tools.empty()) {
    if (out.tool_choice.mode == ToolChoice::Mode::required ||
        out.tool_choice.mode == ToolChoice::Mode::named) {
      return invalid("tool_choice", "tool_choice may only be specified while providing tools.",
                     "invalid_value");
    }
    // auto/none without tools change nothing.
    out.tool_choice = ToolChoice{};
    out.parallel_tool_calls.reset();
  }
  return out;
}

}  // namespace gw::anthropic
