// libFuzzer target for gw::NdjsonParser. Beyond "no crash, no UB, no leak" it checks, per input:
//  - the lines and error equal the whole-input reference model (framing_reference.h), with the
//    default cap and with a small input-derived cap;
//  - feeding the input whole, split at one input-derived offset, in input-derived chunks and
//    (for inputs up to 1 KiB) one byte at a time gives identical results;
//  - every line is within the cap, has no '\n' and is not blank.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "framing_reference.h"
#include "fuzz_support.h"
#include "http/framing/ndjson_parser.h"

namespace {

struct Run {
  std::vector<std::string> lines;
  bool failed = false;
  bool operator==(const Run&) const = default;
};

Run run(std::string_view in, const std::vector<std::size_t>& cuts, std::size_t cap) {
  gw::NdjsonParser parser(cap);
  Run r;
  bool ok = gw::fuzz::feed_pieces(in, cuts, [&](std::string_view piece) {
    const gw::Status s = parser.feed(piece, r.lines);
    if (!s.ok()) {
      GW_FUZZ_CHECK(s.error().kind == gw::ErrorKind::provider_bad_response, "error kind");
      GW_FUZZ_CHECK(s.error().code == "ndjson_line_too_large", "error code");
    }
    return s.ok();
  });
  if (ok) ok = parser.finish(r.lines).ok();
  if (!ok) {
    const std::size_t n = r.lines.size();
    GW_FUZZ_CHECK(!parser.feed("{}\n", r.lines).ok(), "failure is sticky (feed)");
    GW_FUZZ_CHECK(!parser.finish(r.lines).ok(), "failure is sticky (finish)");
    GW_FUZZ_CHECK(r.lines.size() == n, "a failed parser appends nothing");
  }
  r.failed = !ok;
  return r;
}

void check(std::string_view in, std::size_t cap, std::uint64_t h) {
  const Run whole = run(in, {}, cap);
  for (const std::string& line : whole.lines) {
    GW_FUZZ_CHECK(line.find_first_not_of(" \t\r") != std::string::npos, "blank lines skipped");
    GW_FUZZ_CHECK(line.size() <= cap, "line within the cap");
    GW_FUZZ_CHECK(line.find('\n') == std::string::npos, "no LF in a line");
  }
  const gw::reference::NdjsonOutcome ref = gw::reference::parse_ndjson(in, cap);
  GW_FUZZ_CHECK(whole == (Run{ref.lines, ref.failed}), "parser equals the reference model");

  GW_FUZZ_CHECK(run(in, {h % (in.size() + 1)}, cap) == whole, "split in two");
  GW_FUZZ_CHECK(run(in, gw::fuzz::data_derived_cuts(in, h >> 8), cap) == whole, "chunked");
  if (in.size() <= 1024) {
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < in.size(); ++i) every.push_back(i);
    GW_FUZZ_CHECK(run(in, every, cap) == whole, "byte at a time");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::uint64_t h = gw::fuzz::digest(in);
  check(in, gw::NdjsonParser::kDefaultMaxLineBytes, h);
  check(in, 1 + h % 160, h >> 16);
  return 0;
}
