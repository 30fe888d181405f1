#include "wire/openai/openai_chunk_encoder.h"

#include "common/json_text.h"
#include "wire/openai/openai_error.h"
#include "wire/openai/openai_fields.h"

namespace gw::openai {

OpenAIChunkEncoder::OpenAIChunkEncoder(std::string_view id, std::string_view model,
                                       std::int64_t created, bool include_usage)
    : include_usage_(include_usage) {
  prefix_.append(R"(data: {"id":)");
  json_quote_append(prefix_, id);
  prefix_.append(R"(,"object":"chat.completion.chunk","created":)");
  json_int_append(prefix_, created);
  prefix_.append(R"(,"model":)");
  json_quote_append(prefix_, model);
  prefix_.append(R"(,"choices":[)");
}

void OpenAIChunkEncoder::open_choice(std::string& out) {
  out.append(prefix_);
  out.append(R"({"index":0,"delta":)");
}

void OpenAIChunkEncoder::close_choice(std::string& out, std::string_view finish_reason) {
  out.append(R"(,"logprobs":null,"finish_reason":)");
  if (finish_reason.empty()) {
    out.append("null");
  } else {
    json_quote_append(out, finish_reason);
  }
  out.append("}]");
  if (include_usage_) out.append(R"(,"usage":null)");
  out.append("}\n\n");
}

void OpenAIChunkEncoder::ensure_role(std::string& out) {
  if (role_sent_) return;
  role_sent_ = true;
  open_choice(out);
  out.append(R"({"role":"assistant","content":""})");
  close_choice(out, {});
}

void OpenAIChunkEncoder::append(const StreamEvent& event, std::string& out) {
  switch (event.type) {
    case StreamEvent::Type::start:
      ensure_role(out);
      return;
    case StreamEvent::Type::text_delta:
    case StreamEvent::Type::reasoning_delta:
      ensure_role(out);
      if (event.text.empty()) return;
      open_choice(out);
      out.append(event.type == StreamEvent::Type::text_delta ? R"({"content":)"
                                                             : R"({"reasoning_content":)");
      json_quote_append(out, event.text);
      out.push_back('}');
      close_choice(out, {});
      return;
    case StreamEvent::Type::tool_call_start:
      ensure_role(out);
      open_choice(out);
      out.append(R"({"tool_calls":[{"index":)");
      json_int_append(out, event.index);
      out.append(R"(,"id":)");
      json_quote_append(out, event.id);
      out.append(R"(,"type":"function","function":{"name":)");
      json_quote_append(out, event.name);
      out.append(R"(,"arguments":""}}]})");
      close_choice(out, {});
      return;
    case StreamEvent::Type::tool_call_delta:
      ensure_role(out);
      if (event.text.empty()) return;
      open_choice(out);
      out.append(R"({"tool_calls":[{"index":)");
      json_int_append(out, event.index);
      out.append(R"(,"function":{"arguments":)");
      json_quote_append(out, event.text);
      out.append("}}]}");
      close_choice(out, {});
      return;
    case StreamEvent::Type::finish:
      ensure_role(out);
      open_choice(out);
      out.append("{}");
      close_choice(out, finish_reason_name(event.finish));
      return;
    case StreamEvent::Type::usage:
      if (!include_usage_) return;
      out.append(prefix_);
      out.append(R"(],"usage":)");
      append_usage_json(out, event.usage);
      out.append("}\n\n");
      return;
  }
}

void OpenAIChunkEncoder::done(std::string& out) {
  out.append("data: [DONE]\n\n");
}

void OpenAIChunkEncoder::error(const Error& error, std::string& out) {
  out.append("data: ");
  append_error_envelope(out, error);
  out.append("\n\n");
}

}  // namespace gw::openai
