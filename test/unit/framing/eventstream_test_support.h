// Helpers for the event-stream framing tests: running the parser over an input cut at given
// offsets (so any split can be compared with one feed of the whole input), building messages
// with the writer, and reading the decoded view of the recorded Bedrock stream.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "http/framing/eventstream_parser.h"
#include "http/framing/eventstream_writer.h"

namespace gw {

inline void PrintTo(const EventStreamMessage& m, std::ostream* os) {
  *os << "{";
  for (const EventStreamHeader& h : m.headers) {
    *os << h.name << "(" << static_cast<int>(h.type) << ")=" << testing::PrintToString(h.value)
        << " ";
  }
  *os << "payload=" << testing::PrintToString(m.payload) << "}";
}

namespace framing_test {

struct EventStreamRun {
  std::vector<EventStreamMessage> messages;
  std::string error_code;  // empty when every call succeeded
  std::string error_message;
  bool operator==(const EventStreamRun&) const = default;
};

inline void PrintTo(const EventStreamRun& r, std::ostream* os) {
  *os << r.messages.size() << " messages, error '" << r.error_code << "' " << r.error_message;
}

// Feeds input[0, cuts[0]), input[cuts[0], cuts[1]), ..., then finish(). `cuts` must be sorted.
inline EventStreamRun run_eventstream(
    std::string_view input, const std::vector<std::size_t>& cuts,
    std::size_t max_message_bytes = EventStreamParser::kDefaultMaxMessageBytes) {
  EventStreamParser parser(max_message_bytes);
  EventStreamRun run;
  auto record = [&](const Status& s) {
    if (!s.ok()) {
      run.error_code = s.error().code;
      run.error_message = s.error().message;
      EXPECT_EQ(s.error().kind, ErrorKind::provider_bad_response);
    }
    return s.ok();
  };
  std::size_t from = 0;
  bool ok = true;
  for (std::size_t cut : cuts) {
    ok = record(parser.feed(input.substr(from, cut - from), run.messages));
    from = cut;
    if (!ok) break;
  }
  if (ok) ok = record(parser.feed(input.substr(from), run.messages));
  if (ok) record(parser.finish(run.messages));
  return run;
}

inline EventStreamRun run_eventstream_whole(
    std::string_view input,
    std::size_t max_message_bytes = EventStreamParser::kDefaultMaxMessageBytes) {
  return run_eventstream(input, {}, max_message_bytes);
}

// A message the writer must accept.
inline std::string frame(const std::vector<EventStreamHeader>& headers, std::string_view payload) {
  Result<std::string> bytes = encode_eventstream_message(headers, payload);
  EXPECT_TRUE(bytes.ok()) << (bytes.ok() ? "" : bytes.error().message);
  return bytes.ok() ? bytes.value() : std::string();
}

// A Bedrock-style event: the three string headers every ConverseStream event carries.
inline std::string bedrock_event(std::string_view event_type, std::string_view payload) {
  return frame({EventStreamHeader::string(":event-type", std::string(event_type)),
                EventStreamHeader::string(":content-type", "application/json"),
                EventStreamHeader::string(":message-type", "event")},
               payload);
}

// JSON text without the whitespace between tokens (strings untouched): the decoded view of the
// fixture was written with ", " and ": " separators, the wire payloads are compact.
inline std::string compact_json(std::string_view text) {
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out.push_back(c);
    } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace framing_test
}  // namespace gw
