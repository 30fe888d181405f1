// ConverseStream rendering (see bedrock_stream_encoder.h): payloads are written by hand in
// Bedrock's member order, then framed with the event-stream writer.
#include "wire/bedrock/bedrock_stream_encoder.h"

#include <boost/json/serialize.hpp>

#include "common/json_text.h"
#include "http/framing/eventstream_writer.h"
#include "wire/bedrock/bedrock_error.h"
#include "wire/bedrock/bedrock_fields.h"

namespace gw::bedrock {
namespace {

constexpr std::string_view kPadAlphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

// Appends a framed message. The writer only refuses header names over 255 bytes and values over
// 64 KiB; the headers here are fixed and short, so a refusal cannot happen.
void frame(std::string_view message_type, std::string_view type_header, std::string_view type_value,
           std::string_view payload, std::string& out) {
  Result<std::string> bytes =
      encode_eventstream_message({{std::string(type_header), std::string(type_value)},
                                  {":content-type", "application/json"},
                                  {":message-type", std::string(message_type)}},
                                 payload);
  if (bytes) out += bytes.value();
}

std::string index_field(int block) {
  return R"("contentBlockIndex":)" + std::to_string(block);
}

}  // namespace

std::string BedrockStreamEncoder::padding() {
  // Bedrock pads every payload with a random-length "p" so sizes do not leak token lengths; the
  // mock must be reproducible, so the length follows the message count instead.
  const std::size_t len = 2 + (sequence_ * 37 + 11) % (kPadAlphabet.size() - 2);
  return std::string(kPadAlphabet.substr(0, len));
}

void BedrockStreamEncoder::message(std::string_view event_type, std::string_view before_p,
                                   std::string_view after_p, std::string& out) {
  std::string payload = "{";
  payload += before_p;
  if (!before_p.empty()) payload.push_back(',');
  payload += R"("p":)";
  json_quote_append(payload, padding());
  if (!after_p.empty()) {
    payload.push_back(',');
    payload += after_p;
  }
  payload.push_back('}');
  ++sequence_;
  frame("event", ":event-type", event_type, payload, out);
}

std::string BedrockStreamEncoder::metrics() const {
  return R"("metrics":{"latencyMs":)" + std::to_string(latency_ms_) + "}";
}

void BedrockStreamEncoder::close(std::string& out) {
  if (open_ == Block::none) return;
  message("contentBlockStop", index_field(block_), "", out);
  open_ = Block::none;
}

void BedrockStreamEncoder::open(Block kind, std::string& out) {
  if (open_ == kind && kind != Block::tool) return;
  close(out);
  ++block_;
  open_ = kind;
}

void BedrockStreamEncoder::stop(FinishReason reason, std::string& out) {
  close(out);
  std::string fields = R"("stopReason":)";
  json_quote_append(fields, stop_reason_name(reason));
  message("messageStop", "", fields, out);
  stopped_ = true;
}

void BedrockStreamEncoder::event(const StreamEvent& e, std::string& out) {
  switch (e.type) {
    case StreamEvent::Type::start:
      message("messageStart", "", R"("role":"assistant")", out);
      break;
    case StreamEvent::Type::text_delta:
    case StreamEvent::Type::reasoning_delta: {
      const bool text = e.type == StreamEvent::Type::text_delta;
      open(text ? Block::text : Block::reasoning, out);
      std::string fields =
          index_field(block_) +
          (text ? R"(,"delta":{"text":)" : R"(,"delta":{"reasoningContent":{"text":)");
      json_quote_append(fields, e.text);
      fields += text ? "}" : "}}";
      message("contentBlockDelta", fields, "", out);
      break;
    }
    case StreamEvent::Type::tool_call_start: {
      open(Block::tool, out);
      tool_block_[e.index] = block_;
      std::string start = R"("start":{"toolUse":{"name":)";
      json_quote_append(start, e.name);
      start += R"(,"toolUseId":)";
      json_quote_append(start, e.id);
      start += "}}";
      message("contentBlockStart", index_field(block_), start, out);
      break;
    }
    case StreamEvent::Type::tool_call_delta: {
      const auto it = tool_block_.find(e.index);
      if (it == tool_block_.end()) break;  // a delta for a call that never started
      std::string fields = index_field(it->second) + R"(,"delta":{"toolUse":{"input":)";
      json_quote_append(fields, e.text);
      fields += "}}";
      message("contentBlockDelta", fields, "", out);
      break;
    }
    case StreamEvent::Type::finish:
      if (!stopped_) stop(e.finish, out);
      break;
    case StreamEvent::Type::usage: {
      if (!stopped_) stop(FinishReason::unset, out);
      const std::string usage = R"("usage":)" + boost::json::serialize(encode_usage(e.usage));
      message("metadata", metrics(), usage, out);
      metadata_ = true;
      break;
    }
  }
}

void BedrockStreamEncoder::error(const Error& e, std::string& out) {
  frame("exception", ":exception-type", stream_exception_for(e.kind), error_body(e.message), out);
}

void BedrockStreamEncoder::end(std::string& out) {
  if (!stopped_) stop(FinishReason::unset, out);
  if (!metadata_) {
    message("metadata", metrics(), "", out);
    metadata_ = true;
  }
}

}  // namespace gw::bedrock
