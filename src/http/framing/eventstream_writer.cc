// Event-stream writing: headers are validated and rendered first, then the prelude (which needs
// their length) and both CRCs are written around them.
#include "http/framing/eventstream_writer.h"

#include <charconv>
#include <cstdint>
#include <limits>

#include "http/framing/crc32.h"

namespace gw {
namespace {

Error bad_header(const EventStreamHeader& h, std::string why) {
  return Error::make(ErrorKind::gateway_internal,
                     "event-stream header \"" + h.name + "\": " + std::move(why),
                     "eventstream_bad_header");
}

void put_u32(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

void put_be(std::string& out, std::uint64_t v, std::size_t width) {
  for (std::size_t i = width; i-- > 0;) out.push_back(static_cast<char>(v >> (i * 8)));
}

// The decimal rendering of an integer header, checked against the type's range.
Status put_integer(std::string& out, const EventStreamHeader& h, std::size_t width) {
  std::int64_t v = 0;
  const char* end = h.value.data() + h.value.size();
  auto [ptr, ec] = std::from_chars(h.value.data(), end, v);
  if (ec != std::errc{} || ptr != end || h.value.empty()) {
    return bad_header(h, "\"" + h.value + "\" is not a decimal integer");
  }
  if (width < 8) {
    const std::int64_t max = (std::int64_t{1} << (width * 8 - 1)) - 1;
    if (v > max || v < -max - 1) {
      return bad_header(h, h.value + " does not fit in " + std::to_string(width * 8) + " bits");
    }
  }
  put_be(out, static_cast<std::uint64_t>(v), width);
  return {};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status put_uuid(std::string& out, const EventStreamHeader& h) {
  const std::string& v = h.value;
  std::string bytes;
  bool ok = v.size() == 36;
  for (std::size_t i = 0; ok && i < v.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      ok = v[i] == '-';
      continue;
    }
    const int hi = hex_digit(v[i]);
    const int lo = i + 1 < v.size() ? hex_digit(v[i + 1]) : -1;
    ok = hi >= 0 && lo >= 0;
    bytes.push_back(static_cast<char>(hi << 4 | (ok ? lo : 0)));
    ++i;
  }
  if (!ok) return bad_header(h, "\"" + v + "\" is not a UUID (8-4-4-4-12 hex digits)");
  out.append(bytes);
  return {};
}

Status put_header(std::string& out, const EventStreamHeader& h) {
  if (h.name.empty() || h.name.size() > 255) {
    return bad_header(h, "the name must be 1 to 255 bytes long");
  }
  out.push_back(static_cast<char>(h.name.size()));
  out.append(h.name);
  out.push_back(static_cast<char>(h.type));
  switch (h.type) {
    case EventStreamHeaderType::boolean_true:
    case EventStreamHeaderType::boolean_false: {
      const bool is_true = h.type == EventStreamHeaderType::boolean_true;
      if (h.value != (is_true ? "true" : "false")) {
        return bad_header(h, "a boolean_" + std::string(is_true ? "true" : "false") +
                                 " header has the value \"" + h.value + "\"");
      }
      return {};
    }
    case EventStreamHeaderType::int8:
      return put_integer(out, h, 1);
    case EventStreamHeaderType::int16:
      return put_integer(out, h, 2);
    case EventStreamHeaderType::int32:
      return put_integer(out, h, 4);
    case EventStreamHeaderType::int64:
    case EventStreamHeaderType::timestamp:
      return put_integer(out, h, 8);
    case EventStreamHeaderType::bytes:
    case EventStreamHeaderType::string:
      if (h.value.size() > std::numeric_limits<std::uint16_t>::max()) {
        return bad_header(h, "the value is longer than 65535 bytes");
      }
      put_be(out, h.value.size(), 2);
      out.append(h.value);
      return {};
    case EventStreamHeaderType::uuid:
      return put_uuid(out, h);
  }
  return bad_header(h, "unknown value type " + std::to_string(static_cast<int>(h.type)));
}

}  // namespace

Result<std::string> encode_eventstream_message(const std::vector<EventStreamHeader>& headers,
                                               std::string_view payload) {
  std::string rendered;
  for (const EventStreamHeader& h : headers) {
    if (Status s = put_header(rendered, h); !s) return std::move(s).error();
  }
  const std::uint64_t total = 12 + rendered.size() + payload.size() + 4;
  if (total > std::numeric_limits<std::uint32_t>::max()) {
    return Error::make(ErrorKind::gateway_internal,
                       "event-stream message of " + std::to_string(total) +
                           " bytes does not fit the 32-bit length",
                       "eventstream_too_large");
  }
  std::string out;
  out.reserve(total);
  put_u32(out, static_cast<std::uint32_t>(total));
  put_u32(out, static_cast<std::uint32_t>(rendered.size()));
  put_u32(out, crc32(out));
  out.append(rendered);
  out.append(payload);
  put_u32(out, crc32(out));
  return out;
}

Result<std::string> encode_eventstream_message(
    const std::vector<std::pair<std::string, std::string>>& string_headers,
    std::string_view payload) {
  std::vector<EventStreamHeader> headers;
  headers.reserve(string_headers.size());
  for (const auto& [name, value] : string_headers)
    headers.push_back({name, EventStreamHeaderType::string, value});
  return encode_eventstream_message(headers, payload);
}

}  // namespace gw
