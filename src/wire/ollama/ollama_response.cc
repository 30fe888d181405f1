// Ollama non-streamed answers in both directions (see ollama_response.h).
#include "wire/ollama/ollama_response.h"

#include <utility>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "wire/json_read.h"
#include "wire/json_write.h"
#include "wire/ollama/ollama_error.h"
#include "wire/ollama/ollama_fields.h"
#include "wire/ollama/ollama_time.h"

namespace gw::ollama {

namespace json = boost::json;

Result<ChatResponse> decode_chat_response(std::string_view body) {
  Result<json::value> parsed = parse_json(body, ErrorKind::provider_bad_response);
  if (!parsed) return std::move(parsed).error();
  const json::object* o = parsed->if_object();
  if (o == nullptr) {
    return Error::make(ErrorKind::provider_bad_response, "Ollama answer is not a JSON object");
  }
  if (json_field(*o, "error") != nullptr) return decode_error_value(0, *parsed);
  const json::object* message = json_object_field(*o, "message");
  if (message == nullptr) {
    return Error::make(ErrorKind::provider_bad_response, "Ollama answer has no message object");
  }

  ChatResponse r;
  r.model = std::string(json_string_field(*o, "model"));
  r.created = parse_created_at(json_string_field(*o, "created_at"));
  std::string_view thinking = json_string_field(*message, "thinking");
  if (!thinking.empty()) {
    ContentBlock b;
    b.type = BlockType::reasoning;
    b.text = std::string(thinking);
    r.content.push_back(std::move(b));
  }
  std::string_view content = json_string_field(*message, "content");
  if (!content.empty()) r.content.push_back(ContentBlock::make_text(std::string(content)));
  std::vector<ToolCallFields> calls = read_tool_calls(*message);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    ContentBlock b;
    b.type = BlockType::tool_use;
    b.id = calls[i].id.empty() ? synthesized_call_id(i) : std::move(calls[i].id);
    b.name = std::move(calls[i].name);
    b.arguments = std::move(calls[i].arguments);
    r.content.push_back(std::move(b));
  }
  r.finish = finish_from_done_reason(json_string_field(*o, "done_reason"), !calls.empty());
  r.usage = read_usage(*o);
  return r;
}

std::string encode_chat_response(const ChatResponse& response, std::string_view model_shown) {
  std::string text;
  std::string thinking;
  json::array calls;
  for (const ContentBlock& b : response.content) {
    if (b.type == BlockType::text) {
      text += b.text;
    } else if (b.type == BlockType::reasoning) {
      thinking += b.text;
    } else if (b.type == BlockType::tool_use) {
      calls.push_back(tool_call_json(b.name, b.arguments));
    }
  }
  json::object message{{"role", "assistant"}, {"content", std::move(text)}};
  if (!thinking.empty()) message["thinking"] = std::move(thinking);
  if (!calls.empty()) message["tool_calls"] = std::move(calls);

  json::object body;
  body["model"] = model_shown;
  body["created_at"] = format_created_at(response.created);
  body["message"] = std::move(message);
  // done_reason_name reports tool calls as "stop", as Ollama does.
  body["done_reason"] = done_reason_name(response.finish);
  body["done"] = true;
  if (response.usage.present) {
    body["prompt_eval_count"] = response.usage.input_tokens;
    body["eval_count"] = response.usage.output_tokens;
  }
  return json_compact(body);
}

}  // namespace gw::ollama
