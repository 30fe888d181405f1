// libFuzzer target for gw::EventStreamParser (AWS event-stream framing, Bedrock ConverseStream).
// Random bytes rarely pass a CRC, so each input is used twice:
//  - as raw wire bytes: whole, split at one input-derived offset, in input-derived chunks and
//    (up to 1 KiB) byte by byte must give identical messages and error; failure is sticky; every
//    decoded message re-encodes (encode_eventstream_message) to exactly the bytes it came from;
//    all of that with the default cap and with a small input-derived cap;
//  - as a recipe for well-formed messages (every header type, any bytes in names and values):
//    the writer's output must decode to exactly those messages at any split, and flipping one
//    input-derived bit must be caught (a CRC names it) with the messages before it intact.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "http/framing/eventstream_parser.h"
#include "http/framing/eventstream_writer.h"

namespace {

struct Run {
  std::vector<gw::EventStreamMessage> messages;
  std::string error_code;
  bool operator==(const Run&) const = default;
};

bool known_code(const std::string& code) {
  return code == "eventstream_prelude_crc" || code == "eventstream_message_crc" ||
         code == "eventstream_too_large" || code == "eventstream_bad_length" ||
         code == "eventstream_bad_header" || code == "eventstream_truncated";
}

Run run(std::string_view in, const std::vector<std::size_t>& cuts, std::size_t cap) {
  gw::EventStreamParser parser(cap);
  Run r;
  auto note = [&](const gw::Status& s) {
    if (!s.ok()) {
      GW_FUZZ_CHECK(s.error().kind == gw::ErrorKind::provider_bad_response, "error kind");
      GW_FUZZ_CHECK(known_code(s.error().code), "error code");
      r.error_code = s.error().code;
    }
    return s.ok();
  };
  bool ok = gw::fuzz::feed_pieces(
      in, cuts, [&](std::string_view piece) { return note(parser.feed(piece, r.messages)); });
  if (ok) ok = note(parser.finish(r.messages));
  if (!ok) {
    const std::size_t n = r.messages.size();
    const gw::Status again = parser.feed(std::string_view("\0\0\0\x10", 4), r.messages);
    GW_FUZZ_CHECK(!again.ok() && again.error().code == r.error_code, "failure is sticky (feed)");
    const gw::Status at_end = parser.finish(r.messages);
    GW_FUZZ_CHECK(!at_end.ok() && at_end.error().code == r.error_code,
                  "failure is sticky (finish)");
    GW_FUZZ_CHECK(r.messages.size() == n, "a failed parser appends nothing");
  }
  return r;
}

std::string encode(const gw::EventStreamMessage& m) {
  gw::Result<std::string> bytes = gw::encode_eventstream_message(m.headers, m.payload);
  GW_FUZZ_CHECK(bytes.ok(), "a decoded message can be written again");
  return bytes.ok() ? bytes.value() : std::string();
}

void check_raw(std::string_view in, std::size_t cap, std::uint64_t h) {
  const Run whole = run(in, {}, cap);
  std::string reencoded;
  for (const auto& m : whole.messages) reencoded += encode(m);
  GW_FUZZ_CHECK(reencoded.size() <= in.size() && in.substr(0, reencoded.size()) == reencoded,
                "decoded messages re-encode to the input's prefix");
  GW_FUZZ_CHECK(!whole.error_code.empty() || reencoded.size() == in.size(),
                "a clean run consumed every byte");
  for (const auto& m : whole.messages) {
    GW_FUZZ_CHECK(encode(m).size() <= cap, "every message within the cap");
  }

  GW_FUZZ_CHECK(run(in, {h % (in.size() + 1)}, cap) == whole, "split in two");
  GW_FUZZ_CHECK(run(in, gw::fuzz::data_derived_cuts(in, h >> 8), cap) == whole, "chunked");
  if (in.size() <= 1024) {
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < in.size(); ++i) every.push_back(i);
    GW_FUZZ_CHECK(run(in, every, cap) == whole, "byte at a time");
  }
}

