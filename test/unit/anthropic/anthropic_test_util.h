// Test helpers for the Anthropic codec: streams decoded at any split, fixture JSON, and the
// canonical dumps of wire/wire_test_util.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "wire/anthropic/anthropic_stream_decoder.h"
#include "wire/wire_test_util.h"

namespace gw::test {

// What an Anthropic SSE body decodes to when its bytes arrive `step` bytes at a time (0 = all
// at once) through AnthropicStreamDecoder, finish() included.
struct AnthropicDecoded {
  std::vector<StreamEvent> events;
  bool ok = true;
  Error error;  // the first error, when !ok
};

inline AnthropicDecoded decode_anthropic_sse(std::string_view bytes, std::size_t step = 0) {
  AnthropicDecoded out;
  anthropic::AnthropicStreamDecoder decoder;
  if (step == 0) step = bytes.empty() ? 1 : bytes.size();
  for (std::size_t i = 0; i < bytes.size(); i += step) {
    if (Status s = decoder.feed(bytes.substr(i, step), out.events); !s) {
      out.ok = false;
      out.error = s.error();
      return out;
    }
  }
  if (Status s = decoder.finish(out.events); !s) {
    out.ok = false;
    out.error = s.error();
  }
  return out;
}

// Concatenated text of the events of `type` (for one tool index when index ≥ 0).
inline std::string concat(const std::vector<StreamEvent>& events, StreamEvent::Type type,
                          int index = -1) {
  std::string out;
  for (const auto& e : events) {
    if (e.type == type && (index < 0 || e.index == index)) out += e.text;
  }
  return out;
}

inline std::vector<const StreamEvent*> of_type(const std::vector<StreamEvent>& events,
                                               StreamEvent::Type type) {
  std::vector<const StreamEvent*> out;
  for (const auto& e : events) {
    if (e.type == type) out.push_back(&e);
  }
  return out;
}

inline json::value fixture_json(const std::string& relative) {
  return json::parse(fixture(relative));
}

}  // namespace gw::test
