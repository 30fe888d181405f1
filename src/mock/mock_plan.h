// The mock's answer planned from a canonical request, for every dialect that is not OpenAI: the
// dialect decodes its wire request with the gateway's own wire codec (wire/<dialect>), plans here
// with the same rules as plan_openai_chat (docs/mock-provider.md), and renders the plan with its
// wire encoder. Pure functions: no I/O, no clock, deterministic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mock/mock_dialect.h"
#include "model/chat.h"
#include "spi/dialect.h"

namespace gw::mock {

struct MockToolCall {
  std::string id;  // id_prefix + 12 hash hex digits + index
  std::string name;
  std::string arguments;  // compact JSON object text
};

struct MockPlan {
  std::string model;
  std::string hash;     // 16 hex digits of FNV-1a over the raw body
  std::string content;  // the reply text when `calls` is empty
  std::vector<MockToolCall> calls;
  std::int64_t prompt_tokens = 1;
  std::int64_t completion_tokens = 1;
};

// Tool-call ids differ per provider ("call_mock…", "toolu_mock…"); pass the prefix.
// Errors: tool_choice names a tool that is not declared (400, invalid_request_error).
std::variant<MockPlan, MockError> plan_chat(const ChatRequest& request, std::string_view raw_body,
                                            std::string_view tool_id_prefix = "call_mock");

// The whole answer as a canonical response (finish stop or tool_calls, usage filled).
ChatResponse plan_response(const MockPlan& plan, std::string_view id);

// The answer as canonical stream events: lead = [start], content = text deltas
// (split_chunks(content, chunks)) or, per tool call, tool_call_start + kArgumentFragments
// tool_call_delta events; trail = [finish, usage] (usage omitted when !with_usage).
struct MockEvents {
  std::vector<StreamEvent> lead;
  std::vector<StreamEvent> content;
  std::vector<StreamEvent> trail;
};
MockEvents plan_events(const MockPlan& plan, std::string_view id, std::size_t chunks,
                       bool with_usage);

// Content event number i of an endless stream (a text delta).
StreamEvent endless_event(std::size_t i);

// Renders planned events through a dialect's stream encoder: each event becomes one record (its
// encoded bytes; events that encode to nothing are skipped), encoder.end() bytes go last in the
// trail. `endless` renders endless_event(i) through `endless_encoder` — a second encoder the
// script owns, already past the lead — when non-null.
StreamScript script_from_events(const MockEvents& events, StreamEncoder& encoder,
                                std::shared_ptr<StreamEncoder> endless_encoder = nullptr);

}  // namespace gw::mock
