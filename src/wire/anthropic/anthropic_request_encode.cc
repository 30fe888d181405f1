// encode_messages_request: canonical ChatRequest → Anthropic Messages body. Runs once per
// upstream attempt, not per streamed chunk, so it builds a Boost.JSON DOM for clarity.
#include <algorithm>
#include <string>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "wire/anthropic/anthropic_request.h"
#include "wire/json_read.h"
#include "wire/json_write.h"

namespace gw::anthropic {
namespace {

namespace json = boost::json;

// "data:<media type>;base64,<data>" → media_type + data; false for anything else.
bool split_data_url(std::string_view url, std::string& media_type, std::string& data) {
  if (!url.starts_with("data:")) return false;
  const std::size_t marker = url.find(";base64,");
  if (marker == std::string_view::npos) return false;
  media_type = std::string(url.substr(5, marker - 5));
  data = std::string(url.substr(marker + 8));
  return true;
}

json::object image_block(const ContentBlock& b) {
  json::object source;
  std::string media_type = b.media_type;
  std::string data = b.data;
  if (!b.url.empty() && !split_data_url(b.url, media_type, data)) {
    source = {{"type", "url"}, {"url", b.url}};
  } else {
    source = {{"type", "base64"}, {"media_type", media_type}, {"data", data}};
  }
  return {{"type", "image"}, {"source", std::move(source)}};
}

json::object text_block(const std::string& text) {
  return {{"type", "text"}, {"text", text}};
}

// A canonical message being turned into wire blocks; `index` names it in errors.
struct Source {
  const Message* message;
  std::size_t index;
};

Result<json::object> tool_use_block(const ContentBlock& b, const Source& src, std::size_t block) {
  json::value input = json::object();
  if (!b.arguments.empty()) {
    Result<json::value> parsed = parse_json(b.arguments, ErrorKind::caller_invalid_request);
    if (!parsed || !parsed->is_object()) {
      const std::string param = "messages." + std::to_string(src.index) + ".content." +
                                std::to_string(block) + ".arguments";
      Error e = Error::make(ErrorKind::caller_invalid_request,
                            param +
                                ": tool call arguments must be a JSON object to be sent to "
                                "Anthropic as tool_use input.",
                            "invalid_value");
      e.param = param;
      return e;
    }
    input = std::move(parsed).value();
  }
  return json::object{
      {"type", "tool_use"}, {"id", b.id}, {"name", b.name}, {"input", std::move(input)}};
}

// A tool_result with the image blocks that follow it in the same Role::tool message.
json::object tool_result_block(const ContentBlock& result,
                               const std::vector<const ContentBlock*>& images) {
  json::object out{{"type", "tool_result"}, {"tool_use_id", result.id}};
  if (images.empty()) {
    if (!result.text.empty()) out["content"] = result.text;
  } else {
    json::array parts;
    if (!result.text.empty()) parts.push_back(text_block(result.text));
    for (const ContentBlock* image : images) parts.push_back(image_block(*image));
    out["content"] = std::move(parts);
  }
  if (result.is_error) out["is_error"] = true;
  return out;
}

// Reasoning Anthropic can verify: signed thinking, or redacted thinking's opaque data.
std::optional<json::object> reasoning_block(const ContentBlock& b) {
  if (!b.signature.empty()) {
    return json::object{{"type", "thinking"}, {"thinking", b.text}, {"signature", b.signature}};
  }
  if (b.text.empty() && !b.data.empty()) {
    return json::object{{"type", "redacted_thinking"}, {"data", b.data}};
  }
  return std::nullopt;
}

// The wire blocks of one canonical message: tool results first (into `results`), the rest into
// `others`, each in order.
Status message_blocks(const Source& src, json::array& results, json::array& others) {
  const std::vector<ContentBlock>& content = src.message->content;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const ContentBlock& b = content[i];
    switch (b.type) {
      case BlockType::text:
        if (!b.text.empty()) others.push_back(text_block(b.text));
        break;
      case BlockType::image:
        // In a tool message, images after a tool_result belong to that result.
        if (src.message->role != Role::tool) others.push_back(image_block(b));
        break;
      case BlockType::tool_use: {
        Result<json::object> block = tool_use_block(b, src, i);
        if (!block) return std::move(block).error();
        others.push_back(std::move(block).value());
        break;
      }
      case BlockType::tool_result: {
        std::vector<const ContentBlock*> images;
        for (std::size_t j = i + 1; j < content.size() && src.message->role == Role::tool; ++j) {
          if (content[j].type != BlockType::image) break;
          images.push_back(&content[j]);
        }
        results.push_back(tool_result_block(b, images));
        break;
      }
      case BlockType::reasoning:
        if (auto block = reasoning_block(b)) others.push_back(std::move(*block));
        break;
    }
  }
  return {};
}

// Messages in Anthropic's shape: tool turns become user turns, and adjacent turns of one wire
// role are merged into one message whose tool_result blocks come first.
Result<json::array> encode_messages(const std::vector<Message>& messages) {
  json::array out;
  std::string role;
  json::array results;
  json::array others;
  auto flush = [&]() {
    if (results.empty() && others.empty()) return;
    json::array content = std::move(results);
    for (auto& b : others) content.push_back(std::move(b));
    out.push_back(json::object{{"role", role}, {"content", std::move(content)}});
    results = json::array();
    others = json::array();
  };
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string wire_role = messages[i].role == Role::assistant ? "assistant" : "user";
    if (wire_role != role) {
      flush();
      role = wire_role;
    }
    if (auto s = message_blocks(Source{&messages[i], i}, results, others); !s) {
      return std::move(s).error();
    }
  }
  flush();
  return out;
}

