// What the mock answers to one OpenAI chat request, decided from the body alone: reply text or
// tool calls, ids and token counts. Pure (no I/O), so the rules in docs/mock-provider.md can be
// unit-tested without a server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mock/mock_dialect.h"

namespace gw::mock {

inline constexpr std::int64_t kMockCreated = 1700000000;  // fixed "created" for determinism
inline constexpr std::size_t kMaxEchoChars = 200;         // of the prompt echoed in replies
inline constexpr std::size_t kArgumentFragments = 3;      // streamed pieces per tool call

struct OpenAiToolCall {
  std::string id;  // "call_mock" + 12 hash hex digits + index
  std::string name;
  std::string arguments;  // compact JSON object text
};

struct OpenAiChat {
  std::string model;
  bool stream = false;
  bool include_usage = false;
  std::string hash;     // 16 hex digits of FNV-1a over the raw body
  std::string id;       // "chatcmpl-mock" + hash
  std::string content;  // the reply text when `calls` is empty
  std::vector<OpenAiToolCall> calls;
  std::int64_t prompt_tokens = 1;
  std::int64_t completion_tokens = 1;
};

// Parses the body (Boost.JSON, depth ≤ 64) and plans the answer, or returns the error OpenAI
// sends for that body (bad JSON, missing model/messages, wrong types, unknown tool_choice).
std::variant<OpenAiChat, MockError> plan_openai_chat(std::string_view body);

}  // namespace gw::mock
