#include "wire/openai/openai_response.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "common/json_text.h"
#include "wire/json_read.h"
#include "wire/openai/openai_error.h"
#include "wire/openai/openai_fields.h"

namespace gw::openai {
namespace {

namespace json = boost::json;

Error bad_response(std::string message) {
  return Error::make(ErrorKind::provider_bad_response, std::move(message));
}

// Arguments are normally a JSON string; Ollama sometimes sends the object itself.
std::string arguments_text(const json::object& fn) {
  const json::value* args = json_field(fn, "arguments");
  if (args == nullptr) return {};
  if (args->is_string()) return std::string(args->get_string());
  return json::serialize(*args);
}

void decode_message(const json::object& message, ChatResponse& out) {
  for (std::string_view key : {"reasoning_content", "reasoning"}) {
    std::string_view r = json_string_field(message, key);
    if (!r.empty()) {
      ContentBlock b;
      b.type = BlockType::reasoning;
      b.text = std::string(r);
      out.content.push_back(std::move(b));
      break;
    }
  }
  if (const json::value* content = json_field(message, "content")) {
    if (content->is_string()) {
      if (!content->get_string().empty()) {
        out.content.push_back(ContentBlock::make_text(std::string(content->get_string())));
      }
    } else if (const json::array* parts = content->if_array()) {
      for (const json::value& part : *parts) {
        const json::object* p = part.if_object();
        if (p == nullptr) continue;
        std::string_view text = json_string_field(*p, "text");
        if (!text.empty()) out.content.push_back(ContentBlock::make_text(std::string(text)));
      }
    }
  }
  std::string_view refusal = json_string_field(message, "refusal");
  if (!refusal.empty()) out.content.push_back(ContentBlock::make_text(std::string(refusal)));

  const json::value* calls = json_field(message, "tool_calls");
  if (calls != nullptr && calls->is_array()) {
    std::size_t i = 0;
    for (const json::value& call : calls->get_array()) {
      const json::object* c = call.if_object();
      if (c == nullptr) continue;
      ContentBlock b;
      b.type = BlockType::tool_use;
      b.id = std::string(json_string_field(*c, "id"));
      if (b.id.empty()) b.id = "call_" + std::to_string(i);  // some compatible servers omit ids
      if (const json::object* fn = json_object_field(*c, "function")) {
        b.name = std::string(json_string_field(*fn, "name"));
        b.arguments = arguments_text(*fn);
      }
      out.content.push_back(std::move(b));
      ++i;
    }
  } else if (const json::object* fc = json_object_field(message, "function_call")) {
    ContentBlock b;  // the legacy single function call
    b.type = BlockType::tool_use;
    b.id = "call_0";
    b.name = std::string(json_string_field(*fc, "name"));
    b.arguments = arguments_text(*fc);
    out.content.push_back(std::move(b));
  }
}

}  // namespace

Result<ChatResponse> decode_chat_response(std::string_view body) {
  Result<json::value> parsed = parse_json(body, ErrorKind::provider_bad_response);
  if (!parsed) {
    Error e = std::move(parsed).error();
    e.message = "provider response is not valid JSON: " + e.message;
    return e;
  }
  const json::object* root = parsed->if_object();
  if (root == nullptr) return bad_response("provider response is not a JSON object");
  const json::value* choices = json_field(*root, "choices");
  if (choices == nullptr && json_field(*root, "error") != nullptr) {
    return decode_upstream_error_value(0, *parsed);
  }
  if (choices == nullptr || !choices->is_array() || choices->get_array().empty()) {
    return bad_response("provider response has no choices");
  }
  const json::object* choice = choices->get_array()[0].if_object();
  const json::object* message = choice ? json_object_field(*choice, "message") : nullptr;
  if (message == nullptr) return bad_response("provider response has no choices[0].message");

  ChatResponse out;
  out.id = std::string(json_string_field(*root, "id"));
  out.model = std::string(json_string_field(*root, "model"));
  out.created = json_int_field(*root, "created");
  out.system_fingerprint = std::string(json_string_field(*root, "system_fingerprint"));
  decode_message(*message, out);
  out.finish = parse_finish_reason(json_string_field(*choice, "finish_reason"));
  if (const json::object* usage = json_object_field(*root, "usage")) {
    out.usage = decode_usage(*usage);
  }
  return out;
}

std::string encode_chat_response(const ChatResponse& response, std::string_view model_shown) {
  std::string out;
  out.reserve(256);
  out.append(R"({"id":)");
  json_quote_append(out, response.id);
  out.append(R"(,"object":"chat.completion","created":)");
  json_int_append(out, response.created);
  out.append(R"(,"model":)");
  json_quote_append(out, model_shown);
  out.append(R"(,"choices":[{"index":0,"message":{"role":"assistant","content":)");

  std::string text;
  std::string reasoning;
  bool has_text = false;
  bool has_calls = false;
  for (const ContentBlock& b : response.content) {
    if (b.type == BlockType::text) {
      text += b.text;
      has_text = true;
    } else if (b.type == BlockType::reasoning) {
      reasoning += b.text;
    } else if (b.type == BlockType::tool_use) {
      has_calls = true;
    }
  }
  if (has_text || !has_calls) {
    json_quote_append(out, text);
  } else {
    out.append("null");
  }
  out.append(R"(,"refusal":null)");
  if (!reasoning.empty()) {
    out.append(R"(,"reasoning_content":)");
    json_quote_append(out, reasoning);
  }
  if (has_calls) {
    out.append(R"(,"tool_calls":[)");
    bool first = true;
    for (const ContentBlock& b : response.content) {
      if (b.type != BlockType::tool_use) continue;
      if (!first) out.push_back(',');
      first = false;
      out.append(R"({"id":)");
      json_quote_append(out, b.id);
      out.append(R"(,"type":"function","function":{"name":)");
      json_quote_append(out, b.name);
      out.append(R"(,"arguments":)");
      json_quote_append(out, b.arguments);
      out.append("}}");
    }
    out.push_back(']');
  }
  out.append(R"(},"logprobs":null,"finish_reason":)");
  FinishReason finish = response.finish;
  if (finish == FinishReason::unset && has_calls) finish = FinishReason::tool_calls;
  json_quote_append(out, finish_reason_name(finish));
  out.append("}]");
  if (response.usage.present) {
    out.append(R"(,"usage":)");
    append_usage_json(out, response.usage);
  }
  if (!response.system_fingerprint.empty()) {
    out.append(R"(,"system_fingerprint":)");
    json_quote_append(out, response.system_fingerprint);
  }
  out.push_back('}');
  return out;
}

}  // namespace gw::openai
