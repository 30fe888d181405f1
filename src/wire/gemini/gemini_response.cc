// Gemini GenerateContentResponse codec, both directions (see gemini_response.h).
#include "wire/gemini/gemini_response.h"

#include <utility>

#include <boost/json/object.hpp>

#include "common/json_text.h"
#include "wire/gemini/gemini_error.h"
#include "wire/gemini/gemini_fields.h"
#include "wire/json_read.h"

namespace gw::gemini {
namespace {

namespace json = boost::json;

Error bad_response(std::string message) {
  return Error::make(ErrorKind::provider_bad_response, std::move(message));
}

ContentBlock to_block(GeminiPart& part, std::size_t call_number) {
  ContentBlock b;
  b.signature = std::move(part.signature);
  switch (part.kind) {
    case GeminiPart::Kind::text:
      b.type = BlockType::text;
      b.text = std::move(part.text);
      break;
    case GeminiPart::Kind::thought:
      b.type = BlockType::reasoning;
      b.text = std::move(part.text);
      break;
    case GeminiPart::Kind::function_call:
      b.type = BlockType::tool_use;
      b.id = part.id.empty() ? "call_" + std::to_string(call_number) : std::move(part.id);
      b.name = std::move(part.name);
      b.arguments = std::move(part.arguments);
      break;
  }
  return b;
}

}  // namespace

Result<ChatResponse> decode_generate_response(std::string_view body) {
  Result<json::value> parsed = parse_json(body, ErrorKind::provider_bad_response);
  if (!parsed) {
    Error e = std::move(parsed).error();
    e.message = "provider response is not valid JSON: " + e.message;
    return e;
  }
  const json::object* root = parsed->if_object();
  if (root == nullptr) return bad_response("provider response is not a JSON object");
  if (json_field(*root, "error") != nullptr) return decode_error_value(0, *parsed);

  std::optional<GeminiCandidate> candidate = read_candidate(*root);
  if (!candidate) {
    if (std::optional<Error> blocked = prompt_blocked(*root)) return std::move(*blocked);
    return bad_response("provider response has no candidates");
  }
  ChatResponse out;
  out.id = std::string(json_string_field(*root, "responseId"));
  out.model = std::string(json_string_field(*root, "modelVersion"));
  std::size_t calls = 0;
  for (GeminiPart& part : candidate->parts) {
    const bool is_call = part.kind == GeminiPart::Kind::function_call;
    out.content.push_back(to_block(part, calls));
    if (is_call) ++calls;
  }
  out.finish = parse_finish_reason(candidate->finish_reason);
  if (out.finish == FinishReason::stop && calls > 0) out.finish = FinishReason::tool_calls;
  if (const json::object* usage = json_object_field(*root, "usageMetadata")) {
    out.usage = decode_usage(*usage);
  }
  return out;
}

std::string encode_generate_response(const ChatResponse& response, std::string_view model_shown) {
  std::string out;
  out.reserve(256);
  out.append(R"({"candidates":[{"content":{"parts":[)");
  bool first = true;
  bool malformed_call = false;
  for (const ContentBlock& b : response.content) {
    const std::size_t before = out.size();
    if (!first) out.push_back(',');
    if (b.type == BlockType::text || b.type == BlockType::reasoning) {
      append_text_part(out, b.text, b.type == BlockType::reasoning, b.signature);
    } else if (b.type == BlockType::tool_use) {
      if (!append_call_part(out, b.name, b.arguments, b.signature)) {
        malformed_call = true;
        out.resize(before);
        continue;
      }
    } else {
      out.resize(before);
      continue;
    }
    first = false;
  }
  out.append(R"(],"role":"model"},"finishReason":)");
  json_quote_append(out, malformed_call ? std::string_view("MALFORMED_FUNCTION_CALL")
                                        : finish_reason_name(response.finish));
  out.append(R"(,"index":0}])");
  if (response.usage.present) {
    out.append(R"(,"usageMetadata":)");
    append_usage_json(out, response.usage);
  }
  out.append(R"(,"modelVersion":)");
  json_quote_append(out, model_shown);
  out.append(R"(,"responseId":)");
  json_quote_append(out, response.id);
  out.push_back('}');
  return out;
}

}  // namespace gw::gemini
