// libFuzzer target for gw::SseParser. Beyond "no crash, no UB, no leak" it checks, per input:
//  - the events, error and comment count equal the whole-input reference model
//    (framing_reference.h), with the default cap and with a small input-derived cap;
//  - feeding the input whole, split at one input-derived offset, in input-derived chunks and
//    (for inputs up to 1 KiB) one byte at a time gives identical results;
//  - no event is bigger than the cap, and no line terminator leaks into a field.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "framing_reference.h"
#include "fuzz_support.h"
#include "http/framing/sse_parser.h"

namespace {

struct Run {
  std::vector<gw::SseEvent> events;
  std::size_t comments = 0;
  bool failed = false;
};

bool same(const Run& a, const Run& b) {
  if (a.failed != b.failed || a.comments != b.comments || a.events.size() != b.events.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    const gw::SseEvent& x = a.events[i];
    const gw::SseEvent& y = b.events[i];
    if (x.event != y.event || x.data != y.data || x.id != y.id) return false;
  }
  return true;
}

Run run(std::string_view in, const std::vector<std::size_t>& cuts, std::size_t cap) {
  gw::SseParser parser(cap);
  Run r;
  bool ok = gw::fuzz::feed_pieces(in, cuts, [&](std::string_view piece) {
    const gw::Status s = parser.feed(piece, r.events);
    if (!s.ok()) {
      GW_FUZZ_CHECK(s.error().kind == gw::ErrorKind::provider_bad_response, "error kind");
      GW_FUZZ_CHECK(s.error().code == "sse_event_too_large", "error code");
    }
    return s.ok();
  });
  if (ok) ok = parser.finish(r.events).ok();
  if (!ok) {
    // Sticky failure: nothing more comes out of a failed parser.
    const std::size_t n = r.events.size();
    GW_FUZZ_CHECK(!parser.feed("data: x\n\n", r.events).ok(), "failure is sticky (feed)");
    GW_FUZZ_CHECK(!parser.finish(r.events).ok(), "failure is sticky (finish)");
    GW_FUZZ_CHECK(r.events.size() == n, "a failed parser appends nothing");
  }
  r.failed = !ok;
  r.comments = parser.comments_seen();
  return r;
}

void check_bounded(const Run& r, std::size_t cap) {
  for (const gw::SseEvent& e : r.events) {
    GW_FUZZ_CHECK(e.event.size() + e.data.size() <= cap, "event within the cap");
    GW_FUZZ_CHECK(e.id.size() <= cap, "id within the cap");
    GW_FUZZ_CHECK(e.event.find_first_of("\r\n") == std::string_view::npos, "no EOL in event");
    GW_FUZZ_CHECK(e.id.find_first_of("\r\n") == std::string_view::npos, "no EOL in id");
    GW_FUZZ_CHECK(e.data.find('\r') == std::string_view::npos, "no CR in data");
  }
}

void check(std::string_view in, std::size_t cap, std::uint64_t h) {
  const Run whole = run(in, {}, cap);
  check_bounded(whole, cap);

  const gw::reference::SseOutcome ref = gw::reference::parse_sse(in, cap);
  Run expected{ref.events, ref.comments, ref.failed};
  GW_FUZZ_CHECK(same(whole, expected), "parser equals the reference model");

  GW_FUZZ_CHECK(same(run(in, {h % (in.size() + 1)}, cap), whole), "split in two");
  GW_FUZZ_CHECK(same(run(in, gw::fuzz::data_derived_cuts(in, h >> 8), cap), whole), "chunked");
  if (in.size() <= 1024) {
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < in.size(); ++i) every.push_back(i);
    GW_FUZZ_CHECK(same(run(in, every, cap), whole), "byte at a time");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::uint64_t h = gw::fuzz::digest(in);
  check(in, gw::SseParser::kDefaultMaxEventBytes, h);
  check(in, 1 + h % 160, h >> 16);  // small caps put the boundary inside ordinary inputs
  return 0;
}
