// The canonical model every dialect decodes into and every provider encodes from. It follows
// TensorZero's shape: the system prompt is its own field, message content is a list of typed
// blocks, and streams are sequences of typed events. Nothing here knows any wire format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace gw {

enum class Role : std::uint8_t { user, assistant, tool };

enum class BlockType : std::uint8_t {
  text,         // text
  image,        // url (http(s) or data: URL), media_type, data (base64) , detail
  tool_use,     // id, name, arguments (JSON text) — a call the assistant made
  tool_result,  // id (the call it answers), text, is_error
  reasoning,    // text, signature — thinking/reasoning content
};

struct ContentBlock {
  BlockType type = BlockType::text;
  std::string text;
  std::string id;
  std::string name;
  std::string arguments;  // tool_use: the arguments as JSON text, exactly as produced
  std::string url;
  std::string media_type;
  std::string data;
  std::string detail;
  std::string signature;
  bool is_error = false;

  static ContentBlock make_text(std::string t) {
    ContentBlock b;
    b.text = std::move(t);
    return b;
  }
};

struct Message {
  Role role = Role::user;
  std::vector<ContentBlock> content;
  std::string name;  // optional participant name
};

struct ToolSpec {
  std::string name;
  std::string description;
  boost::json::value parameters;  // JSON Schema object; null when the tool takes no parameters
  std::optional<bool> strict;
};

struct ToolChoice {
  enum class Mode : std::uint8_t { unset, auto_, none, required, named };
  Mode mode = Mode::unset;
  std::string name;  // for named
};

struct ResponseFormat {
  enum class Type : std::uint8_t { unset, text, json_object, json_schema };
  Type type = Type::unset;
  std::string name;
  boost::json::value schema;
  std::optional<bool> strict;
  std::string description;
};

struct ChatRequest {
  std::string model;                 // as the client sent it (alias or provider/model)
  std::vector<ContentBlock> system;  // system / developer instructions, text blocks
  std::vector<Message> messages;
  std::vector<ToolSpec> tools;
  ToolChoice tool_choice;
  std::optional<bool> parallel_tool_calls;
  ResponseFormat response_format;
  std::optional<std::int64_t> max_tokens;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> seed;
  std::vector<std::string> stop;
  std::string user;
  bool stream = false;
  bool include_usage = false;  // OpenAI stream_options.include_usage
  // Dialect parameters with no canonical meaning (presence_penalty, logprobs, …). Providers that
  // speak the same dialect forward them; others drop them.
  boost::json::object extra;
};

enum class FinishReason : std::uint8_t { unset, stop, length, tool_calls, content_filter, error };

struct Usage {
  std::int64_t input_tokens = 0;        // all prompt tokens, cached ones included
  std::int64_t output_tokens = 0;       // all completion tokens, reasoning included
  std::int64_t cache_read_tokens = 0;   // prompt tokens served from the provider's cache
  std::int64_t cache_write_tokens = 0;  // prompt tokens written to the provider's cache
  std::int64_t reasoning_tokens = 0;    // completion tokens spent on hidden reasoning
  bool present = false;                 // the provider reported usage
};

struct ChatResponse {
  std::string id;
  std::string model;
  std::int64_t created = 0;
  std::vector<ContentBlock> content;  // text, tool_use and reasoning blocks in order
  FinishReason finish = FinishReason::unset;
  Usage usage;
  std::string system_fingerprint;
};

// One step of a streamed answer. Tool calls are numbered in the order they start (index), so
// parallel calls stay apart whatever the provider's own numbering.
struct StreamEvent {
  enum class Type : std::uint8_t {
    start,            // id, name (= model), created
    text_delta,       // text
    reasoning_delta,  // text
    tool_call_start,  // index, id, name
    tool_call_delta,  // index, text (an arguments JSON fragment)
    finish,           // finish
    usage,            // usage
  };
  Type type = Type::text_delta;
  int index = 0;
  std::string text;
  std::string id;
  std::string name;
  std::int64_t created = 0;
  FinishReason finish = FinishReason::unset;
  Usage usage;
};

}  // namespace gw
