// decode_chat_request: Ollama /api/chat body → canonical ChatRequest (see ollama_request.h).
// Errors use the wording Ollama's Go server produces (encoding/json, api.Options.FromMap), so the
// mock answers a broken body the way Ollama does; param names the exact field.
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "wire/json_read.h"
#include "wire/json_write.h"
#include "wire/ollama/ollama_fields.h"
#include "wire/ollama/ollama_request.h"

namespace gw::ollama {
namespace {

namespace json = boost::json;

Error invalid(std::string message, std::string param, std::string code) {
  Error e = Error::make(ErrorKind::caller_invalid_request, std::move(message), std::move(code));
  e.param = std::move(param);
  return e;
}

// Go's name for the kind of a JSON value in "cannot unmarshal X into …".
std::string_view go_kind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::bool_:
      return "bool";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
    case json::kind::null:
      return "null";
    default:
      return "number";
  }
}

// `go_field` is Go's dotted field path ("ChatRequest.messages.content"), `param` ours
// ("messages[0].content").
Error wrong_type(const json::value& v, std::string_view go_field, std::string_view go_type,
                 std::string param) {
  return invalid("json: cannot unmarshal " + std::string(go_kind(v)) + " into Go struct field " +
                     std::string(go_field) + " of type " + std::string(go_type),
                 std::move(param), "invalid_type");
}

std::string at(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

std::string dot(std::string_view path, std::string_view key) {
  return std::string(path) + "." + std::string(key);
}

// A string member (null and absent read as empty), or a type error.
Result<std::string> string_member(const json::object& o, std::string_view key,
                                  std::string_view go_field, const std::string& param) {
  const json::value* v = json_field(o, key);
  if (v == nullptr) return std::string();
  if (!v->is_string()) return wrong_type(*v, go_field, "string", param);
  return std::string(v->get_string());
}

// Go decodes []byte from standard, padded base64; the error names the first bad byte.
Status check_base64(std::string_view data, const std::string& param) {
  std::size_t i = 0;
  for (; i < data.size(); ++i) {
    const char c = data[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) break;
  }
  std::size_t padding = 0;
  while (i + padding < data.size() && data[i + padding] == '=' && padding < 2) ++padding;
  const bool complete = i + padding == data.size() && data.size() % 4 == 0;
  if (!complete) {
    const std::size_t bad = i + padding < data.size() ? i + padding : (data.size() / 4) * 4;
    return invalid("illegal base64 data at input byte " + std::to_string(bad), param,
                   "invalid_value");
  }
  return {};
}

// Ollama's images carry no media type; the canonical model (and every other provider) needs one.
std::string sniff_media_type(std::string_view base64) {
  if (base64.starts_with("/9j/")) return "image/jpeg";
  if (base64.starts_with("iVBORw0KGgo")) return "image/png";
  if (base64.starts_with("R0lGOD")) return "image/gif";
  if (base64.starts_with("UklGR")) return "image/webp";
  return "application/octet-stream";
}

// Tool calls seen so far, so that a tool message (which names a tool, not a call) can be linked
// to the call it answers.
struct CallLedger {
  struct Call {
    std::string id;
    std::string name;
    bool answered = false;
  };
  std::vector<Call> calls;

  std::string add(std::string id, std::string name) {
    if (id.empty()) id = synthesized_call_id(calls.size());
    calls.push_back({id, std::move(name), false});
    return id;
  }

  // The call a result answers: its tool_call_id when given, else the earliest unanswered call of
  // that tool (any tool when the message names none), else the latest call of that tool.
  std::string answer(const std::string& call_id, const std::string& tool_name) {
    if (!call_id.empty()) {
      for (Call& c : calls) {
        if (c.id == call_id) c.answered = true;
      }
      return call_id;
    }
    for (Call& c : calls) {
      if (!c.answered && (tool_name.empty() || c.name == tool_name)) {
        c.answered = true;
        return c.id;
      }
    }
    for (auto it = calls.rbegin(); it != calls.rend(); ++it) {
      if (it->name == tool_name) return it->id;
    }
    return {};
  }
};

Status decode_images(const json::object& m, const std::string& path, Message& out) {
  const json::value* images = json_field(m, "images");
  if (images == nullptr) return {};
  const std::string p = dot(path, "images");
  if (!images->is_array()) {
    return wrong_type(*images, "ChatRequest.messages.images", "[]api.ImageData", p);
  }
  const json::array& arr = images->get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_string()) {
      return wrong_type(arr[i], "ChatRequest.messages.images", "api.ImageData", at(p, i));
    }
    std::string_view data = arr[i].get_string();
    if (Status s = check_base64(data, at(p, i)); !s) return s;
    ContentBlock b;
    b.type = BlockType::image;
    b.media_type = sniff_media_type(data);
    b.data = std::string(data);
    out.content.push_back(std::move(b));
  }
  return {};
}

