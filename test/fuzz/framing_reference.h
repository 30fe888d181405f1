// Reference models of the SSE and NDJSON framings for differential testing: whole-input, per-byte
// and written straight from the WHATWG "event stream interpretation" steps, with no incremental
// state to get wrong. The fuzz targets and the unit tests compare gw::SseParser and
// gw::NdjsonParser against them; they are far too slow for production and that is the point.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/framing/sse_parser.h"

namespace gw::reference {

struct SseOutcome {
  std::vector<SseEvent> events;
  std::size_t comments = 0;
  bool failed = false;  // some event's lines exceeded the cap
};

// Parses a complete stream, then behaves like finish(): a last event with data is dispatched,
// an unterminated last line counts as a line.
inline SseOutcome parse_sse(std::string_view input, std::size_t max_event_bytes) {
  SseOutcome r;
  if (input.substr(0, 3) == "\xEF\xBB\xBF") input.remove_prefix(3);

  std::vector<std::string> lines;
  std::string cur;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const char c = input[i];
    if (c == '\r' || c == '\n') {
      lines.push_back(cur);
      cur.clear();
      if (c == '\r' && i + 1 < input.size() && input[i + 1] == '\n') ++i;
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) lines.push_back(cur);

  std::string type;
  std::string data;
  std::string last_id;
  bool data_set = false;
  std::size_t event_bytes = 0;
  auto dispatch = [&] {
    r.events.push_back(SseEvent{type, data, last_id});
    type.clear();
    data.clear();
    data_set = false;
  };
  for (const std::string& line : lines) {
    if (line.empty()) {
      if (data_set) dispatch();
      type.clear();
      event_bytes = 0;
      continue;
    }
    event_bytes += line.size();
    if (event_bytes > max_event_bytes) {
      r.failed = true;
      return r;
    }
    if (line[0] == ':') {
      ++r.comments;
      continue;
    }
    std::string field;
    std::string value;
    std::size_t i = 0;
    while (i < line.size() && line[i] != ':') field.push_back(line[i++]);
    if (i < line.size()) {
      ++i;  // the colon
      if (i < line.size() && line[i] == ' ') ++i;
      value = line.substr(i);
    }
    if (field == "data") {
      if (data_set) data += '\n';
      data += value;
      data_set = true;
    } else if (field == "event") {
      type = value;
    } else if (field == "id") {
      bool has_nul = false;
      for (char c : value) has_nul = has_nul || c == '\0';
      if (!has_nul) last_id = value;
    }
  }
  if (data_set) dispatch();
  return r;
}

struct NdjsonOutcome {
  std::vector<std::string> lines;
  bool failed = false;
};

inline NdjsonOutcome parse_ndjson(std::string_view input, std::size_t max_line_bytes) {
  NdjsonOutcome r;
  std::vector<std::string> raw;
  std::string cur;
  for (char c : input) {
    if (c == '\n') {
      raw.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) raw.push_back(cur);
  for (std::string& line : raw) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > max_line_bytes) {
      r.failed = true;
      return r;
    }
    bool blank = true;
    for (char c : line) blank = blank && (c == ' ' || c == '\t' || c == '\r');
    if (!blank) r.lines.push_back(line);
  }
  return r;
}

}  // namespace gw::reference
