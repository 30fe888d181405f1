// encode_chat_request: canonical ChatRequest → OpenAI Chat Completions body. Runs once per
// upstream attempt, not per streamed chunk, so it builds a Boost.JSON DOM for clarity.
#include <cmath>
#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "wire/openai/openai_request.h"

namespace gw::openai {
namespace {

namespace json = boost::json;

// 1.0 is written as 1, not 1e0: some OpenAI-compatible servers validate integers strictly and
// every server reads 1 as a number.
json::value number(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) {
    return json::value(static_cast<std::int64_t>(d));
  }
  return json::value(d);
}

json::object image_part(const ContentBlock& b) {
  json::object image;
  if (!b.url.empty()) {
    image["url"] = b.url;
  } else {
    image["url"] = "data:" + b.media_type + ";base64," + b.data;
  }
  if (!b.detail.empty()) image["detail"] = b.detail;
  return {{"type", "image_url"}, {"image_url", std::move(image)}};
}

json::object text_part(const std::string& text) {
  return {{"type", "text"}, {"text", text}};
}

void encode_user(const Message& m, json::array& out) {
  json::array parts;
  const ContentBlock* last_text = nullptr;
  for (const ContentBlock& b : m.content) {
    if (b.type == BlockType::text) {
      parts.push_back(text_part(b.text));
      last_text = &b;
    } else if (b.type == BlockType::image) {
      parts.push_back(image_part(b));
    }
  }
  json::object msg{{"role", "user"}};
  if (parts.size() == 1 && last_text != nullptr) {
    msg["content"] = last_text->text;  // a lone text part is sent the common way, as a string
  } else if (parts.empty()) {
    msg["content"] = "";
  } else {
    msg["content"] = std::move(parts);
  }
  if (!m.name.empty()) msg["name"] = m.name;
  out.push_back(std::move(msg));
}

void encode_assistant(const Message& m, json::array& out) {
  std::vector<const std::string*> texts;
  json::array calls;
  for (const ContentBlock& b : m.content) {
    if (b.type == BlockType::text) {
      texts.push_back(&b.text);
    } else if (b.type == BlockType::tool_use) {
      calls.push_back(
          json::object{{"id", b.id},
                       {"type", "function"},
                       {"function", json::object{{"name", b.name}, {"arguments", b.arguments}}}});
    }
  }
  json::object msg{{"role", "assistant"}};
  if (texts.empty()) {
    msg["content"] = calls.empty() ? json::value("") : json::value(nullptr);
  } else if (texts.size() == 1) {
    msg["content"] = *texts[0];
  } else {
    json::array parts;
    for (const std::string* t : texts) parts.push_back(text_part(*t));
    msg["content"] = std::move(parts);
  }
  if (!calls.empty()) msg["tool_calls"] = std::move(calls);
  if (!m.name.empty()) msg["name"] = m.name;
  out.push_back(std::move(msg));
}

void encode_message(const Message& m, json::array& out) {
  // Tool results answer the preceding assistant turn, so they go first, one message each.
  bool other_blocks = m.content.empty();
  for (const ContentBlock& b : m.content) {
    if (b.type == BlockType::tool_result) {
      out.push_back(json::object{{"role", "tool"}, {"tool_call_id", b.id}, {"content", b.text}});
    } else {
      other_blocks = true;
    }
  }
  if (!other_blocks || m.role == Role::tool) return;
  if (m.role == Role::user) {
    encode_user(m, out);
  } else {
    encode_assistant(m, out);
  }
}

json::value tool_choice(const ToolChoice& c) {
  switch (c.mode) {
    case ToolChoice::Mode::auto_:
      return "auto";
    case ToolChoice::Mode::none:
      return "none";
    case ToolChoice::Mode::required:
      return "required";
    case ToolChoice::Mode::named:
      return json::object{{"type", "function"}, {"function", json::object{{"name", c.name}}}};
    case ToolChoice::Mode::unset:
      break;
  }
  return nullptr;
}

json::value response_format(const ResponseFormat& f) {
  switch (f.type) {
    case ResponseFormat::Type::text:
      return json::object{{"type", "text"}};
    case ResponseFormat::Type::json_object:
      return json::object{{"type", "json_object"}};
    case ResponseFormat::Type::json_schema: {
      json::object schema{{"name", f.name}};
      if (!f.schema.is_null()) schema["schema"] = f.schema;
      if (f.strict) schema["strict"] = *f.strict;
      if (!f.description.empty()) schema["description"] = f.description;
      return json::object{{"type", "json_schema"}, {"json_schema", std::move(schema)}};
    }
    case ResponseFormat::Type::unset:
      break;
  }
  return nullptr;
}

}  // namespace

std::string encode_chat_request(const ChatRequest& request, std::string_view upstream_model,
                                const OpenAIEncodeOptions& options) {
  json::object body;
  body["model"] = upstream_model;

  json::array messages;
  for (const ContentBlock& b : request.system) {
    messages.push_back(json::object{{"role", "system"}, {"content", b.text}});
  }
  for (const Message& m : request.messages) encode_message(m, messages);
  body["messages"] = std::move(messages);

  if (!request.tools.empty()) {
    json::array tools;
    for (const ToolSpec& t : request.tools) {
      json::object fn{{"name", t.name}};
      if (!t.description.empty()) fn["description"] = t.description;
      if (!t.parameters.is_null()) fn["parameters"] = t.parameters;
      if (t.strict) fn["strict"] = *t.strict;
      tools.push_back(json::object{{"type", "function"}, {"function", std::move(fn)}});
    }
    body["tools"] = std::move(tools);
    if (request.tool_choice.mode != ToolChoice::Mode::unset) {
      body["tool_choice"] = tool_choice(request.tool_choice);
    }
    if (request.parallel_tool_calls) body["parallel_tool_calls"] = *request.parallel_tool_calls;
  }
  if (request.response_format.type != ResponseFormat::Type::unset) {
    body["response_format"] = response_format(request.response_format);
  }
  if (request.max_tokens) body[options.max_tokens_field] = *request.max_tokens;
  if (request.temperature) body["temperature"] = number(*request.temperature);
  if (request.top_p) body["top_p"] = number(*request.top_p);
  if (request.seed) body["seed"] = *request.seed;
  if (!request.stop.empty()) {
    json::array stop;
    for (const std::string& s : request.stop) stop.push_back(json::string(s));
    body["stop"] = std::move(stop);
  }
  if (!request.user.empty()) body["user"] = request.user;
  if (request.stream) {
    body["stream"] = true;
    if (options.stream_usage) body["stream_options"] = json::object{{"include_usage", true}};
  }
  if (options.forward_extra) {
    for (const auto& kv : request.extra) {
      // A canonical field always wins over a same-named extra, and both token-limit names are
      // canonical whichever one this server is sent.
      if (!body.contains(kv.key()) && kv.key() != "max_tokens" &&
          kv.key() != "max_completion_tokens") {
        body.emplace(kv.key(), kv.value());
      }
    }
  }
  for (const std::string& f : options.drop_fields) body.erase(f);
  return json::serialize(body);
}

}  // namespace gw::openai
