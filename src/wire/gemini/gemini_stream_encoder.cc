// Canonical events → Gemini SSE records (see gemini_stream_encoder.h).
#include "wire/gemini/gemini_stream_encoder.h"

#include <utility>

#include "common/json_text.h"
#include "wire/gemini/gemini_error.h"
#include "wire/gemini/gemini_fields.h"

namespace gw::gemini {

GeminiStreamEncoder::GeminiStreamEncoder(const StreamStart& start) {
  tail_.append(R"(,"modelVersion":)");
  json_quote_append(tail_, start.model);
  tail_.append(R"(,"responseId":)");
  json_quote_append(tail_, start.id);
  tail_.append("}\r\n\r\n");
}

void GeminiStreamEncoder::open_record(std::string& out) const {
  out.append(R"(data: {"candidates":[{"content":{"parts":[)");
}

void GeminiStreamEncoder::close_record(std::string& out, std::string_view finish_reason) const {
  out.append(R"(],"role":"model"})");
  if (!finish_reason.empty()) {
    out.append(R"(,"finishReason":)");
    json_quote_append(out, finish_reason);
  }
  out.append(R"(,"index":0}])");
  if (!finish_reason.empty() && usage_.present) {
    out.append(R"(,"usageMetadata":)");
    append_usage_json(out, usage_);
  }
  out.append(tail_);
}

void GeminiStreamEncoder::flush_call(std::string& out) {
  if (!call_) return;
  std::string part;
  if (append_call_part(part, call_->name, call_->arguments, {})) {
    open_record(out);
    out.append(part);
    close_record(out, {});
  } else {
    malformed_call_ = true;
  }
  call_.reset();
}

void GeminiStreamEncoder::event(const StreamEvent& e, std::string& out) {
  switch (e.type) {
    case StreamEvent::Type::start:
      return;
    case StreamEvent::Type::text_delta:
    case StreamEvent::Type::reasoning_delta:
      if (e.text.empty()) return;
      flush_call(out);
      open_record(out);
      append_text_part(out, e.text, e.type == StreamEvent::Type::reasoning_delta, {});
      close_record(out, {});
      return;
    case StreamEvent::Type::tool_call_start:
      flush_call(out);
      call_ = HeldCall{e.name, {}};
      return;
    case StreamEvent::Type::tool_call_delta:
      if (call_) call_->arguments += e.text;
      return;
    case StreamEvent::Type::finish:
      finish_ = e.finish;
      return;
    case StreamEvent::Type::usage:
      usage_ = e.usage;
      return;
  }
}

void GeminiStreamEncoder::error(const Error& e, std::string& out) {
  call_.reset();  // an unfinished call is not sent
  out.append("data: ");
  append_error_envelope(out, e);
  out.append("\r\n\r\n");
}

void GeminiStreamEncoder::end(std::string& out) {
  std::string part;
  if (call_ && !append_call_part(part, call_->name, call_->arguments, {})) {
    malformed_call_ = true;
    part.clear();
  }
  call_.reset();
  if (part.empty()) append_text_part(part, "", false, {});
  open_record(out);
  out.append(part);
  close_record(out, malformed_call_ ? std::string_view("MALFORMED_FUNCTION_CALL")
                                    : finish_reason_name(finish_));
}

}  // namespace gw::gemini
