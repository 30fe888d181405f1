// Canonical StreamEvents → the Messages SSE stream the official Anthropic SDKs parse
// (`event: <type>\ndata: <json>\n\n` records). Runs once per streamed event, so it writes JSON by
// hand into the caller's buffer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spi/dialect.h"

namespace gw::anthropic {

class AnthropicStreamEncoder final : public StreamEncoder {
 public:
  // `with_usage` false leaves the usage objects out of message_start and message_delta. The
  // real API always sends them and the SDKs read them, so only the mock provider's no-usage
  // fault turns it off; the gateway's ingress ignores StreamStart::include_usage.
  explicit AnthropicStreamEncoder(const StreamStart& start, bool with_usage = true);

  // message_start (id with a "msg_" prefix, usage zeros) before the first event of any kind;
  // text_delta / reasoning_delta open a text / thinking block unless one is open and append
  // text_delta / thinking_delta; tool_call_start opens a tool_use block (input {}) and its
  // tool_call_delta events become input_json_delta; opening a block closes the previous one
  // (content_block_stop). finish and usage are kept for end(). Empty deltas write nothing.
  void event(const StreamEvent& e, std::string& out) override;
  // `event: error` with the Anthropic error envelope; nothing follows.
  void error(const Error& e, std::string& out) override;
  // Closes the open block, then message_delta {stop_reason, stop_sequence null, usage
  // {input_tokens (uncached), cache_creation_input_tokens, cache_read_input_tokens,
  // output_tokens}} and message_stop.
  void end(std::string& out) override;

 private:
  enum class Block : std::uint8_t { none, text, thinking, tool_use };

  void ensure_started(std::string& out);
  void open_block(Block kind, const StreamEvent* tool, std::string& out);
  void close_block(std::string& out);
  void delta(int block_index, std::string_view delta_type, std::string_view key,
             std::string_view text, std::string& out);

  std::string id_;
  std::string model_;
  bool with_usage_;
  bool started_ = false;
  bool ended_ = false;
  Block open_ = Block::none;
  int open_index_ = -1;
  int next_index_ = 0;
  std::vector<std::pair<int, int>> tool_blocks_;  // canonical tool index → block index
  bool has_tool_calls_ = false;
  FinishReason finish_ = FinishReason::unset;
  std::optional<Usage> usage_;
};

}  // namespace gw::anthropic
