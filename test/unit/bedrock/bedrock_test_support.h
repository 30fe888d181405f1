// Helpers for the Bedrock tests: fixture and manifest access, JSON comparison that treats 0 and
// 0.0 as the same number (the encoder writes whole numbers as integers), canonical dumps of
// responses and stream events for readable EXPECT_EQ diffs, and a stream decode helper.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "model/chat.h"
#include "spi/provider.h"

namespace gw::bedrock_test {

namespace json = boost::json;

inline std::string fixture(const std::string& name) {
  std::ifstream in(std::string(GW_FIXTURES_DIR) + "/bedrock/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture bedrock/" << name;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline json::value fixture_json(const std::string& name) {
  return json::parse(fixture(name));
}

// The manifest entry with this id.
inline json::object manifest_entry(const std::string& id) {
  const json::value manifest = fixture_json("manifest.json");
  for (const json::value& f : manifest.at("fixtures").as_array()) {
    if (f.at("id").as_string() == id) return f.as_object();
  }
  ADD_FAILURE() << "no manifest entry " << id;
  return {};
}

// Structural equality where numbers compare by value (1 == 1.0).
inline bool json_equivalent(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return a.to_number<double>() == b.to_number<double>();
  if (a.kind() != b.kind()) return false;
  if (a.is_object()) {
    const json::object& x = a.get_object();
    const json::object& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      const json::value* other = y.if_contains(kv.key());
      if (other == nullptr || !json_equivalent(kv.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    const json::array& x = a.get_array();
    const json::array& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!json_equivalent(x[i], y[i])) return false;
    }
    return true;
  }
  return a == b;
}

inline json::value dump(const Usage& u) {
  return json::object{{"input", u.input_tokens},           {"output", u.output_tokens},
                      {"cache_read", u.cache_read_tokens}, {"cache_write", u.cache_write_tokens},
                      {"reasoning", u.reasoning_tokens},   {"present", u.present}};
}

inline json::value dump(const ContentBlock& b) {
  return json::object{
      {"type", static_cast<int>(b.type)}, {"text", b.text},          {"id", b.id}, {"name", b.name},
      {"arguments", b.arguments},         {"signature", b.signature}};
}

inline std::string dump(const ChatResponse& r) {
  json::array content;
  for (const ContentBlock& b : r.content) content.push_back(dump(b));
  return json::serialize(json::object{{"content", std::move(content)},
                                      {"finish", static_cast<int>(r.finish)},
                                      {"usage", dump(r.usage)}});
}

inline std::string dump(const std::vector<StreamEvent>& events) {
  json::array out;
  for (const StreamEvent& e : events) {
    json::object o{{"type", static_cast<int>(e.type)}};
    if (e.index != 0) o["index"] = e.index;
    if (!e.text.empty()) o["text"] = e.text;
    if (!e.id.empty()) o["id"] = e.id;
    if (!e.name.empty()) o["name"] = e.name;
    if (e.finish != FinishReason::unset) o["finish"] = static_cast<int>(e.finish);
    if (e.type == StreamEvent::Type::usage) o["usage"] = dump(e.usage);
    out.push_back(std::move(o));
  }
  return json::serialize(out);
}

struct StreamResult {
  std::vector<StreamEvent> events;
  std::optional<Error> error;
};

// Feeds `bytes` cut at `cuts` (sorted) into `decoder`, then finish(); stops at the first error.
inline StreamResult decode_stream(StreamDecoder& decoder, std::string_view bytes,
                                  const std::vector<std::size_t>& cuts = {}) {
  StreamResult r;
  std::size_t from = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (std::size_t cut : ends) {
    Status s = decoder.feed(bytes.substr(from, cut - from), r.events);
    from = cut;
    if (!s) {
      r.error = s.error();
      return r;
    }
  }
  if (Status s = decoder.finish(r.events); !s) r.error = s.error();
  return r;
}

}  // namespace gw::bedrock_test
