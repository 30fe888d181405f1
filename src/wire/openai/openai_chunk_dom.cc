// read_chunk_dom and the ChunkFields helpers: the slow, general reader for chunk shapes the SAX
// pass does not take (see openai_chunk_fields.h).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "wire/json_read.h"
#include "wire/openai/openai_chunk_fields.h"
#include "wire/openai/openai_error.h"
#include "wire/openai/openai_fields.h"

namespace gw::openai::detail {

namespace json = boost::json;

ToolCallFields& ChoiceFields::add_tool() {
  if (tool_count == tools.size()) tools.emplace_back();
  ToolCallFields& t = tools[tool_count++];
  t.index = -1;
  t.id.clear();
  t.name.clear();
  t.arguments.clear();
  return t;
}

void ChoiceFields::clear() {
  present = false;
  index = 0;
  reasoning_content.clear();
  reasoning.clear();
  content.clear();
  refusal.clear();
  finish_reason.clear();
  tool_count = 0;
}

void ChunkFields::clear() {
  id.clear();
  model.clear();
  created = 0;
  choice.clear();
  has_usage = false;
  usage = Usage{};
  has_groq_usage = false;
  groq_usage = Usage{};
}

namespace {

void assign(std::string& out, std::string_view value) {
  out.assign(value.data(), value.size());
}

void read_choice(const json::object& choice, ChoiceFields& out) {
  out.present = true;
  out.index = 0;
  if (const json::object* delta = json_object_field(choice, "delta")) {
    assign(out.reasoning_content, json_string_field(*delta, "reasoning_content"));
    assign(out.reasoning, json_string_field(*delta, "reasoning"));
    assign(out.content, json_string_field(*delta, "content"));
    assign(out.refusal, json_string_field(*delta, "refusal"));
    if (const json::value* calls = json_field(*delta, "tool_calls"); calls && calls->is_array()) {
      for (const json::value& c : calls->get_array()) {
        const json::object* call = c.if_object();
        if (call == nullptr) continue;
        ToolCallFields& t = out.add_tool();
        if (const json::value* index = json_field(*call, "index")) {
          t.index = json_to_int64(*index).value_or(-1);
        }
        assign(t.id, json_string_field(*call, "id"));
        if (const json::object* fn = json_object_field(*call, "function")) {
          assign(t.name, json_string_field(*fn, "name"));
          if (const json::value* args = json_field(*fn, "arguments")) {
            // Some compatible servers send the arguments object itself: keep it as JSON text.
            t.arguments =
                args->is_string() ? std::string(args->get_string()) : json::serialize(*args);
          }
        }
      }
    }
  }
  assign(out.finish_reason, json_string_field(choice, "finish_reason"));
}

}  // namespace

Status read_chunk_dom(const json::value& chunk, ChunkFields& fields) {
  const json::object* obj = chunk.if_object();
  if (obj == nullptr) {
    return Error::make(ErrorKind::provider_bad_response, "stream chunk is not a JSON object");
  }
  if (json_field(*obj, "error") != nullptr) return decode_upstream_error_value(0, chunk);
  fields.clear();
  assign(fields.id, json_string_field(*obj, "id"));
  assign(fields.model, json_string_field(*obj, "model"));
  fields.created = json_int_field(*obj, "created");
  if (const json::value* choices = json_field(*obj, "choices"); choices && choices->is_array()) {
    for (const json::value& c : choices->get_array()) {
      const json::object* choice = c.if_object();
      if (choice == nullptr || json_int_field(*choice, "index") != 0) continue;
      read_choice(*choice, fields.choice);
      break;
    }
  }
  if (const json::object* usage = json_object_field(*obj, "usage")) {
    fields.has_usage = true;
    fields.usage = decode_usage(*usage);
  }
  if (const json::object* groq = json_object_field(*obj, "x_groq")) {
    if (const json::object* usage = json_object_field(*groq, "usage")) {
      fields.has_groq_usage = true;
      fields.groq_usage = decode_usage(*usage);
    }
  }
  return {};
}

}  // namespace gw::openai::detail
