// Shared helpers for the framing tests: fixture loading, and running a parser over an input cut
// into chunks so that every test can compare "one feed" with any other way of splitting it.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "http/framing/ndjson_parser.h"
#include "http/framing/sse_parser.h"

namespace gw {

inline bool operator==(const SseEvent& a, const SseEvent& b) {
  return a.event == b.event && a.data == b.data && a.id == b.id;
}

inline void PrintTo(const SseEvent& e, std::ostream* os) {
  *os << "{event=" << testing::PrintToString(e.event) << " data=" << testing::PrintToString(e.data)
      << " id=" << testing::PrintToString(e.id) << "}";
}

namespace framing_test {

inline std::string read_fixture(const std::string& relative) {
  std::ifstream in(std::string(GW_FIXTURES_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << relative;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What a parser produced for one way of feeding an input: everything observable.
struct SseRun {
  std::vector<SseEvent> events;
  std::size_t comments = 0;
  std::string error_code;  // empty when every call succeeded
  std::string error_message;
  bool operator==(const SseRun&) const = default;
};

inline void PrintTo(const SseRun& r, std::ostream* os) {
  *os << r.events.size() << " events, " << r.comments << " comments, error '" << r.error_code
      << "': " << testing::PrintToString(r.events);
}

// Feeds input[0, cuts[0]), input[cuts[0], cuts[1]), ..., then finish(). `cuts` must be sorted.
inline SseRun run_sse(std::string_view input, const std::vector<std::size_t>& cuts,
                      std::size_t max_event_bytes = SseParser::kDefaultMaxEventBytes) {
  SseParser parser(max_event_bytes);
  SseRun run;
  std::size_t from = 0;
  auto record = [&](const Status& s) {
    if (!s.ok()) {
      run.error_code = s.error().code;
      run.error_message = s.error().message;
      EXPECT_EQ(s.error().kind, ErrorKind::provider_bad_response);
    }
    return s.ok();
  };
  bool ok = true;
  for (std::size_t cut : cuts) {
    ok = record(parser.feed(input.substr(from, cut - from), run.events));
    from = cut;
    if (!ok) break;
  }
  if (ok) ok = record(parser.feed(input.substr(from), run.events));
  if (ok) record(parser.finish(run.events));
  run.comments = parser.comments_seen();
  return run;
}

inline SseRun run_sse_whole(std::string_view input,
                            std::size_t max_event_bytes = SseParser::kDefaultMaxEventBytes) {
  return run_sse(input, {}, max_event_bytes);
}

inline std::vector<std::size_t> every_byte(std::size_t size) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < size; ++i) cuts.push_back(i);
  return cuts;
}

// Between 1 and max_cuts sorted cut points (duplicates allowed: they make empty feeds).
inline std::vector<std::size_t> random_cuts(std::size_t size, std::uint32_t seed,
                                            std::size_t max_cuts = 32) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::size_t> count(1, max_cuts);
  std::uniform_int_distribution<std::size_t> at(0, size);
  std::vector<std::size_t> cuts(count(rng));
  for (std::size_t& c : cuts) c = at(rng);
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

struct NdjsonRun {
  std::vector<std::string> lines;
  std::string error_code;
  std::string error_message;
  bool operator==(const NdjsonRun&) const = default;
};

inline void PrintTo(const NdjsonRun& r, std::ostream* os) {
  *os << r.lines.size() << " lines, error '" << r.error_code
      << "': " << testing::PrintToString(r.lines);
}

inline NdjsonRun run_ndjson(std::string_view input, const std::vector<std::size_t>& cuts,
                            std::size_t max_line_bytes = NdjsonParser::kDefaultMaxLineBytes) {
  NdjsonParser parser(max_line_bytes);
  NdjsonRun run;
  std::size_t from = 0;
  auto record = [&](const Status& s) {
    if (!s.ok()) {
      run.error_code = s.error().code;
      run.error_message = s.error().message;
      EXPECT_EQ(s.error().kind, ErrorKind::provider_bad_response);
    }
    return s.ok();
  };
  bool ok = true;
  for (std::size_t cut : cuts) {
    ok = record(parser.feed(input.substr(from, cut - from), run.lines));
    from = cut;
    if (!ok) break;
  }
  if (ok) ok = record(parser.feed(input.substr(from), run.lines));
  if (ok) record(parser.finish(run.lines));
  return run;
}

// Rewrites every line ending (CRLF, CR or LF) as `eol`.
inline std::string with_line_endings(std::string_view in, std::string_view eol) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r' || in[i] == '\n') {
      out += eol;
      if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') ++i;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace framing_test
}  // namespace gw
