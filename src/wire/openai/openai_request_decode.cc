// decode_chat_request: OpenAI Chat Completions body → canonical ChatRequest, with OpenAI-style
// validation errors (message, param = field path, code). Messages: openai_message_decode.cc.
#include <string>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "wire/json_read.h"
#include "wire/openai/openai_request.h"
#include "wire/openai/openai_request_checks.h"

namespace gw::openai {
namespace {

namespace json = boost::json;
using detail::at;
using detail::bad_value;
using detail::check_values;
using detail::decode_message;
using detail::dot;
using detail::empty_array;
using detail::field;
using detail::get_bool;
using detail::get_int;
using detail::get_number;
using detail::get_string;
using detail::invalid;
using detail::missing;
using detail::part_type;
using detail::to_std;
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

Status tools(json::value& v, ChatRequest& out) {
  const std::string path = "tools";
  if (!v.is_array()) return wrong_type(path, "an array", v);
  json::array& arr = v.get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string p = at(path, i);
    if (!arr[i].is_object()) return wrong_type(p, "an object", arr[i]);
    json::object& t = arr[i].get_object();
    std::string type;
    if (auto s = part_type(t, p, type); !s) return s;
    if (type != "function") return bad_value(dot(p, "type"), type, "'function'");
    const std::string fp = dot(p, "function");
    json::value* fn = field(t, "function");
    if (fn == nullptr) return missing(fp);
    if (!fn->is_object()) return wrong_type(fp, "an object", *fn);
    json::object& f = fn->get_object();
    ToolSpec spec;
    json::value* name = field(f, "name");
    if (name == nullptr) return missing(dot(fp, "name"));
    if (auto s = get_string(*name, dot(fp, "name"), spec.name); !s) return s;
    if (!valid_tool_name(spec.name)) {
      return invalid("Invalid '" + dot(fp, "name") +
                         "': string does not match pattern. Expected a string that matches the "
                         "pattern '^[a-zA-Z0-9_-]{1,64}$'.",
                     dot(fp, "name"), "invalid_value");
    }
    if (json::value* d = field(f, "description")) {
      if (auto s = get_string(*d, dot(fp, "description"), spec.description); !s) return s;
    }
    if (json::value* params = field(f, "parameters")) {
      if (!params->is_object()) return wrong_type(dot(fp, "parameters"), "an object", *params);
      spec.parameters = std::move(*params);
    }
    if (json::value* strict = field(f, "strict")) {
      bool b = false;
      if (auto s = get_bool(*strict, dot(fp, "strict"), b); !s) return s;
      spec.strict = b;
    }
    out.tools.push_back(std::move(spec));
  }
  return {};
}

Status tool_choice(json::value& v, ToolChoice& out) {
  const std::string path = "tool_choice";
  if (v.is_string()) {
    const json::string& s = v.get_string();
    if (s == "auto") {
      out.mode = ToolChoice::Mode::auto_;
    } else if (s == "none") {
      out.mode = ToolChoice::Mode::none;
    } else if (s == "required") {
      out.mode = ToolChoice::Mode::required;
    } else {
      return bad_value(path, std::string_view(s.data(), s.size()),
                       "'none', 'auto', and 'required'");
    }
    return {};
  }
  if (!v.is_object()) return wrong_type(path, "one of a string or object", v);
  json::object& o = v.get_object();
  std::string type;
  if (auto s = part_type(o, path, type); !s) return s;
  if (type != "function") return bad_value(dot(path, "type"), type, "'function'");
  json::value* fn = field(o, "function");
  if (fn == nullptr) return missing(dot(path, "function"));
  if (!fn->is_object()) return wrong_type(dot(path, "function"), "an object", *fn);
  json::value* name = field(fn->get_object(), "name");
  if (name == nullptr) return missing(dot(path, "function.name"));
  if (auto s = get_string(*name, dot(path, "function.name"), out.name); !s) return s;
  out.mode = ToolChoice::Mode::named;
  return {};
}

Status response_format(json::value& v, ResponseFormat& out) {
  const std::string path = "response_format";
  if (!v.is_object()) return wrong_type(path, "an object", v);
  json::object& o = v.get_object();
  std::string type;
  if (auto s = part_type(o, path, type); !s) return s;
  if (type == "text") {
    out.type = ResponseFormat::Type::text;
  } else if (type == "json_object") {
    out.type = ResponseFormat::Type::json_object;
  } else if (type == "json_schema") {
    out.type = ResponseFormat::Type::json_schema;
    const std::string p = dot(path, "json_schema");
    json::value* js = field(o, "json_schema");
    if (js == nullptr) return missing(p);
    if (!js->is_object()) return wrong_type(p, "an object", *js);
    json::object& schema = js->get_object();
    json::value* name = field(schema, "name");
    if (name == nullptr) return missing(dot(p, "name"));
    if (auto s = get_string(*name, dot(p, "name"), out.name); !s) return s;
    if (json::value* sc = field(schema, "schema")) {
      if (!sc->is_object()) return wrong_type(dot(p, "schema"), "an object", *sc);
      out.schema = std::move(*sc);
    }
    if (json::value* strict = field(schema, "strict")) {
      bool b = false;
      if (auto s = get_bool(*strict, dot(p, "strict"), b); !s) return s;
      out.strict = b;
    }
    if (json::value* d = field(schema, "description")) {
      if (auto s = get_string(*d, dot(p, "description"), out.description); !s) return s;
    }
  } else {
    return bad_value(dot(path, "type"), type, "'text', 'json_object', and 'json_schema'");
  }
  return {};
}

Status max_tokens(json::value& v, const std::string& path, ChatRequest& out) {
  std::int64_t n = 0;
  if (auto s = get_int(v, path, n); !s) return s;
  if (n < 1) {
    return invalid("Invalid '" + path +
                       "': integer below minimum value. Expected a value >= 1, but got " +
                       std::to_string(n) + " instead.",
                   path, "integer_below_min_value");
  }
  out.max_tokens = n;
  return {};
}

Status stop(json::value& v, ChatRequest& out) {
  if (v.is_string()) {
    out.stop.push_back(to_std(v.get_string()));
    return {};
  }
  if (!v.is_array()) return wrong_type("stop", "one of a string or array of strings", v);
  const json::array& arr = v.get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string s;
    if (auto st = get_string(arr[i], at("stop", i), s); !st) return st;
    out.stop.push_back(std::move(s));
  }
  return {};
}

