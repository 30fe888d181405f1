// OllamaChunkEncoder (see ollama_chunk_encoder.h): JSON written by hand into the caller's
// buffer, as the other stream encoders do; only a completed tool call goes through a DOM (its
// arguments text must become an object).
#include "wire/ollama/ollama_chunk_encoder.h"

#include "common/json_text.h"
#include "wire/json_write.h"
#include "wire/ollama/ollama_fields.h"
#include "wire/ollama/ollama_time.h"

namespace gw::ollama {

OllamaChunkEncoder::OllamaChunkEncoder(std::string_view model, std::int64_t created) {
  head_ = R"({"model":)";
  json_quote_append(head_, model);
  head_ += R"(,"created_at":)";
  json_quote_append(head_, format_created_at(created));
  head_ += ',';
}

void OllamaChunkEncoder::open_line(std::string& out) const {
  out += head_;
  out += R"("message":{"role":"assistant","content":)";
}

void OllamaChunkEncoder::flush_calls(std::string& out) {
  if (pending_.empty()) return;
  open_line(out);
  out += R"("","tool_calls":[)";
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    if (i > 0) out += ',';
    append_json_compact(out, tool_call_json(pending_[i].name, pending_[i].arguments));
  }
  out += "]},\"done\":false}\n";
  pending_.clear();
}

void OllamaChunkEncoder::event(const StreamEvent& e, std::string& out) {
  switch (e.type) {
    case StreamEvent::Type::start:
      return;
    case StreamEvent::Type::text_delta:
    case StreamEvent::Type::reasoning_delta:
      if (e.text.empty()) return;
      flush_calls(out);
      open_line(out);
      if (e.type == StreamEvent::Type::text_delta) {
        json_quote_append(out, e.text);
      } else {
        out += R"("","thinking":)";
        json_quote_append(out, e.text);
      }
      out += "},\"done\":false}\n";
      return;
    case StreamEvent::Type::tool_call_start:
      flush_calls(out);
      pending_.push_back({e.index, e.name, {}});
      return;
    case StreamEvent::Type::tool_call_delta:
      for (PendingCall& call : pending_) {
        if (call.index == e.index) call.arguments += e.text;
      }
      return;
    case StreamEvent::Type::finish:
      flush_calls(out);
      finish_ = e.finish;
      return;
    case StreamEvent::Type::usage:
      flush_calls(out);
      usage_ = e.usage;
      return;
  }
}

void OllamaChunkEncoder::error(const Error& e, std::string& out) {
  out += R"({"error":)";
  json_quote_append(out, e.message);
  out += "}\n";
}

void OllamaChunkEncoder::end(std::string& out) {
  flush_calls(out);
  open_line(out);
  out += R"(""},"done_reason":)";
  json_quote_append(out, done_reason_name(finish_));
  out += R"(,"done":true)";
  if (usage_.present) {
    out += R"(,"prompt_eval_count":)";
    json_int_append(out, usage_.input_tokens);
    out += R"(,"eval_count":)";
    json_int_append(out, usage_.output_tokens);
  }
  out += "}\n";
}

}  // namespace gw::ollama
