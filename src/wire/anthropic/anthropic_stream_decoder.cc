// Anthropic Messages SSE → canonical StreamEvents (see anthropic_stream_decoder.h).
#include "wire/anthropic/anthropic_stream_decoder.h"

#include <utility>

#include <boost/json/monotonic_resource.hpp>

#include "wire/anthropic/anthropic_error.h"
#include "wire/json_read.h"
#include "wire/json_write.h"

namespace gw::anthropic {
namespace {

namespace json = boost::json;
using Type = StreamEvent::Type;

StreamEvent text_event(Type type, std::string_view text) {
  StreamEvent e;
  e.type = type;
  e.text = std::string(text);
  return e;
}

}  // namespace

Status AnthropicStreamDecoder::fail(Error error) {
  failed_ = error;
  return error;
}

AnthropicStreamDecoder::Block* AnthropicStreamDecoder::find_block(const json::object& data) {
  const std::int64_t index = json_int_field(data, "index");
  for (Block& b : blocks_) {
    if (b.wire_index == index) return &b;
  }
  return nullptr;
}

void AnthropicStreamDecoder::message_start(const json::object& data,
                                           std::vector<StreamEvent>& out) {
  const json::object* message = json_object_field(data, "message");
  StreamEvent start;
  start.type = Type::start;
  if (message != nullptr) {
    start.id = std::string(json_string_field(*message, "id"));
    start.name = std::string(json_string_field(*message, "model"));
    if (const json::object* usage = json_object_field(*message, "usage")) {
      read_usage(*usage, usage_);
      usage_seen_ = true;
    }
  }
  out.push_back(std::move(start));
}

void AnthropicStreamDecoder::block_start(const json::object& data, std::vector<StreamEvent>& out) {
  Block block;
  block.wire_index = json_int_field(data, "index");
  const json::object* content = json_object_field(data, "content_block");
  const std::string_view type = content ? json_string_field(*content, "type") : std::string_view();
  if (type == "text") {
    const std::string_view text = json_string_field(*content, "text");
    if (!text.empty()) out.push_back(text_event(Type::text_delta, text));
  } else if (type == "thinking") {
    const std::string_view text = json_string_field(*content, "thinking");
    if (!text.empty()) out.push_back(text_event(Type::reasoning_delta, text));
  } else if (type == "tool_use") {
    block.tool_index = next_tool_++;
    StreamEvent e;
    e.type = Type::tool_call_start;
    e.index = block.tool_index;
    e.id = std::string(json_string_field(*content, "id"));
    e.name = std::string(json_string_field(*content, "name"));
    out.push_back(std::move(e));
    const json::object* input = json_object_field(*content, "input");
    if (input != nullptr && !input->empty()) block.start_input = json_compact(*input);
  }
  blocks_.push_back(std::move(block));
}

void AnthropicStreamDecoder::block_delta(const json::object& data, std::vector<StreamEvent>& out) {
  const json::object* delta = json_object_field(data, "delta");
  if (delta == nullptr) return;
  const std::string_view type = json_string_field(*delta, "type");
  if (type == "text_delta") {
    const std::string_view text = json_string_field(*delta, "text");
    if (!text.empty()) out.push_back(text_event(Type::text_delta, text));
  } else if (type == "thinking_delta") {
    const std::string_view text = json_string_field(*delta, "thinking");
    if (!text.empty()) out.push_back(text_event(Type::reasoning_delta, text));
  } else if (type == "input_json_delta") {
    Block* block = find_block(data);
    if (block == nullptr || block->tool_index < 0) return;
    block->got_delta = true;
    const std::string_view fragment = json_string_field(*delta, "partial_json");
    if (fragment.empty()) return;  // the first fragment is often ""
    StreamEvent e = text_event(Type::tool_call_delta, fragment);
    e.index = block->tool_index;
    out.push_back(std::move(e));
  }
  // signature_delta, citations_delta: no canonical stream event carries them.
}

void AnthropicStreamDecoder::block_stop(const json::object& data, std::vector<StreamEvent>& out) {
  Block* block = find_block(data);
  if (block == nullptr || block->tool_index < 0 || block->got_delta || block->start_input.empty()) {
    return;
  }
  StreamEvent e = text_event(Type::tool_call_delta, block->start_input);
  e.index = block->tool_index;
  out.push_back(std::move(e));
}

void AnthropicStreamDecoder::message_delta(const json::object& data) {
  if (const json::object* delta = json_object_field(data, "delta")) {
    const std::string_view reason = json_string_field(*delta, "stop_reason");
    if (!reason.empty()) finish_ = parse_stop_reason(reason);
  }
  if (const json::object* usage = json_object_field(data, "usage")) {
    read_usage(*usage, usage_);
    usage_seen_ = true;
  }
}

void AnthropicStreamDecoder::message_stop(std::vector<StreamEvent>& out) {
  done_ = true;
  StreamEvent finish;
  finish.type = Type::finish;
  finish.finish = finish_;
  out.push_back(std::move(finish));
  if (usage_seen_) {
    StreamEvent usage;
    usage.type = Type::usage;
    usage.usage = to_canonical(usage_);
    out.push_back(std::move(usage));
  }
}

Status AnthropicStreamDecoder::handle(const SseEvent& ev, std::vector<StreamEvent>& out) {
  const bool error_record = ev.event == "error";
  if (ev.data.empty()) {
    if (error_record) return decode_error_value(0, json::value());
    return {};
  }
  json::monotonic_resource scratch(parse_buffer_, sizeof parse_buffer_);
  Result<json::value> parsed =
      parse_json(ev.data, ErrorKind::provider_bad_response, json::storage_ptr(&scratch));
  if (!parsed) {
    // An error record whatever its data looks like.
    if (error_record) return decode_error_value(0, json::value());
    Error e = std::move(parsed).error();
    e.message = "stream event is not valid JSON: " + e.message;
    return e;
  }
  const json::object* data = parsed->if_object();
  if (data == nullptr) {
    if (error_record) return decode_error_value(0, json::value());
    return Error::make(ErrorKind::provider_bad_response, "stream event is not a JSON object");
  }
  std::string_view type = json_string_field(*data, "type");
  if (type.empty()) type = ev.event;

  if (type == "error" || error_record) return decode_error_value(0, *parsed);
  if (type == "message_start") {
    message_start(*data, out);
  } else if (type == "content_block_start") {
    block_start(*data, out);
  } else if (type == "content_block_delta") {
    block_delta(*data, out);
  } else if (type == "content_block_stop") {
    block_stop(*data, out);
  } else if (type == "message_delta") {
    message_delta(*data);
  } else if (type == "message_stop") {
    message_stop(out);
  }
  // ping and event types added later carry nothing the canonical stream needs.
  return {};
}

Status AnthropicStreamDecoder::drain(std::vector<StreamEvent>& out) {
  Status status;
  for (const SseEvent& ev : events_) {
    if (done_) break;  // nothing after message_stop counts
    if (Status s = handle(ev, out); !s) {
      status = fail(std::move(s).error());
      break;
    }
  }
  events_.clear();
  return status;
}

Status AnthropicStreamDecoder::feed(std::string_view bytes, std::vector<StreamEvent>& out) {
  if (failed_) return *failed_;
  if (Status s = sse_.feed(bytes, events_); !s) {
    events_.clear();
    return fail(std::move(s).error());
  }
  return drain(out);
}

Status AnthropicStreamDecoder::finish(std::vector<StreamEvent>& out) {
  if (failed_) return *failed_;
  if (Status s = sse_.finish(events_); !s) {
    events_.clear();
    return fail(std::move(s).error());
  }
  if (Status s = drain(out); !s) return s;
  if (!done_) {
    return fail(
        Error::make(ErrorKind::provider_stream_interrupted, "stream ended before message_stop"));
  }
  return {};
}

}  // namespace gw::anthropic
