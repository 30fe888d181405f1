// Incremental Server-Sent Events parser (WHATWG "event stream interpretation"): LF, CRLF and CR
// line endings, comments, multi-line data, `event`/`id`/`retry` fields, a cap on one event's size.
// Input may be split at any byte. No I/O; once the line buffer has grown, the only allocations
// per event are the event's own strings, moved (not copied) into the caller's vector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace gw {

struct SseEvent {
  std::string event;  // empty when the record had no `event:` field
  std::string data;   // data lines joined with '\n'
  std::string id;     // the stream's last event id: per spec it persists until an `id:` changes it
};

class SseParser {
 public:
  // The cap counts the bytes of every line of one event (comments and unknown fields included,
  // line terminators and a leading BOM excluded), checked while a line is still arriving, so an
  // upstream that never sends a newline cannot grow the buffer past it either.
  static constexpr std::size_t kDefaultMaxEventBytes = 4 * 1024 * 1024;

  explicit SseParser(std::size_t max_event_bytes = kDefaultMaxEventBytes);

  // Appends each completed event to `out` (out is not cleared). Returns
  // provider_bad_response when an event grows past the cap; the parser is then unusable.
  Status feed(std::string_view bytes, std::vector<SseEvent>& out);
  // End of input: a final event without its blank line is dispatched (as browsers do not, but an
  // upstream that closes right after its last `data:` line still meant it). An unterminated last
  // line counts as a line. Afterwards the parser is back at stream start (comments_seen() stays).
  Status finish(std::vector<SseEvent>& out);

  // Number of comment lines (": keepalive") seen so far; comments carry no data and must not
  // reset an idle timer.
  std::size_t comments_seen() const { return comments_; }

 private:
  // Hot path: false means the event outgrew the cap; only feed()/finish() build the Error.
  bool scan(std::string_view bytes, std::vector<SseEvent>& out);
  bool take_line(std::string_view line, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);
  Status fail();

  std::size_t max_event_bytes_;
  std::string line_;  // the unterminated tail of the previous feed()
  SseEvent pending_;  // event type and data buffer of the event being read
  std::string last_id_;
  bool has_data_ = false;     // the data buffer is non-empty in the spec's sense ("data:" counts)
  bool last_was_cr_ = false;  // previous feed() ended in CR: a leading LF completes that CRLF
  bool bom_checked_ = false;
  std::uint8_t bom_matched_ = 0;  // BOM bytes seen so far at stream start (a BOM may be split)
  bool failed_ = false;
  std::size_t event_bytes_ = 0;  // bytes of the completed lines of the current event
  std::size_t comments_ = 0;
};

}  // namespace gw
