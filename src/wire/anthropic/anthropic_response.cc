// Anthropic Message response decode (provider) and encode (ingress); see anthropic_response.h.
#include "wire/anthropic/anthropic_response.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/json_text.h"
#include "wire/anthropic/anthropic_error.h"
#include "wire/anthropic/anthropic_fields.h"
#include "wire/json_read.h"
#include "wire/json_write.h"

namespace gw::anthropic {
namespace {

namespace json = boost::json;

Error bad_response(std::string message) {
  return Error::make(ErrorKind::provider_bad_response, std::move(message));
}

void decode_block(const json::object& b, ChatResponse& out) {
  const std::string_view type = json_string_field(b, "type");
  ContentBlock block;
  if (type == "text") {
    block.text = std::string(json_string_field(b, "text"));
    if (block.text.empty()) return;
  } else if (type == "tool_use") {
    block.type = BlockType::tool_use;
    block.id = std::string(json_string_field(b, "id"));
    block.name = std::string(json_string_field(b, "name"));
    const json::value* input = json_field(b, "input");
    block.arguments = input != nullptr ? json_compact(*input) : "{}";
  } else if (type == "thinking") {
    block.type = BlockType::reasoning;
    block.text = std::string(json_string_field(b, "thinking"));
    block.signature = std::string(json_string_field(b, "signature"));
  } else if (type == "redacted_thinking") {
    block.type = BlockType::reasoning;
    block.data = std::string(json_string_field(b, "data"));
  } else {
    return;  // server_tool_use, web_search_tool_result, …: run by Anthropic, nothing to relay
  }
  out.content.push_back(std::move(block));
}

void append_block(std::string& out, const ContentBlock& b) {
  switch (b.type) {
    case BlockType::text:
      out.append(R"({"type":"text","text":)");
      json_quote_append(out, b.text);
      out.push_back('}');
      return;
    case BlockType::tool_use:
      out.append(R"({"type":"tool_use","id":)");
      json_quote_append(out, b.id);
      out.append(R"(,"name":)");
      json_quote_append(out, b.name);
      out.append(R"(,"input":)");
      append_tool_input(out, b.arguments);
      out.push_back('}');
      return;
    case BlockType::reasoning:
      if (b.text.empty() && b.signature.empty() && !b.data.empty()) {
        out.append(R"({"type":"redacted_thinking","data":)");
        json_quote_append(out, b.data);
        out.push_back('}');
        return;
      }
      out.append(R"({"type":"thinking","thinking":)");
      json_quote_append(out, b.text);
      out.append(R"(,"signature":)");
      json_quote_append(out, b.signature);
      out.push_back('}');
      return;
    case BlockType::image:
    case BlockType::tool_result:
      return;  // not part of an answer
  }
}

bool answer_block(const ContentBlock& b) {
  return b.type == BlockType::text || b.type == BlockType::tool_use ||
         b.type == BlockType::reasoning;
}

}  // namespace

std::string message_id(std::string_view id) {
  if (id.starts_with("msg_")) return std::string(id);
  return "msg_" + std::string(id);
}

void append_tool_input(std::string& out, std::string_view arguments) {
  if (arguments.empty()) {
    out.append("{}");
    return;
  }
  Result<json::value> parsed = parse_json(arguments, ErrorKind::provider_bad_response);
  if (parsed && parsed->is_object()) {
    append_json_compact(out, *parsed);
  } else {
    json_quote_append(out, arguments);
  }
}

Result<ChatResponse> decode_messages_response(std::string_view body) {
  Result<json::value> parsed = parse_json(body, ErrorKind::provider_bad_response);
  if (!parsed) {
    Error e = std::move(parsed).error();
    e.message = "provider response is not valid JSON: " + e.message;
    return e;
  }
  const json::object* root = parsed->if_object();
  if (root == nullptr) return bad_response("provider response is not a JSON object");
  if (json_string_field(*root, "type") == "error" || json_object_field(*root, "error") != nullptr) {
    return decode_error_value(0, *parsed);
  }
  const json::value* content = json_field(*root, "content");
  if (content == nullptr || !content->is_array()) {
    return bad_response("provider response has no content array");
  }

  ChatResponse out;
  out.id = std::string(json_string_field(*root, "id"));
  out.model = std::string(json_string_field(*root, "model"));
  for (const json::value& b : content->get_array()) {
    if (const json::object* block = b.if_object()) decode_block(*block, out);
  }
  out.finish = parse_stop_reason(json_string_field(*root, "stop_reason"));
  if (const json::object* usage = json_object_field(*root, "usage")) {
    WireUsage wire;
    read_usage(*usage, wire);
    out.usage = to_canonical(wire);
  }
  return out;
}

std::string encode_messages_response(const ChatResponse& response, std::string_view model_shown) {
  std::string out;
  out.reserve(256);
  out.append(R"({"id":)");
  json_quote_append(out, message_id(response.id));
  out.append(R"(,"type":"message","role":"assistant","model":)");
  json_quote_append(out, model_shown);
  out.append(R"(,"content":[)");
  bool first = true;
  bool has_calls = false;
  for (const ContentBlock& b : response.content) {
    if (!answer_block(b)) continue;
    if (!first) out.push_back(',');
    first = false;
    append_block(out, b);
    has_calls = has_calls || b.type == BlockType::tool_use;
  }
  out.append(R"(],"stop_reason":)");
  json_quote_append(out, stop_reason_name(response.finish, has_calls));
  out.append(R"(,"stop_sequence":null,"usage":)");
  append_usage_json(out, from_canonical(response.usage));
  out.push_back('}');
  return out;
}

}  // namespace gw::anthropic
