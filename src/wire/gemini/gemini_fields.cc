// Field mappings shared by the Gemini response and stream codecs (see gemini_fields.h).
#include "wire/gemini/gemini_fields.h"

#include <boost/json/array.hpp>

#include "common/json_text.h"
#include "wire/json_read.h"
#include "wire/json_write.h"

namespace gw::gemini {

namespace json = boost::json;

namespace {

bool json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

FinishReason parse_finish_reason(std::string_view value) {
  if (value.empty() || value == "FINISH_REASON_UNSPECIFIED") return FinishReason::unset;
  if (value == "STOP") return FinishReason::stop;
  if (value == "MAX_TOKENS") return FinishReason::length;
  if (value == "SAFETY" || value == "RECITATION" || value == "BLOCKLIST" ||
      value == "PROHIBITED_CONTENT" || value == "SPII" || value == "IMAGE_SAFETY") {
    return FinishReason::content_filter;
  }
  return FinishReason::stop;
}

std::string_view finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::length:
      return "MAX_TOKENS";
    case FinishReason::content_filter:
      return "SAFETY";
    case FinishReason::error:
      return "OTHER";
    case FinishReason::unset:
    case FinishReason::stop:
    case FinishReason::tool_calls:
      return "STOP";
  }
  return "STOP";
}

Usage decode_usage(const json::object& m) {
  Usage u;
  u.present = true;
  // Tool-use prompt tokens (e.g. fetched URL context) are billed as input like the prompt.
  u.input_tokens =
      json_int_field(m, "promptTokenCount") + json_int_field(m, "toolUsePromptTokenCount");
  u.cache_read_tokens = json_int_field(m, "cachedContentTokenCount");
  u.reasoning_tokens = json_int_field(m, "thoughtsTokenCount");
  u.output_tokens = json_int_field(m, "candidatesTokenCount") + u.reasoning_tokens;
  return u;
}

void append_usage_json(std::string& out, const Usage& usage) {
  out.append(R"({"promptTokenCount":)");
  json_int_append(out, usage.input_tokens);
  out.append(R"(,"candidatesTokenCount":)");
  json_int_append(out, usage.output_tokens - usage.reasoning_tokens);
  out.append(R"(,"totalTokenCount":)");
  json_int_append(out, usage.input_tokens + usage.output_tokens);
  if (usage.cache_read_tokens > 0) {
    out.append(R"(,"cachedContentTokenCount":)");
    json_int_append(out, usage.cache_read_tokens);
  }
  if (usage.reasoning_tokens > 0) {
    out.append(R"(,"thoughtsTokenCount":)");
    json_int_append(out, usage.reasoning_tokens);
  }
  out.push_back('}');
}

void append_text_part(std::string& out, std::string_view text, bool thought,
                      std::string_view signature) {
  out.append(R"({"text":)");
  json_quote_append(out, text);
  if (thought) out.append(R"(,"thought":true)");
  if (!signature.empty()) {
    out.append(R"(,"thoughtSignature":)");
    json_quote_append(out, signature);
  }
  out.push_back('}');
}

bool append_call_part(std::string& out, std::string_view name, std::string_view arguments,
                      std::string_view signature) {
  while (!arguments.empty() && json_space(arguments.front())) arguments.remove_prefix(1);
  while (!arguments.empty() && json_space(arguments.back())) arguments.remove_suffix(1);
  if (arguments.empty()) arguments = "{}";
  // Parsed only to check it is one object; the text itself is forwarded, numbers as written.
  Result<json::value> parsed = parse_json(arguments, ErrorKind::provider_bad_response);
  if (!parsed || !parsed->is_object()) return false;
  out.append(R"({"functionCall":{"name":)");
  json_quote_append(out, name);
  out.append(R"(,"args":)");
  out.append(arguments);
  out.push_back('}');
  if (!signature.empty()) {
    out.append(R"(,"thoughtSignature":)");
    json_quote_append(out, signature);
  }
  out.push_back('}');
  return true;
}

std::optional<GeminiCandidate> read_candidate(const json::object& response) {
  const json::value* candidates = json_field(response, "candidates");
  if (candidates == nullptr || !candidates->is_array() || candidates->get_array().empty()) {
    return std::nullopt;
  }
  const json::object* c = candidates->get_array()[0].if_object();
  if (c == nullptr) return std::nullopt;
  GeminiCandidate out;
  out.finish_reason = std::string(json_string_field(*c, "finishReason"));
  const json::object* content = json_object_field(*c, "content");
  const json::value* parts = content != nullptr ? json_field(*content, "parts") : nullptr;
  if (parts == nullptr || !parts->is_array()) return out;
  for (const json::value& v : parts->get_array()) {
    const json::object* p = v.if_object();
    if (p == nullptr) continue;
    GeminiPart part;
    part.signature = std::string(json_string_field(*p, "thoughtSignature"));
    if (const json::object* call = json_object_field(*p, "functionCall")) {
      part.kind = GeminiPart::Kind::function_call;
      part.name = std::string(json_string_field(*call, "name"));
      part.id = std::string(json_string_field(*call, "id"));
      const json::value* args = json_field(*call, "args");
      part.arguments = args != nullptr ? json_compact(*args) : std::string("{}");
    } else if (const json::value* text = p->if_contains("text"); text && text->is_string()) {
      const json::value* thought = p->if_contains("thought");
      part.kind = thought != nullptr && thought->is_bool() && thought->get_bool()
                      ? GeminiPart::Kind::thought
                      : GeminiPart::Kind::text;
      part.text.assign(text->get_string().data(), text->get_string().size());
      // An empty text part carries nothing unless it holds a signature to hand back.
      if (part.text.empty() && part.signature.empty()) continue;
    } else {
      continue;  // inlineData answers, executableCode, …: no canonical block
    }
    out.parts.push_back(std::move(part));
  }
  return out;
}

std::optional<Error> prompt_blocked(const json::object& response) {
  const json::object* feedback = json_object_field(response, "promptFeedback");
  if (feedback == nullptr) return std::nullopt;
  std::string_view reason = json_string_field(*feedback, "blockReason");
  if (reason.empty() || reason == "BLOCK_REASON_UNSPECIFIED") return std::nullopt;
  return Error::make(ErrorKind::provider_invalid_request,
                     "the provider blocked the prompt (blockReason " + std::string(reason) + ")",
                     "content_blocked");
}

}  // namespace gw::gemini
