// decode_contents / decode_system_instruction: Gemini Content objects → canonical messages, with
// the bookkeeping that gives id-less function calls and responses matching canonical ids.
#include "wire/gemini/gemini_contents_decode.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "wire/gemini/gemini_request_checks.h"
#include "wire/json_write.h"

namespace gw::gemini::detail {
namespace {

namespace json = boost::json;

// The function calls of a conversation in order, so that responses (which the Developer API
// matches by name and position, not id) can be paired with the canonical ids of their calls.
class CallLedger {
 public:
  std::string open(std::string_view name, std::string id) {
    if (id.empty()) id = "call_" + std::to_string(calls_.size());
    calls_.push_back({id, std::string(name), false});
    return id;
  }

  // The id of the call a response answers: the unanswered call with `id` when given, else the
  // oldest unanswered call named `name`.
  std::optional<std::string> answer(std::string_view name, std::string_view id) {
    for (Call& c : calls_) {
      if (!c.answered && !id.empty() && c.id == id) return take(c);
    }
    for (Call& c : calls_) {
      if (!c.answered && c.name == name) return take(c);
    }
    return std::nullopt;
  }

 private:
  struct Call {
    std::string id;
    std::string name;
    bool answered = false;
  };
  static std::string take(Call& c) {
    c.answered = true;
    return c.id;
  }
  std::vector<Call> calls_;
};

// What one part holds, after validation.
struct PartFields {
  std::string data_key;  // the oneof member that is set: "text", "inlineData", …
  const json::value* data = nullptr;
  bool thought = false;
  std::string signature;
};

bool base64_text(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/' || c == '-' || c == '_' || c == '=';
    if (!ok) return false;
  }
  return true;
}

Status part_fields(const json::object& part, const std::string& path, PartFields& out) {
  for (const auto& kv : part) {
    if (kv.value().is_null()) continue;
    const std::string key = camel(kv.key());
    const std::string p = dot(path, key);
    if (key == "text" || key == "inlineData" || key == "fileData" || key == "functionCall" ||
        key == "functionResponse" || key == "executableCode" || key == "codeExecutionResult") {
      if (out.data != nullptr) {
        return invalid(path,
                       "a part holds exactly one of text, inlineData, fileData, "
                       "functionCall or functionResponse, but it has both " +
                           out.data_key + " and " + key + ".");
      }
      out.data_key = key;
      out.data = &kv.value();
    } else if (key == "thought") {
      if (auto s = get_bool(kv.value(), p, out.thought); !s) return s;
    } else if (key == "thoughtSignature") {
      if (auto s = get_string(kv.value(), p, out.signature); !s) return s;
      if (!base64_text(out.signature)) return invalid(p, "Base64 decoding failed.");
    } else if (key == "videoMetadata" || key == "partMetadata" || key == "mediaResolution") {
      continue;  // hints with no canonical meaning
    } else {
      return unknown_field(path, kv.key());
    }
  }
  if (out.data == nullptr) {
    return invalid(path,
                   "a part needs one of text, inlineData, fileData, functionCall or "
                   "functionResponse.",
                   "missing_required_parameter");
  }
  if (out.data_key == "executableCode" || out.data_key == "codeExecutionResult") {
    return unsupported(dot(path, out.data_key), "code execution parts are not supported.");
  }
  return {};
}

// inlineData {mimeType, data} or fileData {mimeType, fileUri} → an image block.
Status media_block(const PartFields& f, const std::string& path, ContentBlock& block) {
  const std::string p = dot(path, f.data_key);
  const json::object* o = nullptr;
  if (auto s = get_object(*f.data, p, o); !s) return s;
  const bool inline_data = f.data_key == "inlineData";
  bool has_payload = false;
  block.type = BlockType::image;
  for (const auto& kv : *o) {
    if (kv.value().is_null()) continue;
    const std::string key = camel(kv.key());
    if (key == "mimeType") {
      if (auto s = get_string(kv.value(), dot(p, key), block.media_type); !s) return s;
    } else if (inline_data && key == "data") {
      if (auto s = get_string(kv.value(), dot(p, key), block.data); !s) return s;
      if (!base64_text(block.data)) return invalid(dot(p, key), "Base64 decoding failed.");
      has_payload = true;
    } else if (!inline_data && key == "fileUri") {
      if (auto s = get_string(kv.value(), dot(p, key), block.url); !s) return s;
      has_payload = !block.url.empty();
    } else if (key == "displayName") {
      continue;
    } else {
      return unknown_field(p, kv.key());
    }
  }
  if (!has_payload) return missing(dot(p, inline_data ? "data" : "fileUri"));
  if (inline_data && block.media_type.empty()) return missing(dot(p, "mimeType"));
  return {};
}

Status function_call(const PartFields& f, const std::string& path, CallLedger& ledger,
                     ContentBlock& block) {
  const std::string p = dot(path, "functionCall");
  const json::object* o = nullptr;
  if (auto s = get_object(*f.data, p, o); !s) return s;
  block.type = BlockType::tool_use;
  block.signature = f.signature;
  std::string id;
  const json::value* args = nullptr;
  for (const auto& kv : *o) {
    if (kv.value().is_null()) continue;
    const std::string key = camel(kv.key());
    if (key == "name") {
      if (auto s = get_string(kv.value(), dot(p, key), block.name); !s) return s;
    } else if (key == "args") {
      if (!kv.value().is_object()) return wrong_type(dot(p, key), "an object", kv.value());
      args = &kv.value();
    } else if (key == "id") {
      if (auto s = get_string(kv.value(), dot(p, key), id); !s) return s;
    } else {
      return unknown_field(p, kv.key());
    }
  }
  if (block.name.empty()) return missing(dot(p, "name"));
  block.arguments = args != nullptr ? json_compact(*args) : std::string("{}");
  block.id = ledger.open(block.name, std::move(id));
  return {};
}

// The tool output as text: {"content": s} and {"error": s} (what encode_generate_request writes
// for text output) give s back; any other object is its compact JSON.
void response_text(const json::object& response, ContentBlock& block) {
  if (response.size() == 1) {
    const auto& kv = *response.begin();
    if (kv.value().is_string() && (kv.key() == "content" || kv.key() == "error")) {
      block.text.assign(kv.value().get_string().data(), kv.value().get_string().size());
      block.is_error = kv.key() == "error";
      return;
    }
  }
  block.text = json_compact(response);
}

Status function_response(const PartFields& f, const std::string& path, CallLedger& ledger,
                         ContentBlock& block) {
  const std::string p = dot(path, "functionResponse");
  const json::object* o = nullptr;
  if (auto s = get_object(*f.data, p, o); !s) return s;
  block.type = BlockType::tool_result;
  std::string id;
  const json::object* response = nullptr;
  for (const auto& kv : *o) {
    if (kv.value().is_null()) continue;
    const std::string key = camel(kv.key());
    if (key == "name") {
      if (auto s = get_string(kv.value(), dot(p, key), block.name); !s) return s;
    } else if (key == "response") {
      if (auto s = get_object(kv.value(), dot(p, key), response); !s) return s;
    } else if (key == "id") {
      if (auto s = get_string(kv.value(), dot(p, key), id); !s) return s;
    } else if (key == "parts") {
      if (!kv.value().is_array()) return wrong_type(dot(p, key), "an array", kv.value());
      if (!kv.value().get_array().empty()) {
        return unsupported(dot(p, key), "multimodal function responses are not supported.");
      }
    } else if (key == "willContinue" || key == "scheduling") {
      continue;  // Live API streaming-function hints
    } else {
      return unknown_field(p, kv.key());
    }
  }
  if (block.name.empty()) return missing(dot(p, "name"));
  if (response == nullptr) return missing(dot(p, "response"));
  std::optional<std::string> call_id = ledger.answer(block.name, id);
  if (!call_id) {
    return invalid(
        p, "no earlier functionCall named \"" + block.name + "\" is waiting for a response.");
  }
  block.id = std::move(*call_id);
  block.name.clear();  // the canonical tool_result names its call by id only
  response_text(*response, block);
  return {};
}

Status decode_role(const json::object& content, const std::string& path, Role& role) {
  role = Role::user;
  const json::value* r = content.if_contains("role");
  if (r == nullptr || r->is_null()) return {};
  std::string name;
  if (auto s = get_string(*r, dot(path, "role"), name); !s) return s;
  if (name == "model") {
    role = Role::assistant;
  } else if (name != "user" && name != "function" && !name.empty()) {
    return invalid(dot(path, "role"), "Please use a valid role: user, model.");
  }
  return {};
}

// One Content → one assistant message, or a tool message (its functionResponse parts) followed
// by a user message (everything else).
Status decode_content(const json::value& v, const std::string& path, CallLedger& ledger,
                      ChatRequest& out) {
  const json::object* content = nullptr;
  if (auto s = get_object(v, path, content); !s) return s;
  Role role = Role::user;
  const json::value* parts = nullptr;
  for (const auto& kv : *content) {
    const std::string key = camel(kv.key());
    if (key == "parts") {
      parts = kv.value().is_null() ? nullptr : &kv.value();
    } else if (key != "role") {
      return unknown_field(path, kv.key());
    }
  }
  if (auto s = decode_role(*content, path, role); !s) return s;
  const std::string pp = dot(path, "parts");
  if (parts == nullptr) return missing(pp);
  if (!parts->is_array()) return wrong_type(pp, "an array", *parts);
  if (parts->get_array().empty()) return invalid(pp, "contents.parts must not be empty.");

  Message main;
  main.role = role;
  Message results;
  results.role = Role::tool;
  const json::array& arr = parts->get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string p = at(pp, i);
    const json::object* part = nullptr;
    if (auto s = get_object(arr[i], p, part); !s) return s;
    PartFields f;
    if (auto s = part_fields(*part, p, f); !s) return s;
    ContentBlock block;
    if (f.data_key == "text") {
      if (auto s = get_string(*f.data, dot(p, "text"), block.text); !s) return s;
      block.signature = f.signature;
      if (f.thought && role == Role::assistant) block.type = BlockType::reasoning;
    } else if (f.data_key == "inlineData" || f.data_key == "fileData") {
      if (auto s = media_block(f, p, block); !s) return s;
    } else if (f.data_key == "functionCall") {
      if (role != Role::assistant) {
        return invalid(dot(p, "functionCall"), "functionCall parts belong to role \"model\".");
      }
      if (auto s = function_call(f, p, ledger, block); !s) return s;
    } else {  // functionResponse
      if (role == Role::assistant) {
        return invalid(dot(p, "functionResponse"),
                       "functionResponse parts belong to role \"user\".");
      }
      if (auto s = function_response(f, p, ledger, block); !s) return s;
      results.content.push_back(std::move(block));
      continue;
    }
    main.content.push_back(std::move(block));
  }
  if (!results.content.empty()) out.messages.push_back(std::move(results));
  if (!main.content.empty()) out.messages.push_back(std::move(main));
  return {};
}

}  // namespace

