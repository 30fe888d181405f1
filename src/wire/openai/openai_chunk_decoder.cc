#include "wire/openai/openai_chunk_decoder.h"

#include "wire/json_read.h"
#include "wire/openai/openai_chunk_fields.h"
#include "wire/openai/openai_fields.h"

namespace gw::openai {
namespace {

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

void push_text(std::vector<StreamEvent>& out, StreamEvent::Type type, const std::string& text,
               int index = 0) {
  StreamEvent& ev = out.emplace_back();
  ev.type = type;
  ev.index = index;
  ev.text = text;
}

}  // namespace

OpenAIChunkDecoder::OpenAIChunkDecoder()
    : reader_(std::make_unique<detail::ChunkSaxReader>()),
      fields_(std::make_unique<detail::ChunkFields>()) {}

OpenAIChunkDecoder::~OpenAIChunkDecoder() = default;

Status OpenAIChunkDecoder::decode(std::string_view data, std::vector<StreamEvent>& out) {
  if (done_) return {};
  data = trim(data);
  if (data.empty()) return {};
  if (data == "[DONE]") {
    done_ = true;
    return {};
  }
  switch (reader_->read(data, *fields_, detail_)) {
    case detail::SaxOutcome::ok:
      break;
    case detail::SaxOutcome::invalid:
      return Error::make(ErrorKind::provider_bad_response,
                         "invalid JSON in stream chunk: " + detail_);
    case detail::SaxOutcome::not_object:
      return Error::make(ErrorKind::provider_bad_response, "stream chunk is not a JSON object");
    case detail::SaxOutcome::needs_dom: {
      Result<boost::json::value> dom = parse_json(data, ErrorKind::provider_bad_response);
      if (!dom) return std::move(dom).error();
      if (Status s = detail::read_chunk_dom(dom.value(), *fields_); !s) return s;
      break;
    }
  }
  emit(*fields_, out);
  return {};
}

void OpenAIChunkDecoder::emit(const detail::ChunkFields& f, std::vector<StreamEvent>& out) {
  if (!started_) {
    started_ = true;
    StreamEvent& ev = out.emplace_back();
    ev.type = StreamEvent::Type::start;
    ev.id = f.id;
    ev.name = f.model;
    ev.created = f.created;
  }
  const detail::ChoiceFields& c = f.choice;
  if (c.present) {
    // vLLM ≥ 0.10 sends the same text as both reasoning_content and reasoning: take one.
    const std::string& reasoning = c.reasoning_content.empty() ? c.reasoning : c.reasoning_content;
    if (!reasoning.empty()) push_text(out, StreamEvent::Type::reasoning_delta, reasoning);
    if (!c.content.empty()) push_text(out, StreamEvent::Type::text_delta, c.content);
    if (!c.refusal.empty()) push_text(out, StreamEvent::Type::text_delta, c.refusal);
    for (std::size_t i = 0; i < c.tool_count; ++i) emit_tool_call(c.tools[i], out);
    if (!c.finish_reason.empty()) {
      StreamEvent& ev = out.emplace_back();
      ev.type = StreamEvent::Type::finish;
      ev.finish = parse_finish_reason(c.finish_reason);
    }
  }
  if (f.has_usage || f.has_groq_usage) {
    StreamEvent& ev = out.emplace_back();
    ev.type = StreamEvent::Type::usage;
    ev.usage = f.has_usage ? f.usage : f.groq_usage;
  }
}

void OpenAIChunkDecoder::emit_tool_call(const detail::ToolCallFields& call,
                                        std::vector<StreamEvent>& out) {
  // The latest call the provider numbered this way (servers that omit the index continue the
  // call opened last).
  int slot = -1;
  for (int i = static_cast<int>(tools_.size()) - 1; i >= 0; --i) {
    if (call.index < 0 || tools_[i].provider_index == call.index) {
      slot = i;
      break;
    }
  }
  // A new call: an index not seen yet, or a different id where a server reuses one index for
  // consecutive calls.
  if (slot < 0 || (!call.id.empty() && call.id != tools_[slot].id)) {
    slot = static_cast<int>(tools_.size());
    StreamEvent& ev = out.emplace_back();
    ev.type = StreamEvent::Type::tool_call_start;
    ev.index = slot;
    ev.id = call.id.empty() ? "call_" + std::to_string(slot) : call.id;
    ev.name = call.name;
    tools_.push_back(ToolSlot{call.index, ev.id});
  }
  if (!call.arguments.empty()) {
    push_text(out, StreamEvent::Type::tool_call_delta, call.arguments, slot);
  }
}

}  // namespace gw::openai
