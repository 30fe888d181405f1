#include "wire/openai/openai_chunk_decoder.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include "wire/json_read.h"
#include "wire/openai/openai_error.h"
#include "wire/openai/openai_fields.h"

namespace gw::openai {
namespace {

namespace json = boost::json;

json::parse_options parse_options() {
  json::parse_options o;
  o.max_depth = kMaxJsonDepth;
  return o;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

StreamEvent text_event(StreamEvent::Type type, std::string_view text, int index = 0) {
  StreamEvent ev;
  ev.type = type;
  ev.index = index;
  ev.text = std::string(text);
  return ev;
}

}  // namespace

OpenAIChunkDecoder::OpenAIChunkDecoder() : parser_(json::storage_ptr{}, parse_options()) {}

Status OpenAIChunkDecoder::decode(std::string_view data, std::vector<StreamEvent>& out) {
  if (done_) return {};
  data = trim(data);
  if (data.empty()) return {};
  if (data == "[DONE]") {
    done_ = true;
    return {};
  }
  json::monotonic_resource arena(buffer_, sizeof buffer_);
  parser_.reset(json::storage_ptr(&arena));
  boost::system::error_code ec;
  const std::size_t consumed = parser_.write(data.data(), data.size(), ec);
  if (ec) {
    parser_.reset();  // drop partial values before the arena goes away
    return Error::make(
        ErrorKind::provider_bad_response,
        "invalid JSON in stream chunk: " + ec.message() + " at offset " + std::to_string(consumed));
  }
  const json::value chunk = parser_.release();
  parser_.reset();
  return decode_chunk(chunk, out);
}

Status OpenAIChunkDecoder::decode_chunk(const json::value& chunk, std::vector<StreamEvent>& out) {
  const json::object* obj = chunk.if_object();
  if (obj == nullptr) {
    return Error::make(ErrorKind::provider_bad_response, "stream chunk is not a JSON object");
  }
  if (json_field(*obj, "error") != nullptr) return decode_upstream_error_value(0, chunk);

  if (!started_) {
    started_ = true;
    StreamEvent ev;
    ev.type = StreamEvent::Type::start;
    ev.id = std::string(json_string_field(*obj, "id"));
    ev.name = std::string(json_string_field(*obj, "model"));
    ev.created = json_int_field(*obj, "created");
    out.push_back(std::move(ev));
  }

  if (const json::value* choices = json_field(*obj, "choices"); choices && choices->is_array()) {
    for (const json::value& c : choices->get_array()) {
      const json::object* choice = c.if_object();
      if (choice == nullptr || json_int_field(*choice, "index") != 0) continue;
      if (const json::object* delta = json_object_field(*choice, "delta")) {
        // vLLM ≥ 0.10 sends the same text as both reasoning_content and reasoning: take one.
        std::string_view reasoning = json_string_field(*delta, "reasoning_content");
        if (reasoning.empty()) reasoning = json_string_field(*delta, "reasoning");
        if (!reasoning.empty()) {
          out.push_back(text_event(StreamEvent::Type::reasoning_delta, reasoning));
        }
        std::string_view content = json_string_field(*delta, "content");
        if (!content.empty()) out.push_back(text_event(StreamEvent::Type::text_delta, content));
        std::string_view refusal = json_string_field(*delta, "refusal");
        if (!refusal.empty()) out.push_back(text_event(StreamEvent::Type::text_delta, refusal));
        if (const json::value* calls = json_field(*delta, "tool_calls");
            calls && calls->is_array()) {
          for (const json::value& call : calls->get_array()) {
            if (const json::object* co = call.if_object()) decode_tool_call(*co, out);
          }
        }
      }
      std::string_view finish = json_string_field(*choice, "finish_reason");
      if (!finish.empty()) {
        StreamEvent ev;
        ev.type = StreamEvent::Type::finish;
        ev.finish = parse_finish_reason(finish);
        out.push_back(std::move(ev));
      }
    }
  }

  const json::object* usage = json_object_field(*obj, "usage");
  if (usage == nullptr) {  // Groq reports stream usage under x_groq
    if (const json::object* groq = json_object_field(*obj, "x_groq")) {
      usage = json_object_field(*groq, "usage");
    }
  }
  if (usage != nullptr) {
    StreamEvent ev;
    ev.type = StreamEvent::Type::usage;
    ev.usage = decode_usage(*usage);
    out.push_back(std::move(ev));
  }
  return {};
}

void OpenAIChunkDecoder::decode_tool_call(const json::object& call, std::vector<StreamEvent>& out) {
  const json::value* index_v = json_field(call, "index");
  const std::int64_t provider_index = index_v ? json_to_int64(*index_v).value_or(-1) : -1;
  std::string_view id = json_string_field(call, "id");
  const json::object* fn = json_object_field(call, "function");
  std::string_view name = fn ? json_string_field(*fn, "name") : std::string_view{};

  // The latest call the provider numbered this way (servers that omit the index continue the
  // call opened last).
  int slot = -1;
  for (int i = static_cast<int>(tools_.size()) - 1; i >= 0; --i) {
    if (provider_index < 0 || tools_[i].provider_index == provider_index) {
      slot = i;
      break;
    }
  }
  // A new call: an index not seen yet, or a different id where a server reuses one index for
  // consecutive calls.
  const bool fresh = slot < 0 || (!id.empty() && id != tools_[slot].id);
  if (fresh) {
    slot = static_cast<int>(tools_.size());
    std::string call_id = id.empty() ? "call_" + std::to_string(slot) : std::string(id);
    StreamEvent ev;
    ev.type = StreamEvent::Type::tool_call_start;
    ev.index = slot;
    ev.id = call_id;
    ev.name = std::string(name);
    out.push_back(std::move(ev));
    tools_.push_back(ToolSlot{provider_index, std::move(call_id)});
  }
  if (fn == nullptr) return;
  const json::value* args = json_field(*fn, "arguments");
  if (args == nullptr) return;
  if (args->is_string()) {
    if (!args->get_string().empty()) {
      out.push_back(text_event(StreamEvent::Type::tool_call_delta,
                               std::string_view(args->get_string()), slot));
    }
  } else {  // an arguments object (some compatible servers) is the whole call at once
    out.push_back(text_event(StreamEvent::Type::tool_call_delta, json::serialize(*args), slot));
  }
}

}  // namespace gw::openai