json::value system_prompt(const std::vector<ContentBlock>& system) {
  json::array blocks;
  for (const ContentBlock& b : system) {
    if (!b.text.empty()) blocks.push_back(text_block(b.text));
  }
  if (blocks.size() == 1) return json::value(blocks[0].as_object().at("text"));
  if (blocks.empty()) return nullptr;
  return blocks;
}

json::value tool_choice(const ChatRequest& r) {
  json::object c;
  switch (r.tool_choice.mode) {
    case ToolChoice::Mode::none:
      return json::object{{"type", "none"}};  // takes no disable_parallel_tool_use
    case ToolChoice::Mode::required:
      c["type"] = "any";
      break;
    case ToolChoice::Mode::named:
      c["type"] = "tool";
      c["name"] = r.tool_choice.name;
      break;
    case ToolChoice::Mode::auto_:
    case ToolChoice::Mode::unset:
      c["type"] = "auto";
      break;
  }
  if (r.parallel_tool_calls.has_value() && !*r.parallel_tool_calls) {
    c["disable_parallel_tool_use"] = true;
  } else if (r.tool_choice.mode == ToolChoice::Mode::unset) {
    return nullptr;  // nothing to say: Anthropic's default is auto
  }
  return c;
}

// Extra members that are Messages API parameters; anything else came from another dialect.
void forward_extra(const json::object& extra, json::object& body) {
  for (std::string_view key : {"top_k", "thinking", "cache_control", "output_config"}) {
    if (const json::value* v = extra.if_contains(key); v != nullptr && !body.contains(key)) {
      body[key] = *v;
    }
  }
  // OpenAI also has service_tier, with other values ("default", "flex").
  if (const json::value* tier = extra.if_contains("service_tier");
      tier != nullptr && tier->is_string() &&
      (tier->get_string() == "auto" || tier->get_string() == "standard_only")) {
    body["service_tier"] = *tier;
  }
}

}  // namespace

Result<std::string> encode_messages_request(const ChatRequest& request,
                                            std::string_view upstream_model,
                                            const AnthropicEncodeOptions& options) {
  json::object body;
  body["model"] = upstream_model;
  body["max_tokens"] = request.max_tokens.value_or(options.default_max_tokens);
  if (json::value system = system_prompt(request.system); !system.is_null()) {
    body["system"] = std::move(system);
  }
  Result<json::array> messages = encode_messages(request.messages);
  if (!messages) return std::move(messages).error();
  body["messages"] = std::move(messages).value();

  if (!request.tools.empty()) {
    json::array tools;
    for (const ToolSpec& t : request.tools) {
      json::object tool{{"name", t.name}};
      if (!t.description.empty()) tool["description"] = t.description;
      tool["input_schema"] =
          t.parameters.is_null()
              ? json::value(json::object{{"type", "object"}, {"properties", json::object()}})
              : t.parameters;
      tools.push_back(std::move(tool));
    }
    body["tools"] = std::move(tools);
    if (json::value choice = tool_choice(request); !choice.is_null()) {
      body["tool_choice"] = std::move(choice);
    }
  }
  if (!request.stop.empty()) {
    json::array stop;
    for (const std::string& s : request.stop) stop.push_back(json::string(s));
    body["stop_sequences"] = std::move(stop);
  }
  if (request.temperature) body["temperature"] = *request.temperature;
  if (request.top_p) body["top_p"] = *request.top_p;
  if (!request.user.empty()) body["metadata"] = json::object{{"user_id", request.user}};
  if (request.stream) body["stream"] = true;
  forward_extra(request.extra, body);
  return json_compact(body);  // 0.7, not Boost's 7E-1
}

}  // namespace gw::anthropic
