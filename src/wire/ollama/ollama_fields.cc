// Ollama field mappings (see ollama_fields.h).
#include "wire/ollama/ollama_fields.h"

#include <boost/json/array.hpp>

#include "wire/json_read.h"
#include "wire/json_write.h"

namespace gw::ollama {

namespace json = boost::json;

std::vector<ToolCallFields> read_tool_calls(const json::object& message) {
  std::vector<ToolCallFields> out;
  const json::value* calls = json_field(message, "tool_calls");
  if (calls == nullptr || !calls->is_array()) return out;
  for (const json::value& call : calls->get_array()) {
    const json::object* c = call.if_object();
    if (c == nullptr) continue;
    ToolCallFields f;
    f.id = std::string(json_string_field(*c, "id"));
    f.arguments = "{}";
    if (const json::object* fn = json_object_field(*c, "function")) {
      f.name = std::string(json_string_field(*fn, "name"));
      if (const json::value* args = json_field(*fn, "arguments")) {
        f.arguments = args->is_string() ? std::string(args->get_string()) : json_compact(*args);
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

json::value tool_call_json(std::string_view name, std::string_view arguments) {
  json::value args = json::object();
  if (!arguments.empty()) {
    Result<json::value> parsed = parse_json(arguments, ErrorKind::provider_bad_response);
    args = parsed && parsed->is_object() ? std::move(parsed).value() : json::value(arguments);
  }
  return json::object{{"function", json::object{{"name", name}, {"arguments", std::move(args)}}}};
}

std::string synthesized_call_id(std::size_t index) {
  return "call_" + std::to_string(index);
}

FinishReason finish_from_done_reason(std::string_view done_reason, bool made_tool_calls) {
  if (done_reason == "length") return FinishReason::length;
  return made_tool_calls ? FinishReason::tool_calls : FinishReason::stop;
}

std::string_view done_reason_name(FinishReason reason) {
  return reason == FinishReason::length ? "length" : "stop";
}

Usage read_usage(const json::object& body) {
  Usage u;
  const json::value* prompt = json_field(body, "prompt_eval_count");
  const json::value* eval = json_field(body, "eval_count");
  u.present = prompt != nullptr || eval != nullptr;
  u.input_tokens = json_int_field(body, "prompt_eval_count");
  u.output_tokens = json_int_field(body, "eval_count");
  return u;
}

}  // namespace gw::ollama