Status decode_tool_calls(const json::object& m, const std::string& path, CallLedger& ledger,
                         Message& out) {
  const json::value* calls = json_field(m, "tool_calls");
  if (calls == nullptr) return {};
  const std::string p = dot(path, "tool_calls");
  if (!calls->is_array()) {
    return wrong_type(*calls, "ChatRequest.messages.tool_calls", "[]api.ToolCall", p);
  }
  const json::array& arr = calls->get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string cp = at(p, i);
    if (!arr[i].is_object()) {
      return wrong_type(arr[i], "ChatRequest.messages.tool_calls", "api.ToolCall", cp);
    }
    const json::object& call = arr[i].get_object();
    const json::value* fn = json_field(call, "function");
    const std::string fp = dot(cp, "function");
    if (fn != nullptr && !fn->is_object()) {
      return wrong_type(*fn, "ChatRequest.messages.tool_calls.function", "api.ToolCallFunction",
                        fp);
    }
    ContentBlock b;
    b.type = BlockType::tool_use;
    b.arguments = "{}";
    if (fn != nullptr) {
      const json::object& f = fn->get_object();
      auto name = string_member(f, "name", "ChatRequest.messages.tool_calls.function.name",
                                dot(fp, "name"));
      if (!name) return std::move(name).error();
      b.name = std::move(name).value();
      if (const json::value* args = json_field(f, "arguments")) {
        if (!args->is_object()) {
          return wrong_type(*args, "ChatRequest.messages.tool_calls.function.arguments",
                            "api.ToolCallFunctionArguments", dot(fp, "arguments"));
        }
        b.arguments = json_compact(*args);
      }
    }
    auto id = string_member(call, "id", "ChatRequest.messages.tool_calls.id", dot(cp, "id"));
    if (!id) return std::move(id).error();
    b.id = ledger.add(std::move(id).value(), b.name);
    out.content.push_back(std::move(b));
  }
  return {};
}

// One entry of messages[]; system text goes to request.system instead.
Status decode_message(const json::value& v, std::size_t index, CallLedger& ledger,
                      ChatRequest& request) {
  const std::string path = at("messages", index);
  if (!v.is_object()) return wrong_type(v, "ChatRequest.messages", "api.Message", path);
  const json::object& m = v.get_object();
  auto role = string_member(m, "role", "ChatRequest.messages.role", dot(path, "role"));
  if (!role) return std::move(role).error();
  auto content = string_member(m, "content", "ChatRequest.messages.content", dot(path, "content"));
  if (!content) return std::move(content).error();
  auto thinking =
      string_member(m, "thinking", "ChatRequest.messages.thinking", dot(path, "thinking"));
  if (!thinking) return std::move(thinking).error();

  Message out;
  if (*role == "system") {
    request.system.push_back(ContentBlock::make_text(std::move(content).value()));
    return {};
  }
  if (*role == "user") {
    out.role = Role::user;
    if (!content->empty() || json_field(m, "images") == nullptr) {
      out.content.push_back(ContentBlock::make_text(std::move(content).value()));
    }
    if (Status s = decode_images(m, path, out); !s) return s;
  } else if (*role == "assistant") {
    out.role = Role::assistant;
    if (!thinking->empty()) {
      ContentBlock r;
      r.type = BlockType::reasoning;
      r.text = std::move(thinking).value();
      out.content.push_back(std::move(r));
    }
    if (!content->empty()) out.content.push_back(ContentBlock::make_text(*content));
    if (Status s = decode_tool_calls(m, path, ledger, out); !s) return s;
    if (out.content.empty()) out.content.push_back(ContentBlock::make_text(""));
  } else if (*role == "tool") {
    auto tool_name =
        string_member(m, "tool_name", "ChatRequest.messages.tool_name", dot(path, "tool_name"));
    if (!tool_name) return std::move(tool_name).error();
    auto call_id = string_member(m, "tool_call_id", "ChatRequest.messages.tool_call_id",
                                 dot(path, "tool_call_id"));
    if (!call_id) return std::move(call_id).error();
    out.role = Role::tool;
    ContentBlock b;
    b.type = BlockType::tool_result;
    b.id = ledger.answer(*call_id, *tool_name);
    b.name = std::move(tool_name).value();
    b.text = std::move(content).value();
    out.content.push_back(std::move(b));
  } else {
    return invalid("invalid role \"" + *role + "\": expected system, user, assistant or tool",
                   dot(path, "role"), "invalid_value");
  }
  request.messages.push_back(std::move(out));
  return {};
}

