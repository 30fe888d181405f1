// Test helpers for the wire codecs: fixture files, and a canonical JSON dump of the canonical
// model so two values compare with one EXPECT_EQ and print a readable diff when they differ.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "http/framing/sse_parser.h"
#include "model/chat.h"
#include "wire/openai/openai_chunk_decoder.h"

namespace gw::test {

namespace json = boost::json;

inline std::filesystem::path fixtures_dir() {
  return GW_FIXTURES_DIR;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string fixture(const std::string& relative) {
  return read_file(fixtures_dir() / relative);
}

// Files in fixtures/<dir> whose name ends with `suffix`, sorted.
inline std::vector<std::filesystem::path> fixture_files(const std::string& dir,
                                                        const std::string& suffix) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(fixtures_dir() / dir)) {
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() && name.ends_with(suffix)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline json::value dump(const ContentBlock& b) {
  json::object o{{"type", static_cast<int>(b.type)}};
  auto put = [&](const char* k, const std::string& v) {
    if (!v.empty()) o[k] = v;
  };
  put("text", b.text);
  put("id", b.id);
  put("name", b.name);
  put("arguments", b.arguments);
  put("url", b.url);
  put("media_type", b.media_type);
  put("data", b.data);
  put("detail", b.detail);
  put("signature", b.signature);
  if (b.is_error) o["is_error"] = true;
  return o;
}

inline json::value dump(const std::vector<ContentBlock>& blocks) {
  json::array a;
  for (const auto& b : blocks) a.push_back(dump(b));
  return a;
}

inline json::value dump(const Usage& u) {
  return json::object{{"input", u.input_tokens},           {"output", u.output_tokens},
                      {"cache_read", u.cache_read_tokens}, {"cache_write", u.cache_write_tokens},
                      {"reasoning", u.reasoning_tokens},   {"present", u.present}};
}

inline json::value dump(const ChatRequest& r) {
  json::object o;
  o["model"] = r.model;
  o["system"] = dump(r.system);
  json::array messages;
  for (const auto& m : r.messages) {
    messages.push_back(json::object{
        {"role", static_cast<int>(m.role)}, {"name", m.name}, {"content", dump(m.content)}});
  }
  o["messages"] = std::move(messages);
  json::array tools;
  for (const auto& t : r.tools) {
    json::object to{{"name", t.name}, {"description", t.description}, {"parameters", t.parameters}};
    if (t.strict) to["strict"] = *t.strict;
    tools.push_back(std::move(to));
  }
  o["tools"] = std::move(tools);
  o["tool_choice"] =
      json::object{{"mode", static_cast<int>(r.tool_choice.mode)}, {"name", r.tool_choice.name}};
  if (r.parallel_tool_calls) o["parallel_tool_calls"] = *r.parallel_tool_calls;
  json::object rf{{"type", static_cast<int>(r.response_format.type)},
                  {"name", r.response_format.name},
                  {"schema", r.response_format.schema},
                  {"description", r.response_format.description}};
  if (r.response_format.strict) rf["strict"] = *r.response_format.strict;
  o["response_format"] = std::move(rf);
  if (r.max_tokens) o["max_tokens"] = *r.max_tokens;
  if (r.temperature) o["temperature"] = *r.temperature;
  if (r.top_p) o["top_p"] = *r.top_p;
  if (r.seed) o["seed"] = *r.seed;
  json::array stop;
  for (const auto& s : r.stop) stop.push_back(json::string(s));
  o["stop"] = std::move(stop);
  o["user"] = r.user;
  o["stream"] = r.stream;
  o["include_usage"] = r.include_usage;
  o["extra"] = r.extra;
  return o;
}

inline json::value dump(const ChatResponse& r) {
  return json::object{{"id", r.id},
                      {"model", r.model},
                      {"created", r.created},
                      {"content", dump(r.content)},
                      {"finish", static_cast<int>(r.finish)},
                      {"usage", dump(r.usage)},
                      {"system_fingerprint", r.system_fingerprint}};
}

inline json::value dump(const StreamEvent& e) {
  json::object o{{"type", static_cast<int>(e.type)}};
  switch (e.type) {
    case StreamEvent::Type::start:
      o["id"] = e.id;
      o["model"] = e.name;
      o["created"] = e.created;
      break;
    case StreamEvent::Type::text_delta:
    case StreamEvent::Type::reasoning_delta:
      o["text"] = e.text;
      break;
    case StreamEvent::Type::tool_call_start:
      o["index"] = e.index;
      o["id"] = e.id;
      o["name"] = e.name;
      break;
    case StreamEvent::Type::tool_call_delta:
      o["index"] = e.index;
      o["text"] = e.text;
      break;
    case StreamEvent::Type::finish:
      o["finish"] = static_cast<int>(e.finish);
      break;
    case StreamEvent::Type::usage:
      o["usage"] = dump(e.usage);
      break;
  }
  return o;
}

inline json::value dump(const std::vector<StreamEvent>& events) {
  json::array a;
  for (const auto& e : events) a.push_back(dump(e));
  return a;
}

inline std::string str(const json::value& v) {
  return json::serialize(v);
}

// What a stream decodes to when its bytes arrive `step` bytes at a time (0 = all at once):
// SseParser framing + OpenAIChunkDecoder. Fails the test on a decode error.
struct DecodedStream {
  std::vector<StreamEvent> events;
  bool done = false;
  std::string error;  // the first error's message, empty when none
};

inline DecodedStream decode_openai_sse(std::string_view bytes, std::size_t step = 0) {
  DecodedStream out;
  SseParser sse;
  openai::OpenAIChunkDecoder decoder;
  std::vector<SseEvent> records;
  auto drain = [&]() {
    for (const auto& r : records) {
      if (auto s = decoder.decode(r.data, out.events); !s && out.error.empty()) {
        out.error = s.error().message;
      }
    }
    records.clear();
  };
  if (step == 0) step = bytes.size();
  for (std::size_t i = 0; i < bytes.size(); i += step) {
    if (auto s = sse.feed(bytes.substr(i, step), records); !s) out.error = s.error().message;
    drain();
  }
  if (auto s = sse.finish(records); !s) out.error = s.error().message;
  drain();
  out.done = decoder.done();
  return out;
}

}  // namespace gw::test
