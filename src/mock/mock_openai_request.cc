// Planning the mock's answer to an OpenAI chat request (see mock_openai_request.h).
#include "mock/mock_openai_request.h"

#include <algorithm>
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/value.hpp>

#include "mock/mock_json.h"
#include "mock/mock_schema.h"
#include "mock/mock_text.h"
#include "wire/json_read.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxJsonDepth = 64;

// OpenAI's message for a body that is not JSON, verbatim.
constexpr std::string_view kUnparsableBody =
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
    "your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was "
    "not valid JSON. If you have trouble figuring out how to fix this, please contact us through "
    "our help center at help.openai.com.)";

MockError bad_request(std::string message, std::string param = {}, std::string code = {}) {
  return MockError{400, std::move(message), "invalid_request_error", std::move(code),
                   std::move(param)};
}

MockError invalid_type(const std::string& param, std::string_view expected, const json::value& v) {
  return bad_request("Invalid type for '" + param + "': expected " + std::string(expected) +
                         ", but got " + std::string(json_kind_name(v)) + " instead.",
                     param, "invalid_type");
}

MockError missing(const std::string& param) {
  return bad_request("Missing required parameter: '" + param + "'.", param,
                     "missing_required_parameter");
}

std::string_view str(const json::object& o, std::string_view key) {
  if (const auto* v = o.if_contains(key); v && v->is_string()) return v->get_string();
  return {};
}

// The text of a message's content: a string, or the text parts of a content array.
std::string content_text(const json::value* content) {
  if (content == nullptr) return {};
  if (content->is_string()) return std::string(content->get_string());
  std::string out;
  if (const auto* parts = content->if_array()) {
    for (const auto& part : *parts) {
      const auto* p = part.if_object();
      if (p == nullptr) continue;
      const auto* text = p->if_contains("text");
      if (text == nullptr || !text->is_string()) continue;
      if (!out.empty()) out += '\n';
      out += text->get_string();
    }
  }
  return out;
}

struct Tool {
  std::string name;
  const json::value* parameters = nullptr;  // JSON Schema, or null
};

std::string reply_text(const json::array& messages, bool last_is_tool_result) {
  if (last_is_tool_result) {
    const auto& last = messages.back().get_object();
    return "Tool result received: " +
           std::string(utf8_prefix(content_text(last.if_contains("content")), kMaxEchoChars));
  }
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    const auto& m = it->get_object();
    if (str(m, "role") == "user") {
      return "Mock reply to: " +
             std::string(utf8_prefix(content_text(m.if_contains("content")), kMaxEchoChars));
    }
  }
  return "Mock reply to: ";
}

std::string last_user_text(const json::array& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    const auto& m = it->get_object();
    if (str(m, "role") == "user") return content_text(m.if_contains("content"));
  }
  return {};
}

// Characters of everything the prompt carries: message texts, earlier tool calls, tool schemas.
std::size_t prompt_chars(const json::array& messages, const json::value* tools) {
  std::size_t chars = 0;
  for (const auto& mv : messages) {
    const auto& m = mv.get_object();
    chars += utf8_length(content_text(m.if_contains("content")));
    if (const auto* calls = m.if_contains("tool_calls"); calls && calls->is_array()) {
      for (const auto& call : calls->get_array()) {
        const auto* fn = call.is_object() ? call.get_object().if_contains("function") : nullptr;
        if (fn == nullptr || !fn->is_object()) continue;
        chars += utf8_length(str(fn->get_object(), "name"));
        chars += utf8_length(str(fn->get_object(), "arguments"));
      }
    }
  }
  if (tools != nullptr && tools->is_array()) {
    for (const auto& t : tools->get_array()) chars += utf8_length(json_compact(t));
  }
  return chars;
}

// Applies response_format to the reply text.
std::optional<MockError> shape_content(const json::object& req, std::string& content) {
  const auto* rf = req.if_contains("response_format");
  if (rf == nullptr || rf->is_null()) return std::nullopt;
  if (!rf->is_object()) return invalid_type("response_format", "an object", *rf);
  const auto type = str(rf->get_object(), "type");
  if (type == "json_object") {
    json::object reply;
    reply["reply"] = content;
    content = json_compact(reply);
  } else if (type == "json_schema") {
    const auto* js = rf->get_object().if_contains("json_schema");
    if (js == nullptr) return missing("response_format.json_schema");
    if (!js->is_object()) return invalid_type("response_format.json_schema", "an object", *js);
    const auto* schema = js->get_object().if_contains("schema");
    content = json_compact(schema != nullptr ? sample_from_schema(*schema) : json::object());
  } else if (type != "text") {
    return bad_request("Invalid value: '" + std::string(type) +
                           "'. Supported values are: 'text', 'json_object', and 'json_schema'.",
                       "response_format.type", "invalid_value");
  }
  return std::nullopt;
}

}  // namespace

