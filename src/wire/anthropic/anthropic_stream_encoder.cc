// Canonical events → Anthropic Messages SSE (see anthropic_stream_encoder.h).
#include "wire/anthropic/anthropic_stream_encoder.h"

#include "common/json_text.h"
#include "wire/anthropic/anthropic_error.h"
#include "wire/anthropic/anthropic_fields.h"
#include "wire/anthropic/anthropic_response.h"

namespace gw::anthropic {
namespace {

// "event: <type>\ndata: " — the JSON and "\n\n" follow.
void begin_record(std::string& out, std::string_view type) {
  out.append("event: ");
  out.append(type);
  out.append("\ndata: ");
}

void end_record(std::string& out) {
  out.append("\n\n");
}

}  // namespace

AnthropicStreamEncoder::AnthropicStreamEncoder(const StreamStart& start, bool with_usage)
    : id_(message_id(start.id)), model_(start.model), with_usage_(with_usage) {}

void AnthropicStreamEncoder::ensure_started(std::string& out) {
  if (started_) return;
  started_ = true;
  begin_record(out, "message_start");
  out.append(R"({"type":"message_start","message":{"id":)");
  json_quote_append(out, id_);
  out.append(R"(,"type":"message","role":"assistant","model":)");
  json_quote_append(out, model_);
  out.append(R"(,"content":[],"stop_reason":null,"stop_sequence":null)");
  if (with_usage_) {
    out.append(R"(,"usage":)");
    append_usage_json(out, WireUsage{});
  }
  out.append("}}");
  end_record(out);
}

void AnthropicStreamEncoder::close_block(std::string& out) {
  if (open_ == Block::none) return;
  begin_record(out, "content_block_stop");
  out.append(R"({"type":"content_block_stop","index":)");
  json_int_append(out, open_index_);
  out.push_back('}');
  end_record(out);
  open_ = Block::none;
}

void AnthropicStreamEncoder::open_block(Block kind, const StreamEvent* tool, std::string& out) {
  close_block(out);
  open_ = kind;
  open_index_ = next_index_++;
  begin_record(out, "content_block_start");
  out.append(R"({"type":"content_block_start","index":)");
  json_int_append(out, open_index_);
  out.append(R"(,"content_block":)");
  switch (kind) {
    case Block::text:
      out.append(R"({"type":"text","text":""})");
      break;
    case Block::thinking:
      out.append(R"({"type":"thinking","thinking":"","signature":""})");
      break;
    case Block::tool_use:
      out.append(R"({"type":"tool_use","id":)");
      json_quote_append(out, tool->id);
      out.append(R"(,"name":)");
      json_quote_append(out, tool->name);
      out.append(R"(,"input":{}})");
      break;
    case Block::none:
      break;
  }
  out.push_back('}');
  end_record(out);
}

void AnthropicStreamEncoder::delta(int block_index, std::string_view delta_type,
                                   std::string_view key, std::string_view text, std::string& out) {
  begin_record(out, "content_block_delta");
  out.append(R"({"type":"content_block_delta","index":)");
  json_int_append(out, block_index);
  out.append(R"(,"delta":{"type":)");
  json_quote_append(out, delta_type);
  out.push_back(',');
  json_quote_append(out, key);
  out.push_back(':');
  json_quote_append(out, text);
  out.append("}}");
  end_record(out);
}

void AnthropicStreamEncoder::event(const StreamEvent& e, std::string& out) {
  if (ended_) return;
  ensure_started(out);
  switch (e.type) {
    case StreamEvent::Type::start:
      return;
    case StreamEvent::Type::text_delta:
      if (e.text.empty()) return;
      if (open_ != Block::text) open_block(Block::text, nullptr, out);
      delta(open_index_, "text_delta", "text", e.text, out);
      return;
    case StreamEvent::Type::reasoning_delta:
      if (e.text.empty()) return;
      if (open_ != Block::thinking) open_block(Block::thinking, nullptr, out);
      delta(open_index_, "thinking_delta", "thinking", e.text, out);
      return;
    case StreamEvent::Type::tool_call_start:
      open_block(Block::tool_use, &e, out);
      tool_blocks_.emplace_back(e.index, open_index_);
      has_tool_calls_ = true;
      return;
    case StreamEvent::Type::tool_call_delta:
      if (e.text.empty()) return;
      // A delta for an earlier call (providers that interleave parallel calls) keeps its own
      // block index; the SDKs accumulate by index.
      for (const auto& [tool, block] : tool_blocks_) {
        if (tool == e.index) {
          delta(block, "input_json_delta", "partial_json", e.text, out);
          return;
        }
      }
      return;  // a delta for a call that never started carries nothing to attach it to
    case StreamEvent::Type::finish:
      finish_ = e.finish;
      return;
    case StreamEvent::Type::usage:
      usage_ = e.usage;
      return;
  }
}

void AnthropicStreamEncoder::error(const Error& e, std::string& out) {
  if (ended_) return;
  ended_ = true;
  begin_record(out, "error");
  append_error_envelope(out, e);
  end_record(out);
}

void AnthropicStreamEncoder::end(std::string& out) {
  if (ended_) return;
  ensure_started(out);
  ended_ = true;
  close_block(out);
  begin_record(out, "message_delta");
  out.append(R"({"type":"message_delta","delta":{"stop_reason":)");
  json_quote_append(out, stop_reason_name(finish_, has_tool_calls_));
  out.append(R"(,"stop_sequence":null})");
  if (with_usage_) {
    out.append(R"(,"usage":)");
    append_usage_json(out, from_canonical(usage_.value_or(Usage{})));
  }
  out.push_back('}');
  end_record(out);
  begin_record(out, "message_stop");
  out.append(R"({"type":"message_stop"})");
  end_record(out);
}

}  // namespace gw::anthropic