Status decode_tools(const json::value& v, ChatRequest& request) {
  if (!v.is_array()) return wrong_type(v, "ChatRequest.tools", "api.Tools", "tools");
  const json::array& arr = v.get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string p = at("tools", i);
    if (!arr[i].is_object()) return wrong_type(arr[i], "ChatRequest.tools", "api.Tool", p);
    const json::object& t = arr[i].get_object();
    const json::value* fn = json_field(t, "function");
    const std::string fp = dot(p, "function");
    if (fn == nullptr) return invalid(fp + " is required", fp, "missing_required_parameter");
    if (!fn->is_object()) {
      return wrong_type(*fn, "ChatRequest.tools.function", "api.ToolFunction", fp);
    }
    const json::object& f = fn->get_object();
    ToolSpec spec;
    auto name = string_member(f, "name", "ChatRequest.tools.function.name", dot(fp, "name"));
    if (!name) return std::move(name).error();
    if (name->empty()) {
      return invalid(dot(fp, "name") + " is required", dot(fp, "name"),
                     "missing_required_parameter");
    }
    spec.name = std::move(name).value();
    auto description = string_member(f, "description", "ChatRequest.tools.function.description",
                                     dot(fp, "description"));
    if (!description) return std::move(description).error();
    spec.description = std::move(description).value();
    if (const json::value* params = json_field(f, "parameters")) {
      if (!params->is_object()) {
        return wrong_type(*params, "ChatRequest.tools.function.parameters",
                          "api.ToolFunctionParameters", dot(fp, "parameters"));
      }
      spec.parameters = *params;
    }
    request.tools.push_back(std::move(spec));
  }
  return {};
}

Status decode_format(const json::value& v, ChatRequest& request) {
  if (v.is_string() && v.get_string().empty()) return {};
  if (v.is_string() && v.get_string() == "json") {
    request.response_format.type = ResponseFormat::Type::json_object;
    return {};
  }
  if (v.is_object()) {
    request.response_format.type = ResponseFormat::Type::json_schema;
    request.response_format.schema = v;
    return {};
  }
  return invalid(
      "invalid format: " + json_compact(v) + "; expected \"json\" or a valid JSON Schema", "format",
      "invalid_value");
}

// api.Options.FromMap wording: `option "temperature" must be of type float32`.
Error option_type(std::string_view key, std::string_view type) {
  return invalid("option \"" + std::string(key) + "\" must be of type " + std::string(type),
                 dot("options", key), "invalid_type");
}

Status decode_options(const json::value& v, ChatRequest& request) {
  if (!v.is_object()) {
    return wrong_type(v, "ChatRequest.options", "map[string]interface {}", "options");
  }
  json::object rest;
  for (const auto& kv : v.get_object()) {
    const std::string_view key = kv.key();
    const json::value& value = kv.value();
    if (value.is_null()) continue;
    if (key == "temperature" || key == "top_p") {
      if (!value.is_number()) return option_type(key, "float32");
      (key == "temperature" ? request.temperature : request.top_p) = value.to_number<double>();
    } else if (key == "seed" || key == "num_predict") {
      const auto n = json_to_int64(value);
      if (!n) return option_type(key, "int");
      if (key == "seed") {
        request.seed = *n;
      } else if (*n >= 0) {
        request.max_tokens = *n;  // -1 (no limit) and -2 (fill the context) leave it unset
      }
    } else if (key == "stop") {
      if (!value.is_array()) return option_type(key, "[]string");
      for (const json::value& s : value.get_array()) {
        if (!s.is_string()) return option_type(key, "[]string");
        request.stop.emplace_back(s.get_string());
      }
    } else {
      rest.emplace(key, value);
    }
  }
  if (!rest.empty()) request.extra["options"] = std::move(rest);
  return {};
}

bool blank(std::string_view body) {
  return body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

Result<ChatRequest> decode_chat_request(std::string_view body) {
  if (blank(body)) return invalid("missing request body", "", "missing_required_parameter");
  Result<json::value> parsed = parse_json(body, ErrorKind::caller_invalid_request);
  if (!parsed) return std::move(parsed).error();
  if (!parsed->is_object()) {
    return invalid("json: cannot unmarshal " + std::string(go_kind(*parsed)) +
                       " into Go value of type api.ChatRequest",
                   "", "invalid_type");
  }
  const json::object& o = parsed->get_object();

  ChatRequest request;
  request.stream = true;
  request.include_usage = true;  // Ollama's last line always carries the counts
  CallLedger ledger;
  for (const auto& kv : o) {
    const std::string_view key = kv.key();
    const json::value& v = kv.value();
    Status s;
    if (key == "model") {
      auto model = string_member(o, "model", "ChatRequest.model", "model");
      if (!model) return std::move(model).error();
      request.model = std::move(model).value();
    } else if (key == "stream") {
      if (v.is_null()) continue;
      if (!v.is_bool()) return wrong_type(v, "ChatRequest.stream", "bool", "stream");
      request.stream = v.get_bool();
    } else if (key == "messages") {
      if (v.is_null()) continue;
      if (!v.is_array()) return wrong_type(v, "ChatRequest.messages", "[]api.Message", "messages");
      const json::array& arr = v.get_array();
      for (std::size_t i = 0; i < arr.size() && s; ++i) {
        s = decode_message(arr[i], i, ledger, request);
      }
    } else if (key == "tools") {
      if (!v.is_null()) s = decode_tools(v, request);
    } else if (key == "format") {
      if (!v.is_null()) s = decode_format(v, request);
    } else if (key == "options") {
      if (!v.is_null()) s = decode_options(v, request);
    } else {
      request.extra.emplace(key, v);
    }
    if (!s) return std::move(s).error();
  }
  if (request.model.empty()) {
    return invalid("model is required", "model", "missing_required_parameter");
  }
  return request;
}

}  // namespace gw::ollama
