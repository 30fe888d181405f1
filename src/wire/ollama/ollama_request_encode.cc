// encode_chat_request: canonical ChatRequest → Ollama /api/chat body (see ollama_request.h).
// Runs once per upstream attempt, so it builds a Boost.JSON DOM for clarity.
#include <string>
#include <unordered_map>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "wire/json_read.h"
#include "wire/json_write.h"
#include "wire/ollama/ollama_request.h"

namespace gw::ollama {
namespace {

namespace json = boost::json;

// Tool-call id → tool name, from every assistant tool_use block of the conversation.
using CallNames = std::unordered_map<std::string, std::string>;

std::string block_path(std::size_t message, std::size_t block) {
  return "messages[" + std::to_string(message) + "].content[" + std::to_string(block) + "]";
}

// A request this provider cannot carry although another one could: not the caller's fault and
// not worth retrying here, but a fallback target may serve it.
Error unsupported(std::string message, std::string code, std::string param) {
  Error e = Error::make(ErrorKind::provider_invalid_request, std::move(message), std::move(code));
  e.param = std::move(param);
  e.retry = RetryClass::fallback_only;
  return e;
}

// The bare base64 payload Ollama's images[] takes.
Result<std::string> image_data(const ContentBlock& b, const std::string& path) {
  if (!b.data.empty()) return b.data;
  constexpr std::string_view kMarker = ";base64,";
  std::string_view url = b.url;
  if (url.starts_with("data:")) {
    const std::size_t at = url.find(kMarker);
    if (at != std::string_view::npos) return std::string(url.substr(at + kMarker.size()));
    return unsupported(path + ": Ollama takes images as base64 data; this data: URL is not base64",
                       "image_data_not_base64", path);
  }
  if (url.empty()) {
    return unsupported(path + ": the image has neither data nor a URL", "image_missing", path);
  }
  return unsupported(path + ": Ollama cannot fetch image URLs, only base64 data is accepted",
                     "image_url_unsupported", path);
}

Result<json::value> tool_arguments(const ContentBlock& b, const std::string& path) {
  if (b.arguments.empty()) return json::value(json::object());
  Result<json::value> parsed = parse_json(b.arguments, ErrorKind::provider_invalid_request);
  if (!parsed || !parsed->is_object()) {
    return unsupported(path + ": Ollama needs tool-call arguments as a JSON object",
                       "tool_arguments_not_object", path);
  }
  return std::move(parsed).value();
}

void append_text(std::string& into, const std::string& text) {
  if (!into.empty()) into += '\n';
  into += text;
}

Status encode_user(const Message& m, std::size_t index, json::array& out) {
  std::string content;
  json::array images;
  for (std::size_t i = 0; i < m.content.size(); ++i) {
    const ContentBlock& b = m.content[i];
    if (b.type == BlockType::text) {
      append_text(content, b.text);
    } else if (b.type == BlockType::image) {
      Result<std::string> data = image_data(b, block_path(index, i));
      if (!data) return std::move(data).error();
      images.push_back(json::string(std::move(data).value()));
    }
  }
  json::object msg{{"role", "user"}, {"content", std::move(content)}};
  if (!images.empty()) msg["images"] = std::move(images);
  out.push_back(std::move(msg));
  return {};
}

Status encode_assistant(const Message& m, std::size_t index, json::array& out) {
  std::string content;
  std::string thinking;
  json::array calls;
  for (std::size_t i = 0; i < m.content.size(); ++i) {
    const ContentBlock& b = m.content[i];
    if (b.type == BlockType::text) {
      append_text(content, b.text);
    } else if (b.type == BlockType::reasoning) {
      append_text(thinking, b.text);
    } else if (b.type == BlockType::tool_use) {
      Result<json::value> args = tool_arguments(b, block_path(index, i));
      if (!args) return std::move(args).error();
      calls.push_back(json::object{
          {"function", json::object{{"name", b.name}, {"arguments", std::move(args).value()}}}});
    }
  }
  json::object msg{{"role", "assistant"}, {"content", std::move(content)}};
  if (!thinking.empty()) msg["thinking"] = std::move(thinking);
  if (!calls.empty()) msg["tool_calls"] = std::move(calls);
  out.push_back(std::move(msg));
  return {};
}

Status encode_message(const Message& m, std::size_t index, const CallNames& names,
                      json::array& out) {
  // Tool results answer the preceding assistant turn, so they go first, one message each.
  bool other_blocks = m.content.empty();
  for (const ContentBlock& b : m.content) {
    if (b.type != BlockType::tool_result) {
      other_blocks = true;
      continue;
    }
    json::object msg{{"role", "tool"}, {"content", b.text}};
    if (auto it = names.find(b.id); it != names.end()) msg["tool_name"] = it->second;
    out.push_back(std::move(msg));
  }
  if (!other_blocks || m.role == Role::tool) return {};
  return m.role == Role::user ? encode_user(m, index, out) : encode_assistant(m, index, out);
}

json::array encode_tools(const std::vector<ToolSpec>& tools) {
  json::array out;
  for (const ToolSpec& t : tools) {
    json::object fn{{"name", t.name}};
    if (!t.description.empty()) fn["description"] = t.description;
    fn["parameters"] =
        t.parameters.is_null()
            ? json::value(json::object{{"type", "object"}, {"properties", json::object()}})
            : t.parameters;
    out.push_back(json::object{{"type", "function"}, {"function", std::move(fn)}});
  }
  return out;
}

json::object encode_options(const ChatRequest& request) {
  json::object options;
  if (request.temperature) options["temperature"] = *request.temperature;
  if (request.top_p) options["top_p"] = *request.top_p;
  if (request.seed) options["seed"] = *request.seed;
  if (request.max_tokens) options["num_predict"] = *request.max_tokens;
  if (!request.stop.empty()) {
    json::array stop;
    for (const std::string& s : request.stop) stop.push_back(json::string(s));
    options["stop"] = std::move(stop);
  }
  return options;
}

}  // namespace

Result<std::string> encode_chat_request(const ChatRequest& request,
                                        std::string_view upstream_model) {
  json::object body;
  body["model"] = upstream_model;

  CallNames names;
  for (const Message& m : request.messages) {
    for (const ContentBlock& b : m.content) {
      if (b.type == BlockType::tool_use) names[b.id] = b.name;
    }
  }
  json::array messages;
  for (const ContentBlock& b : request.system) {
    messages.push_back(json::object{{"role", "system"}, {"content", b.text}});
  }
  for (std::size_t i = 0; i < request.messages.size(); ++i) {
    if (Status s = encode_message(request.messages[i], i, names, messages); !s) {
      return std::move(s).error();
    }
  }
  body["messages"] = std::move(messages);

  if (!request.tools.empty() && request.tool_choice.mode != ToolChoice::Mode::none) {
    body["tools"] = encode_tools(request.tools);
  }
  switch (request.response_format.type) {
    case ResponseFormat::Type::json_object:
      body["format"] = "json";
      break;
    case ResponseFormat::Type::json_schema:
      body["format"] = request.response_format.schema.is_object() ? request.response_format.schema
                                                                  : json::value("json");
      break;
    case ResponseFormat::Type::text:
    case ResponseFormat::Type::unset:
      break;
  }
  if (json::object options = encode_options(request); !options.empty()) {
    body["options"] = std::move(options);
  }
  body["stream"] = request.stream;
  return json_compact(body);
}

}  // namespace gw::ollama
