// Test helpers for the Gemini codec: Gemini fixtures, a stream decoded at any byte split, and the
// canonical dumps of wire/wire_test_util.h (one EXPECT_EQ compares two canonical values).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "wire/gemini/gemini_stream_decoder.h"
#include "wire/wire_test_util.h"

namespace gw::test {

inline std::string gemini_fixture(const std::string& name) {
  return fixture("gemini/" + name);
}

struct GeminiStream {
  std::vector<StreamEvent> events;
  std::string error;  // the first error's message, empty when none
  ErrorKind kind = ErrorKind::gateway_internal;
};

// Feeds `bytes` to a GeminiStreamDecoder `step` bytes at a time (0 = all at once), then finish().
inline GeminiStream decode_gemini_sse(std::string_view bytes, std::size_t step = 0) {
  GeminiStream out;
  gemini::GeminiStreamDecoder decoder;
  auto note = [&out](const Status& s) {
    if (!s && out.error.empty()) {
      out.error = s.error().message;
      out.kind = s.error().kind;
    }
  };
  if (step == 0) step = bytes.size() == 0 ? 1 : bytes.size();
  for (std::size_t i = 0; i < bytes.size() && out.error.empty(); i += step) {
    note(decoder.feed(bytes.substr(i, step), out.events));
  }
  if (out.error.empty()) note(decoder.finish(out.events));
  return out;
}

}  // namespace gw::test