std::variant<OpenAiChat, MockError> plan_openai_chat(std::string_view body) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec, json::storage_ptr(), options);
  if (ec) return bad_request(std::string(kUnparsableBody));
  const auto* req = doc.if_object();
  if (req == nullptr) return bad_request(std::string(kUnparsableBody));

  OpenAiChat chat;
  chat.hash = hex64(fnv1a64(body));
  chat.id = "chatcmpl-mock" + chat.hash;

  const auto* model = req->if_contains("model");
  if (model == nullptr || model->is_null())
    return bad_request("you must provide a model parameter");
  if (!model->is_string()) return invalid_type("model", "a string", *model);
  chat.model = std::string(model->get_string());

  const auto* messages_v = req->if_contains("messages");
  if (messages_v == nullptr) return missing("messages");
  if (!messages_v->is_array()) return invalid_type("messages", "an array", *messages_v);
  const auto& messages = messages_v->get_array();
  if (messages.empty()) {
    return bad_request(
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an "
        "empty array instead.",
        "messages", "empty_array");
  }
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string param = "messages[" + std::to_string(i) + "]";
    if (!messages[i].is_object()) return invalid_type(param, "an object", messages[i]);
    const auto* role = messages[i].get_object().if_contains("role");
    if (role == nullptr) return missing(param + ".role");
    if (!role->is_string()) return invalid_type(param + ".role", "a string", *role);
  }

  if (const auto* s = req->if_contains("stream"); s && !s->is_null()) {
    if (!s->is_bool()) return invalid_type("stream", "a boolean", *s);
    chat.stream = s->get_bool();
  }
  if (const auto* so = req->if_contains("stream_options"); so && so->is_object()) {
    const auto* iu = so->get_object().if_contains("include_usage");
    chat.include_usage = iu != nullptr && iu->is_bool() && iu->get_bool();
  }

  // Tools: only function tools can be called.
  std::vector<Tool> tools;
  const auto* tools_v = req->if_contains("tools");
  if (tools_v != nullptr && !tools_v->is_null()) {
    if (!tools_v->is_array()) return invalid_type("tools", "an array", *tools_v);
    const auto& arr = tools_v->get_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const std::string param = "tools[" + std::to_string(i) + "]";
      if (!arr[i].is_object()) return invalid_type(param, "an object", arr[i]);
      const auto* fn = arr[i].get_object().if_contains("function");
      if (fn == nullptr || !fn->is_object()) continue;
      const auto* name = fn->get_object().if_contains("name");
      if (name == nullptr) return missing(param + ".function.name");
      if (!name->is_string()) return invalid_type(param + ".function.name", "a string", *name);
      tools.push_back(
          Tool{std::string(name->get_string()), fn->get_object().if_contains("parameters")});
    }
  }

  // tool_choice: "none" | "auto" | "required" | {"type":"function","function":{"name":…}}.
  bool choice_none = false;
  std::optional<std::string> forced;
  if (const auto* tc = req->if_contains("tool_choice"); tc && !tc->is_null()) {
    if (tc->is_string()) {
      choice_none = tc->get_string() == "none";
    } else if (tc->is_object()) {
      const auto* fn = tc->get_object().if_contains("function");
      const auto name = fn != nullptr && fn->is_object() ? str(fn->get_object(), "name") : "";
      if (name.empty()) return missing("tool_choice.function.name");
      forced = std::string(name);
    } else {
      return invalid_type("tool_choice", "a string or an object", *tc);
    }
  }
  bool parallel = true;
  if (const auto* p = req->if_contains("parallel_tool_calls"); p && p->is_bool()) {
    parallel = p->get_bool();
  }

  const bool last_is_tool_result = str(messages.back().get_object(), "role") == "tool";
  chat.prompt_tokens = tokens_for_chars(prompt_chars(messages, tools_v));

  std::vector<const Tool*> chosen;
  if (!tools.empty() && !choice_none && !last_is_tool_result) {
    if (forced) {
      for (const auto& t : tools) {
        if (t.name == *forced) chosen.push_back(&t);
      }
      if (chosen.empty()) {
        return bad_request(
            "Invalid value for 'tool_choice': function '" + *forced + "' was not found in 'tools'.",
            "tool_choice", "invalid_value");
      }
      chosen.resize(1);
    } else {
      const std::string user_text = last_user_text(messages);
      for (const auto& t : tools) {
        if (!t.name.empty() && user_text.find(t.name) != std::string::npos) chosen.push_back(&t);
      }
      if (chosen.empty()) chosen.push_back(&tools.front());
      if (!parallel) chosen.resize(1);
    }
  }

  if (!chosen.empty()) {
    chat.completion_tokens = 0;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      OpenAiToolCall call;
      call.id = "call_mock" + chat.hash.substr(0, 12) + std::to_string(i);
      call.name = chosen[i]->name;
      const json::value args = chosen[i]->parameters != nullptr
                                   ? sample_from_schema(*chosen[i]->parameters)
                                   : json::value(json::object());
      call.arguments = json_compact(args.is_object() ? args : json::value(json::object()));
      chat.completion_tokens +=
          1 + static_cast<std::int64_t>(split_even(call.arguments, kArgumentFragments).size());
      chat.calls.push_back(std::move(call));
    }
    return chat;
  }

  chat.content = reply_text(messages, last_is_tool_result);
  if (auto err = shape_content(*req, chat.content)) return *err;
  chat.completion_tokens =
      std::max<std::int64_t>(1, static_cast<std::int64_t>(split_words(chat.content).size()));
  return chat;
}

}  // namespace gw::mock
