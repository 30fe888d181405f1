// SSE framing: finds line ends with memchr, hands whole lines (a view into the caller's bytes
// whenever the line did not straddle two feeds) to the field interpreter, and keeps only the
// unterminated tail between feeds. Runs on every streamed chunk, so no per-byte loops.
#include "http/framing/sse_parser.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace gw {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

SseParser::SseParser(std::size_t max_event_bytes) : max_event_bytes_(max_event_bytes) {}

Status SseParser::fail() {
  failed_ = true;
  return Error::make(ErrorKind::provider_bad_response,
                     "SSE event exceeds " + std::to_string(max_event_bytes_) + " bytes",
                     "sse_event_too_large");
}

Status SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  if (failed_) return fail();
  if (!bom_checked_) {
    // The BOM may arrive split over several feeds; hold back a matching prefix until it is
    // either complete (dropped) or broken (then those bytes were ordinary input).
    while (!bytes.empty() && bom_matched_ < kBom.size() && bytes.front() == kBom[bom_matched_]) {
      ++bom_matched_;
      bytes.remove_prefix(1);
    }
    if (bom_matched_ < kBom.size()) {
      if (bytes.empty()) return {};
      if (bom_matched_ > 0) {
        bom_checked_ = true;
        if (!scan(kBom.substr(0, bom_matched_), out)) return fail();
      }
    }
    bom_checked_ = true;
  }
  if (!scan(bytes, out)) return fail();
  return {};
}

bool SseParser::scan(std::string_view bytes, std::vector<SseEvent>& out) {
  const char* const begin = bytes.data();
  const std::size_t n = bytes.size();
  std::size_t pos = 0;
  if (n == 0) return true;
  if (last_was_cr_) {
    last_was_cr_ = false;
    if (begin[0] == '\n') pos = 1;  // the LF half of a CRLF split across feeds
  }
  // Next LF and next CR at or after `pos` (n when there is none). Each is searched again only once
  // `pos` has passed it, so a CR-only stream does not rescan for LF on every line.
  auto find_from = [&](char c) {
    const void* p = std::memchr(begin + pos, c, n - pos);
    return p == nullptr ? n : static_cast<std::size_t>(static_cast<const char*>(p) - begin);
  };
  std::size_t lf = find_from('\n');
  std::size_t cr = find_from('\r');
  while (pos < n) {
    if (lf < pos) lf = find_from('\n');
    if (cr < pos) cr = find_from('\r');
    const std::size_t eol = std::min(lf, cr);
    if (eol == n) {
      const std::size_t tail = n - pos;
      if (line_.size() + tail > max_event_bytes_ - event_bytes_) return false;
      line_.append(begin + pos, tail);
      return true;
    }
    std::string_view line(begin + pos, eol - pos);
    if (!line_.empty()) {
      if (line_.size() + line.size() > max_event_bytes_ - event_bytes_) return false;
      line_.append(line);
      line = line_;
    }
    const bool ok = take_line(line, out);
    line_.clear();
    if (!ok) return false;
    pos = eol + 1;
    if (begin[eol] == '\r') {
      if (pos == n) {
        last_was_cr_ = true;
      } else if (begin[pos] == '\n') {
        ++pos;
      }
    }
  }
  return true;
}

bool SseParser::take_line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    if (has_data_) {
      dispatch(out);
    } else {
      pending_.event.clear();  // an event type without data must not leak into the next event
    }
    event_bytes_ = 0;
    return true;
  }
  // Invariant: event_bytes_ <= max_event_bytes_, so the subtraction cannot wrap.
  if (line.size() > max_event_bytes_ - event_bytes_) return false;
  event_bytes_ += line.size();
  if (line.front() == ':') {
    ++comments_;
    return true;
  }
  std::string_view field = line;
  std::string_view value;
  if (const std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    if (has_data_) pending_.data.push_back('\n');
    pending_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    pending_.event.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
  }
  // `retry` and unknown fields are ignored: the gateway never reconnects an upstream stream
  // mid-request (a retry is a new request decided by the router).
  return true;
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  // The output owns its bytes, so each event costs one allocation per long field whichever way;
  // moving the buffers out makes that the only one (copying would add a memcpy).
  SseEvent& ev = out.emplace_back();
  ev.event = std::move(pending_.event);
  ev.data = std::move(pending_.data);
  ev.id = last_id_;
  pending_.event.clear();
  pending_.data.clear();
  has_data_ = false;
}

Status SseParser::finish(std::vector<SseEvent>& out) {
  if (failed_) return fail();
  if (!bom_checked_ && bom_matched_ > 0) {
    bom_checked_ = true;
    if (!scan(kBom.substr(0, bom_matched_), out)) return fail();
  }
  if (!line_.empty()) {
    const bool ok = take_line(line_, out);
    line_.clear();
    if (!ok) return fail();
  }
  if (has_data_) dispatch(out);
  pending_.event.clear();
  event_bytes_ = 0;
  last_was_cr_ = false;
  bom_checked_ = false;
  bom_matched_ = 0;
  last_id_.clear();
  return {};
}

}  // namespace gw
