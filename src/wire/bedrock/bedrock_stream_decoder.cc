// ConverseStream decoding (see bedrock_stream_decoder.h): framing errors, exceptions and events
// are handled message by message, so events decoded before a failure are still delivered.
#include "wire/bedrock/bedrock_stream_decoder.h"

#include <utility>

#include "wire/bedrock/bedrock_error.h"
#include "wire/bedrock/bedrock_fields.h"
#include "wire/json_read.h"

namespace gw::bedrock {
namespace {

namespace json = boost::json;

Error bad(std::string message) {
  return Error::make(ErrorKind::provider_bad_response, std::move(message));
}

}  // namespace

Status BedrockStreamDecoder::fail(Error error) {
  failed_ = error;
  messages_.clear();
  return error;
}

Status BedrockStreamDecoder::feed(std::string_view bytes, std::vector<StreamEvent>& out) {
  if (failed_) return *failed_;
  Status framed = parser_.feed(bytes, messages_);
  // Messages completed before a framing error still count, as their events do.
  if (Status s = drain(out); !s) return s;
  if (!framed) return fail(std::move(framed).error());
  return {};
}

Status BedrockStreamDecoder::finish(std::vector<StreamEvent>& out) {
  if (failed_) return *failed_;
  if (Status framed = parser_.finish(messages_); !framed) {
    if (!done_ && framed.error().code == "eventstream_truncated") {
      return fail(Error::make(ErrorKind::provider_stream_interrupted,
                              "ConverseStream ended inside a message: " + framed.error().message));
    }
    return fail(std::move(framed).error());
  }
  if (Status s = drain(out); !s) return s;
  if (!done_) {
    return fail(Error::make(ErrorKind::provider_stream_interrupted,
                            stopped_ ? "ConverseStream ended before its metadata event"
                                     : "ConverseStream ended before messageStop"));
  }
  return {};
}

Status BedrockStreamDecoder::drain(std::vector<StreamEvent>& out) {
  for (const EventStreamMessage& m : messages_) {
    if (done_) break;  // nothing after metadata counts
    if (Status s = handle(m, out); !s) return fail(std::move(s).error());
  }
  messages_.clear();
  return {};
}

Status BedrockStreamDecoder::handle(const EventStreamMessage& m, std::vector<StreamEvent>& out) {
  const std::string_view kind = m.header(":message-type");
  if (kind == "exception") return decode_stream_exception(m.header(":exception-type"), m.payload);
  if (kind == "error") {
    return decode_stream_exception(m.header(":error-code"), error_body(m.header(":error-message")));
  }
  if (kind != "event") {
    return bad("ConverseStream message with :message-type \"" + std::string(kind) + "\"");
  }
  const std::string_view type = m.header(":event-type");
  Result<json::value> payload = parse_json(m.payload, ErrorKind::provider_bad_response);
  if (!payload) {
    Error e = std::move(payload).error();
    e.message = "ConverseStream " + std::string(type) + " payload: " + e.message;
    return e;
  }
  const json::object* p = payload->if_object();
  if (p == nullptr) return bad("ConverseStream " + std::string(type) + " payload is not an object");
  return event(type, *p, out);
}

Status BedrockStreamDecoder::event(std::string_view type, const json::object& p,
                                   std::vector<StreamEvent>& out) {
  if (type == "messageStart") {
    StreamEvent e;
    e.type = StreamEvent::Type::start;
    out.push_back(std::move(e));
  } else if (type == "contentBlockStart") {
    const json::object* start = json_object_field(p, "start");
    const json::object* use = start ? json_object_field(*start, "toolUse") : nullptr;
    if (use != nullptr) {
      const int index = static_cast<int>(tools_.size());
      tools_[json_int_field(p, "contentBlockIndex")] = index;
      StreamEvent e;
      e.type = StreamEvent::Type::tool_call_start;
      e.index = index;
      e.id = std::string(json_string_field(*use, "toolUseId"));
      e.name = std::string(json_string_field(*use, "name"));
      out.push_back(std::move(e));
    }
  } else if (type == "contentBlockDelta") {
    return content_delta(p, out);
  } else if (type == "messageStop") {
    finish_ = parse_stop_reason(json_string_field(p, "stopReason"));
    stopped_ = true;
  } else if (type == "metadata") {
    if (!stopped_) return bad("ConverseStream metadata arrived before messageStop");
    StreamEvent finish;
    finish.type = StreamEvent::Type::finish;
    finish.finish = finish_;
    out.push_back(std::move(finish));
    if (const json::object* usage = json_object_field(p, "usage")) {
      StreamEvent u;
      u.type = StreamEvent::Type::usage;
      u.usage = decode_usage(*usage);
      out.push_back(std::move(u));
    }
    done_ = true;
  }
  return {};
}

Status BedrockStreamDecoder::content_delta(const json::object& p, std::vector<StreamEvent>& out) {
  const json::object* delta = json_object_field(p, "delta");
  if (delta == nullptr) return {};
  if (const std::string_view text = json_string_field(*delta, "text"); !text.empty()) {
    StreamEvent e;
    e.type = StreamEvent::Type::text_delta;
    e.text = std::string(text);
    out.push_back(std::move(e));
  } else if (const json::object* use = json_object_field(*delta, "toolUse")) {
    const std::string_view input = json_string_field(*use, "input");
    if (input.empty()) return {};
    const std::int64_t block = json_int_field(p, "contentBlockIndex");
    const auto it = tools_.find(block);
    if (it == tools_.end()) {
      return bad("ConverseStream toolUse delta for content block " + std::to_string(block) +
                 " that no contentBlockStart opened");
    }
    StreamEvent e;
    e.type = StreamEvent::Type::tool_call_delta;
    e.index = it->second;
    e.text = std::string(input);
    out.push_back(std::move(e));
  } else if (const json::object* reasoning = json_object_field(*delta, "reasoningContent")) {
    if (const std::string_view thought = json_string_field(*reasoning, "text"); !thought.empty()) {
      StreamEvent e;
      e.type = StreamEvent::Type::reasoning_delta;
      e.text = std::string(thought);
      out.push_back(std::move(e));
    }
  }
  return {};
}

}  // namespace gw::bedrock
