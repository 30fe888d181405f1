// OllamaChunkDecoder (see ollama_chunk_decoder.h). Each line is parsed into a DOM backed by a
// stack buffer: Ollama streams at local-inference speed and its lines are small, so the DOM costs
// no heap allocation in the common case and keeps the mapping readable.
#include "wire/ollama/ollama_chunk_decoder.h"

#include <utility>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>

#include "wire/json_read.h"
#include "wire/ollama/ollama_error.h"
#include "wire/ollama/ollama_fields.h"
#include "wire/ollama/ollama_time.h"

namespace gw::ollama {

namespace json = boost::json;

namespace {

void push_text(StreamEvent::Type type, std::string_view text, std::vector<StreamEvent>& out) {
  if (text.empty()) return;
  StreamEvent e;
  e.type = type;
  e.text = std::string(text);
  out.push_back(std::move(e));
}

}  // namespace

Status OllamaChunkDecoder::decode(std::string_view line, std::vector<StreamEvent>& out) {
  if (done_) return {};
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  Result<json::value> parsed = parse_json(line, ErrorKind::provider_bad_response, &arena);
  if (!parsed) return std::move(parsed).error();
  const json::object* o = parsed->if_object();
  if (o == nullptr) {
    return Error::make(ErrorKind::provider_bad_response, "Ollama stream line is not a JSON object");
  }
  if (json_field(*o, "error") != nullptr) return decode_error_value(0, *parsed);

  if (!started_) {
    started_ = true;
    StreamEvent start;
    start.type = StreamEvent::Type::start;
    start.name = std::string(json_string_field(*o, "model"));
    start.created = parse_created_at(json_string_field(*o, "created_at"));
    out.push_back(std::move(start));
  }
  if (const json::object* message = json_object_field(*o, "message")) {
    push_text(StreamEvent::Type::reasoning_delta, json_string_field(*message, "thinking"), out);
    push_text(StreamEvent::Type::text_delta, json_string_field(*message, "content"), out);
    for (ToolCallFields& call : read_tool_calls(*message)) {
      StreamEvent open;
      open.type = StreamEvent::Type::tool_call_start;
      open.index = calls_;
      open.id = call.id.empty() ? synthesized_call_id(static_cast<std::size_t>(calls_))
                                : std::move(call.id);
      open.name = std::move(call.name);
      out.push_back(std::move(open));
      StreamEvent args;
      args.type = StreamEvent::Type::tool_call_delta;
      args.index = calls_;
      args.text = std::move(call.arguments);
      out.push_back(std::move(args));
      ++calls_;
    }
  }
  const json::value* done = json_field(*o, "done");
  if (done != nullptr && done->is_bool() && done->get_bool()) {
    done_ = true;
    StreamEvent finish;
    finish.type = StreamEvent::Type::finish;
    finish.finish = finish_from_done_reason(json_string_field(*o, "done_reason"), calls_ > 0);
    out.push_back(std::move(finish));
    Usage usage = read_usage(*o);
    if (usage.present) {
      StreamEvent u;
      u.type = StreamEvent::Type::usage;
      u.usage = usage;
      out.push_back(std::move(u));
    }
  }
  return {};
}

}  // namespace gw::ollama
