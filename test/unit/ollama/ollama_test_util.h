// Helpers for the Ollama tests: fixtures of test/fixtures/providers/ollama/, JSON comparison that
// ignores key order, and whole-stream decoding through OllamaStreamDecoder.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "wire/ollama/ollama_stream_decoder.h"
#include "wire/wire_test_util.h"

namespace gw::test {

inline std::string ollama_fixture(const std::string& name) {
  return fixture("ollama/" + name);
}

// Boost.JSON compares objects member by member whatever their order, which is what "the same
// JSON" means for request bodies.
inline ::testing::AssertionResult same_json(std::string_view actual, std::string_view expected) {
  const json::value a = json::parse(actual);
  const json::value e = json::parse(expected);
  if (a == e) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\n  actual:   " << json::serialize(a) << "\n  expected: " << json::serialize(e);
}

struct OllamaDecoded {
  std::vector<StreamEvent> events;
  Status feed_status;    // the first failing feed(), ok when none failed
  Status finish_status;  // finish(), not called after a failed feed
};

// Feeds `pieces` in order, then finish().
inline OllamaDecoded decode_ollama_pieces(const std::vector<std::string_view>& pieces) {
  OllamaDecoded out;
  ollama::OllamaStreamDecoder decoder;
  for (std::string_view piece : pieces) {
    Status s = decoder.feed(piece, out.events);
    if (!s) {
      out.feed_status = std::move(s);
      return out;
    }
  }
  out.finish_status = decoder.finish(out.events);
  return out;
}

inline OllamaDecoded decode_ollama(std::string_view bytes) {
  return decode_ollama_pieces({bytes});
}

// The text of every text_delta, concatenated.
inline std::string streamed_text(const std::vector<StreamEvent>& events) {
  std::string out;
  for (const StreamEvent& e : events) {
    if (e.type == StreamEvent::Type::text_delta) out += e.text;
  }
  return out;
}

}  // namespace gw::test
