// Converse response codec (see bedrock_response.h): Boost.JSON DOM both ways; one body per
// request, so clarity beats a SAX pass here.
#include "wire/bedrock/bedrock_response.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "wire/bedrock/bedrock_fields.h"
#include "wire/json_read.h"

namespace gw::bedrock {
namespace {

namespace json = boost::json;

Error bad_response(std::string message) {
  return Error::make(ErrorKind::provider_bad_response, std::move(message));
}

void decode_block(const json::object& b, ChatResponse& out) {
  if (const json::value* text = json_field(b, "text"); text && text->is_string()) {
    out.content.push_back(ContentBlock::make_text(std::string(text->get_string())));
  } else if (const json::object* use = json_object_field(b, "toolUse")) {
    ContentBlock c;
    c.type = BlockType::tool_use;
    c.id = std::string(json_string_field(*use, "toolUseId"));
    c.name = std::string(json_string_field(*use, "name"));
    const json::value* input = json_field(*use, "input");
    c.arguments = input ? json::serialize(*input) : "{}";
    out.content.push_back(std::move(c));
  } else if (const json::object* reasoning = json_object_field(b, "reasoningContent")) {
    if (const json::object* rt = json_object_field(*reasoning, "reasoningText")) {
      ContentBlock c;
      c.type = BlockType::reasoning;
      c.text = std::string(json_string_field(*rt, "text"));
      c.signature = std::string(json_string_field(*rt, "signature"));
      out.content.push_back(std::move(c));
    }
  }
}

json::value encode_block(const ContentBlock& b) {
  switch (b.type) {
    case BlockType::text:
      return json::object{{"text", b.text}};
    case BlockType::tool_use: {
      json::value input = json::object();
      if (Result<json::value> parsed = parse_json(b.arguments, ErrorKind::gateway_internal);
          parsed && parsed->is_object()) {
        input = std::move(parsed).value();
      }
      return json::object{
          {"toolUse",
           json::object{{"input", std::move(input)}, {"name", b.name}, {"toolUseId", b.id}}}};
    }
    case BlockType::reasoning: {
      json::object text{{"text", b.text}};
      if (!b.signature.empty()) text["signature"] = b.signature;
      return json::object{{"reasoningContent", json::object{{"reasoningText", std::move(text)}}}};
    }
    case BlockType::image:
    case BlockType::tool_result:
      break;
  }
  return nullptr;
}

}  // namespace

Result<ChatResponse> decode_converse_response(std::string_view body) {
  Result<json::value> parsed = parse_json(body, ErrorKind::provider_bad_response);
  if (!parsed) {
    Error e = std::move(parsed).error();
    e.message = "provider response is not valid JSON: " + e.message;
    return e;
  }
  const json::object* root = parsed->if_object();
  if (root == nullptr) return bad_response("provider response is not a JSON object");
  const json::object* output = json_object_field(*root, "output");
  const json::object* message = output ? json_object_field(*output, "message") : nullptr;
  if (message == nullptr) return bad_response("provider response has no output.message");

  ChatResponse out;
  if (const json::value* content = json_field(*message, "content");
      content && content->is_array()) {
    for (const json::value& b : content->get_array()) {
      if (const json::object* o = b.if_object()) decode_block(*o, out);
    }
  }
  out.finish = parse_stop_reason(json_string_field(*root, "stopReason"));
  if (const json::object* usage = json_object_field(*root, "usage")) {
    out.usage = decode_usage(*usage);
  }
  return out;
}

std::string encode_converse_response(const ChatResponse& response, std::int64_t latency_ms) {
  json::array content;
  bool has_calls = false;
  for (const ContentBlock& b : response.content) {
    json::value v = encode_block(b);
    if (!v.is_null()) content.push_back(std::move(v));
    has_calls = has_calls || b.type == BlockType::tool_use;
  }
  FinishReason finish = response.finish;
  if (finish == FinishReason::unset && has_calls) finish = FinishReason::tool_calls;

  json::object body;
  body["metrics"] = json::object{{"latencyMs", latency_ms}};
  body["output"] = json::object{
      {"message", json::object{{"content", std::move(content)}, {"role", "assistant"}}}};
  body["stopReason"] = stop_reason_name(finish);
  if (response.usage.present) body["usage"] = encode_usage(response.usage);
  return json::serialize(body);
}

}  // namespace gw::bedrock
