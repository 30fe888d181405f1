// Internal to OpenAIChunkDecoder: the fields of one chat.completion.chunk that become canonical
// events, and the two readers that fill them — a SAX pass (Boost.JSON basic_parser, no DOM, no
// allocation once the buffers have grown) for the common shape, and a DOM pass for the rare
// shapes the SAX pass hands over (in-band error objects, arguments that are not a string).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "common/result.h"
#include "model/chat.h"

namespace gw::openai::detail {

struct ToolCallFields {
  std::int64_t index = -1;  // the provider's index; -1 when absent or not an integer
  std::string id;
  std::string name;
  std::string arguments;
};

struct ChoiceFields {
  bool present = false;
  std::int64_t index = 0;
  std::string reasoning_content;
  std::string reasoning;
  std::string content;
  std::string refusal;
  std::string finish_reason;
  std::vector<ToolCallFields> tools;  // slots are reused across chunks; tool_count are in use
  std::size_t tool_count = 0;

  ToolCallFields& add_tool();
  void clear();
};

struct ChunkFields {
  std::string id;
  std::string model;
  std::int64_t created = 0;
  ChoiceFields choice;  // the first choice with index 0
  bool has_usage = false;
  Usage usage;
  bool has_groq_usage = false;  // Groq reports stream usage under x_groq.usage
  Usage groq_usage;

  void clear();
};

enum class SaxOutcome : std::uint8_t {
  ok,          // `fields` holds the chunk
  not_object,  // valid JSON, but not an object
  needs_dom,   // valid so far, but a shape only read_chunk_dom handles
  invalid,     // malformed JSON; `detail` says where
};

// Reuses its parser and buffers from one chunk to the next.
class ChunkSaxReader {
 public:
  ChunkSaxReader();
  ~ChunkSaxReader();
  ChunkSaxReader(const ChunkSaxReader&) = delete;
  ChunkSaxReader& operator=(const ChunkSaxReader&) = delete;

  SaxOutcome read(std::string_view data, ChunkFields& fields, std::string& detail);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The DOM reader: an {"error": …} chunk returns the provider's error; a non-object
// provider_bad_response.
Status read_chunk_dom(const boost::json::value& chunk, ChunkFields& fields);

}  // namespace gw::openai::detail