// Reads the fuzz input as a recipe; zeros once it is used up.
class Recipe {
 public:
  explicit Recipe(std::string_view in) : in_(in) {}
  std::uint8_t byte() { return at_ < in_.size() ? static_cast<std::uint8_t>(in_[at_++]) : 0; }
  std::string bytes(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(byte()));
    return s;
  }
  std::int64_t integer(std::size_t width) {
    std::uint64_t u = 0;
    for (std::size_t i = 0; i < width; ++i) u = u << 8 | byte();
    if (width < 8 && (u >> (width * 8 - 1)) != 0) u |= ~std::uint64_t{0} << (width * 8);
    return static_cast<std::int64_t>(u);
  }

 private:
  std::string_view in_;
  std::size_t at_ = 0;
};

gw::EventStreamHeader make_header(Recipe& r) {
  using T = gw::EventStreamHeaderType;
  gw::EventStreamHeader h;
  h.name = r.bytes(1 + r.byte() % 12);
  h.type = static_cast<T>(r.byte() % 10);
  switch (h.type) {
    case T::boolean_true:
      h.value = "true";
      break;
    case T::boolean_false:
      h.value = "false";
      break;
    case T::int8:
      h.value = std::to_string(r.integer(1));
      break;
    case T::int16:
      h.value = std::to_string(r.integer(2));
      break;
    case T::int32:
      h.value = std::to_string(r.integer(4));
      break;
    case T::int64:
    case T::timestamp:
      h.value = std::to_string(r.integer(8));
      break;
    case T::bytes:
    case T::string:
      h.value = r.bytes(r.byte() % 40);
      break;
    case T::uuid: {
      static constexpr char kHex[] = "0123456789abcdef";
      for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) h.value.push_back('-');
        const std::uint8_t b = r.byte();
        h.value.push_back(kHex[b >> 4]);
        h.value.push_back(kHex[b & 0xF]);
      }
      break;
    }
  }
  return h;
}

void check_recipe(std::string_view in, std::uint64_t h) {
  Recipe r(in);
  std::vector<gw::EventStreamMessage> built(1 + r.byte() % 4);
  std::string wire;
  std::vector<std::size_t> ends;
  for (auto& m : built) {
    const int headers = r.byte() % 5;
    for (int i = 0; i < headers; ++i) m.headers.push_back(make_header(r));
    m.payload = r.bytes(r.byte() % 64);
    wire += encode(m);
    ends.push_back(wire.size());
  }
  const std::size_t cap = gw::EventStreamParser::kDefaultMaxMessageBytes;
  const Run whole = run(wire, {}, cap);
  GW_FUZZ_CHECK(whole.error_code.empty() && whole.messages == built, "writer output decodes");
  GW_FUZZ_CHECK(run(wire, gw::fuzz::data_derived_cuts(wire, h), cap) == whole,
                "writer output decodes at any split");

  // One flipped bit: CRC-32 detects every single-bit error.
  const std::size_t bit = (h >> 16) % (wire.size() * 8);
  std::string flipped = wire;
  flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
  std::size_t intact = 0;
  while (ends[intact] <= bit / 8) ++intact;
  const Run damaged = run(flipped, {}, cap);
  GW_FUZZ_CHECK(damaged.error_code == "eventstream_prelude_crc" ||
                    damaged.error_code == "eventstream_message_crc",
                "a flipped bit is caught by a CRC");
  GW_FUZZ_CHECK(damaged.messages.size() == intact &&
                    std::equal(damaged.messages.begin(), damaged.messages.end(), built.begin()),
                "messages before the flipped bit are intact");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::uint64_t h = gw::fuzz::digest(in);
  check_raw(in, gw::EventStreamParser::kDefaultMaxMessageBytes, h);
  check_raw(in, 16 + h % 240, h >> 16);
  check_recipe(in, h);
  return 0;
}
