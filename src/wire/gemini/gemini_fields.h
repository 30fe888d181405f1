// Field mappings shared by the Gemini response and stream codecs: finishReason, usageMetadata and
// the parts of candidates[0].
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/error.h"
#include "model/chat.h"

namespace gw::gemini {

// STOP → stop; MAX_TOKENS → length; SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII,
// IMAGE_SAFETY → content_filter; FINISH_REASON_UNSPECIFIED and empty → unset; any other value
// (LANGUAGE, OTHER, MALFORMED_FUNCTION_CALL, …) → stop. The caller turns stop into tool_calls
// when the answer called functions.
FinishReason parse_finish_reason(std::string_view value);

// stop/tool_calls/unset → "STOP", length → "MAX_TOKENS", content_filter → "SAFETY",
// error → "OTHER".
std::string_view finish_reason_name(FinishReason reason);

// usageMetadata: promptTokenCount (+ toolUsePromptTokenCount, billed as input) → input,
// cachedContentTokenCount → cache_read, candidatesTokenCount + thoughtsTokenCount → output,
// thoughtsTokenCount → reasoning; present = true.
Usage decode_usage(const boost::json::object& usage_metadata);

// {"promptTokenCount","candidatesTokenCount" (output − reasoning),"totalTokenCount",
// "cachedContentTokenCount"?,"thoughtsTokenCount"?} — the optional counts only when non-zero.
void append_usage_json(std::string& out, const Usage& usage);

// Appends a part {"text":…} with "thought":true when `thought`, and "thoughtSignature" when
// `signature` is non-empty.
void append_text_part(std::string& out, std::string_view text, bool thought,
                      std::string_view signature);

// Appends {"functionCall":{"name":…,"args":…}} (+ "thoughtSignature"). args is `arguments` as
// written when it is one JSON object ("" counts as {}); otherwise nothing is appended and the
// result is false — Gemini's args can only be an object.
bool append_call_part(std::string& out, std::string_view name, std::string_view arguments,
                      std::string_view signature);

// One part of a candidate, as the canonical model sees it.
struct GeminiPart {
  enum class Kind : std::uint8_t { text, thought, function_call };
  Kind kind = Kind::text;
  std::string text;       // text / thought
  std::string signature;  // thoughtSignature, on any part
  std::string name;       // function_call
  std::string arguments;  // function_call: compact JSON of args ("{}" when absent)
  std::string id;         // function_call: the part's own id, empty when it has none
};

struct GeminiCandidate {
  std::vector<GeminiPart> parts;  // parts the canonical model has no block for are skipped
  std::string finish_reason;      // empty when the candidate has none yet
};

// candidates[0] of a GenerateContentResponse; nullopt when there is no candidate.
std::optional<GeminiCandidate> read_candidate(const boost::json::object& response);

// A response with no candidate and promptFeedback.blockReason → provider_invalid_request, code
// "content_blocked", message naming the reason; nullopt when the prompt was not blocked.
std::optional<Error> prompt_blocked(const boost::json::object& response);

}  // namespace gw::gemini
