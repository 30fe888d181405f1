// Field mappings shared by the Anthropic response and stream codecs: stop_reason and usage.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "model/chat.h"

namespace gw::anthropic {

// end_turn, stop_sequence, pause_turn → stop; max_tokens → length; tool_use → tool_calls;
// refusal → content_filter; empty → unset; anything newer → stop (the model stopped for a reason
// we cannot name).
FinishReason parse_stop_reason(std::string_view value);

// The reverse, for the ingress: stop → end_turn, length → max_tokens, tool_calls → tool_use,
// content_filter → refusal; unset → tool_use when the answer has tool calls, else end_turn;
// error → end_turn (the error itself travels separately).
std::string_view stop_reason_name(FinishReason reason, bool has_tool_calls);

// Anthropic counts cached prompt tokens apart from input_tokens; the canonical Usage counts all.
struct WireUsage {
  std::int64_t input_tokens = 0;  // uncached prompt tokens only
  std::int64_t cache_creation_input_tokens = 0;
  std::int64_t cache_read_input_tokens = 0;
  std::int64_t output_tokens = 0;
};

// Reads the members present in `usage` into `into` (absent ones keep their value: a
// message_delta's cumulative usage updates the message_start one).
void read_usage(const boost::json::object& usage, WireUsage& into);

// input = input + cache_creation + cache_read; cache_write = cache_creation; present = true.
Usage to_canonical(const WireUsage& usage);

// input_tokens = input - cache_read - cache_write (never below 0).
WireUsage from_canonical(const Usage& usage);

// {"input_tokens":…,"cache_creation_input_tokens":…,"cache_read_input_tokens":…,
// "output_tokens":…}
void append_usage_json(std::string& out, const WireUsage& usage);

}  // namespace gw::anthropic
