// Canonical stream events → ConverseStream event-stream messages, the way Bedrock frames them
// (the mock provider's Bedrock dialect renders its streams with this): messageStart,
// contentBlockStart for tool calls, contentBlockDelta, contentBlockStop, messageStop, metadata.
// Each payload carries Bedrock's "p" padding field, here of a deterministic length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "spi/dialect.h"

namespace gw::bedrock {

class BedrockStreamEncoder final : public StreamEncoder {
 public:
  explicit BedrockStreamEncoder(std::int64_t latency_ms = 0) : latency_ms_(latency_ms) {}

  // start → messageStart; text/reasoning deltas → contentBlockDelta of a text block (opened
  // implicitly, as Bedrock does); tool_call_start → contentBlockStart with start.toolUse;
  // tool_call_delta → contentBlockDelta delta.toolUse.input; a new block or finish first closes
  // the open one (contentBlockStop); finish → messageStop; usage → metadata {usage, metrics}.
  void event(const StreamEvent& e, std::string& out) override;
  // An exception message (":message-type" exception) named after the error kind
  // (stream_exception_for), payload {"message"}.
  void error(const Error& e, std::string& out) override;
  // Completes the stream when events did not: messageStop (end_turn) and a metadata event
  // without usage — Bedrock always ends with metadata.
  void end(std::string& out) override;

 private:
  enum class Block : std::uint8_t { none, text, reasoning, tool };

  void open(Block kind, std::string& out);
  void close(std::string& out);
  // One event message; payload members in Bedrock's (alphabetical) order around the padding.
  void message(std::string_view event_type, std::string_view before_p, std::string_view after_p,
               std::string& out);
  std::string metrics() const;
  void stop(FinishReason reason, std::string& out);
  std::string padding();

  std::int64_t latency_ms_;
  Block open_ = Block::none;
  int block_ = -1;                 // contentBlockIndex of the open (or last) block
  std::map<int, int> tool_block_;  // canonical tool-call index → contentBlockIndex
  std::size_t sequence_ = 0;       // messages written, for the padding length
  bool stopped_ = false;
  bool metadata_ = false;
};

}  // namespace gw::bedrock