// One top-level member; false when it has no canonical meaning (it then goes to extra).
Result<bool> top_level_field(std::string_view key, json::value& v, ChatRequest& out,
                             std::optional<std::int64_t>& max_completion_tokens) {
  const std::string k(key);
  Status s;
  if (key == "model") {
    s = get_string(v, k, out.model);
  } else if (key == "messages") {
    if (!v.is_array()) return wrong_type(k, "an array", v);
    json::array& arr = v.get_array();
    if (arr.empty()) return empty_array(k);
    for (std::size_t i = 0; i < arr.size() && s.ok(); ++i)
      s = decode_message(arr[i], at(k, i), out);
  } else if (key == "tools") {
    s = tools(v, out);
  } else if (key == "tool_choice") {
    s = tool_choice(v, out.tool_choice);
  } else if (key == "parallel_tool_calls") {
    bool b = false;
    s = get_bool(v, k, b);
    out.parallel_tool_calls = b;
  } else if (key == "response_format") {
    s = response_format(v, out.response_format);
  } else if (key == "max_tokens") {
    s = max_tokens(v, k, out);
  } else if (key == "max_completion_tokens") {
    ChatRequest tmp;
    s = max_tokens(v, k, tmp);
    max_completion_tokens = tmp.max_tokens;
  } else if (key == "temperature") {
    double d = 0;
    s = get_number(v, k, 0.0, 2.0, d);
    out.temperature = d;
  } else if (key == "top_p") {
    double d = 0;
    s = get_number(v, k, 0.0, 1.0, d);
    out.top_p = d;
  } else if (key == "seed") {
    std::int64_t n = 0;
    s = get_int(v, k, n);
    out.seed = n;
  } else if (key == "stop") {
    s = stop(v, out);
  } else if (key == "user") {
    s = get_string(v, k, out.user);
  } else if (key == "stream") {
    s = get_bool(v, k, out.stream);
  } else if (key == "stream_options") {
    if (!v.is_object()) return wrong_type(k, "an object", v);
    if (json::value* iu = field(v.get_object(), "include_usage")) {
      s = get_bool(*iu, "stream_options.include_usage", out.include_usage);
    }
  } else {
    return false;
  }
  if (!s) return std::move(s).error();
  return true;
}

}  // namespace

Result<ChatRequest> decode_chat_request(std::string_view body) {
  Result<json::value> parsed = parse_json(body, ErrorKind::caller_invalid_request);
  if (!parsed) return std::move(parsed).error();
  json::value& root = parsed.value();
  if (!root.is_object()) {
    return invalid("Invalid request body: expected a JSON object, but got " +
                       std::string(json_kind_name(root)) + " instead.",
                   "", "invalid_type");
  }
  std::string path;
  if (auto s = check_values(root, path); !s) return std::move(s).error();

  json::object& obj = root.get_object();
  ChatRequest out;
  std::optional<std::int64_t> max_completion_tokens;
  for (auto& kv : obj) {
    if (kv.value().is_null()) continue;  // OpenAI treats an explicit null as "not given"
    Result<bool> known = top_level_field(kv.key(), kv.value(), out, max_completion_tokens);
    if (!known) return std::move(known).error();
    if (!known.value()) out.extra.emplace(kv.key(), std::move(kv.value()));
  }
  if (out.model.empty()) return missing("model");
  if (json::value* m = field(obj, "messages"); m == nullptr) return missing("messages");
  if (max_completion_tokens) out.max_tokens = max_completion_tokens;  // the current name wins

  if (out.tools.empty()) {
    if (out.tool_choice.mode == ToolChoice::Mode::required ||
        out.tool_choice.mode == ToolChoice::Mode::named) {
      return invalid(
          "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
          "specified.",
          "tool_choice", "invalid_value");
    }
    // "auto"/"none" without tools mean nothing; OpenAI rejects parallel_tool_calls there.
    out.tool_choice = ToolChoice{};
    out.parallel_tool_calls.reset();
  }
  return out;
}

}  // namespace gw::openai