Status decode_contents(const json::value& contents, ChatRequest& out) {
  const std::string path = "contents";
  if (!contents.is_array()) return wrong_type(path, "an array", contents);
  const json::array& arr = contents.get_array();
  if (arr.empty()) return missing(path);
  CallLedger ledger;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (auto s = decode_content(arr[i], at(path, i), ledger, out); !s) return s;
  }
  return {};
}

Status decode_system_instruction(const json::value& instruction, ChatRequest& out) {
  const std::string path = "systemInstruction";
  const json::object* content = nullptr;
  if (auto s = get_object(instruction, path, content); !s) return s;
  const json::value* parts = nullptr;
  for (const auto& kv : *content) {
    const std::string key = camel(kv.key());
    if (key == "parts") {
      parts = kv.value().is_null() ? nullptr : &kv.value();
    } else if (key != "role") {
      return unknown_field(path, kv.key());
    }
  }
  const std::string pp = dot(path, "parts");
  if (parts == nullptr) return missing(pp);
  if (!parts->is_array()) return wrong_type(pp, "an array", *parts);
  const json::array& arr = parts->get_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string p = at(pp, i);
    const json::object* part = nullptr;
    if (auto s = get_object(arr[i], p, part); !s) return s;
    PartFields f;
    if (auto s = part_fields(*part, p, f); !s) return s;
    if (f.data_key != "text") {
      return unsupported(dot(p, f.data_key), "system instructions may only hold text parts.");
    }
    ContentBlock block;
    if (auto s = get_string(*f.data, dot(p, "text"), block.text); !s) return s;
    out.system.push_back(std::move(block));
  }
  return {};
}

}  // namespace gw::gemini::detail
