// Event-stream parsing: whole messages are parsed straight from the caller's bytes; only a message
// that straddles two feeds is copied into the carry-over buffer, and then only up to its declared
// length, so the bytes of the next message are never copied twice.
#include "http/framing/eventstream_parser.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "http/framing/crc32.h"

namespace gw {
namespace {

std::uint32_t read_u32(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

// A big-endian two's complement integer of `width` bytes.
std::int64_t read_signed(std::string_view b, std::size_t at, std::size_t width) {
  std::uint64_t u = 0;
  for (std::size_t i = 0; i < width; ++i) u = u << 8 | static_cast<unsigned char>(b[at + i]);
  if (width < 8 && (u >> (width * 8 - 1)) != 0) u |= ~std::uint64_t{0} << (width * 8);
  return static_cast<std::int64_t>(u);
}

std::string hex32(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

Error bad(std::string message, const char* code) {
  return Error::make(ErrorKind::provider_bad_response, std::move(message), code);
}

std::string render_uuid(std::string_view b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    const auto c = static_cast<unsigned char>(b[i]);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

// Fixed value sizes by type; 0 for the booleans, SIZE_MAX for the length-prefixed ones.
constexpr std::size_t kLengthPrefixed = static_cast<std::size_t>(-1);
std::size_t fixed_size(EventStreamHeaderType t) {
  switch (t) {
    case EventStreamHeaderType::boolean_true:
    case EventStreamHeaderType::boolean_false:
      return 0;
    case EventStreamHeaderType::int8:
      return 1;
    case EventStreamHeaderType::int16:
      return 2;
    case EventStreamHeaderType::int32:
      return 4;
    case EventStreamHeaderType::int64:
    case EventStreamHeaderType::timestamp:
      return 8;
    case EventStreamHeaderType::uuid:
      return 16;
    case EventStreamHeaderType::bytes:
    case EventStreamHeaderType::string:
      break;
  }
  return kLengthPrefixed;
}

Status parse_headers(std::string_view h, std::vector<EventStreamHeader>& out) {
  std::size_t at = 0;
  while (at < h.size()) {
    const std::size_t name_len = static_cast<unsigned char>(h[at]);
    ++at;
    if (name_len == 0)
      return bad("event-stream header with an empty name", "eventstream_bad_header");
    if (h.size() - at < name_len + 1) {
      return bad("event-stream header name runs past the headers section",
                 "eventstream_bad_header");
    }
    EventStreamHeader header;
    header.name.assign(h.substr(at, name_len));
    at += name_len;
    const auto type_byte = static_cast<unsigned char>(h[at]);
    ++at;
    if (type_byte > static_cast<unsigned char>(EventStreamHeaderType::uuid)) {
      return bad("event-stream header \"" + header.name + "\" has unknown value type " +
                     std::to_string(type_byte),
                 "eventstream_bad_header");
    }
    header.type = static_cast<EventStreamHeaderType>(type_byte);
    std::size_t size = fixed_size(header.type);
    if (size == kLengthPrefixed) {
      if (h.size() - at < 2) {
        return bad("event-stream header \"" + header.name + "\" value length is cut off",
                   "eventstream_bad_header");
      }
      size = static_cast<std::size_t>(static_cast<unsigned char>(h[at])) << 8 |
             static_cast<unsigned char>(h[at + 1]);
      at += 2;
    }
    if (h.size() - at < size) {
      return bad("event-stream header \"" + header.name + "\" value runs past the headers section",
                 "eventstream_bad_header");
    }
    const std::string_view v = h.substr(at, size);
    switch (header.type) {
      case EventStreamHeaderType::boolean_true:
        header.value = "true";
        break;
      case EventStreamHeaderType::boolean_false:
        header.value = "false";
        break;
      case EventStreamHeaderType::int8:
      case EventStreamHeaderType::int16:
      case EventStreamHeaderType::int32:
      case EventStreamHeaderType::int64:
      case EventStreamHeaderType::timestamp:
        header.value = std::to_string(read_signed(v, 0, size));
        break;
      case EventStreamHeaderType::bytes:
      case EventStreamHeaderType::string:
        header.value.assign(v);
        break;
      case EventStreamHeaderType::uuid:
        header.value = render_uuid(v);
        break;
    }
    at += size;
    out.push_back(std::move(header));
  }
  return {};
}

}  // namespace

EventStreamParser::EventStreamParser(std::size_t max_message_bytes)
    : max_message_bytes_(max_message_bytes) {}

Status EventStreamParser::fail(Error error) {
  failed_ = error;
  buf_.clear();
  buf_.shrink_to_fit();
  return error;
}

Result<std::uint32_t> EventStreamParser::read_prelude(std::string_view prelude) const {
  const std::uint32_t expected = read_u32(prelude, 8);
  const std::uint32_t actual = crc32(prelude.substr(0, 8));
  if (expected != actual) {
    return bad("event-stream prelude CRC mismatch (message says " + hex32(expected) +
                   ", computed " + hex32(actual) + ")",
               "eventstream_prelude_crc");
  }
  const std::uint32_t total = read_u32(prelude, 0);
  const std::uint32_t headers = read_u32(prelude, 4);
  if (total > max_message_bytes_) {
    return bad("event-stream message of " + std::to_string(total) + " bytes exceeds " +
                   std::to_string(max_message_bytes_) + " bytes",
               "eventstream_too_large");
  }
  if (total < kMinMessageBytes || headers > total - kMinMessageBytes) {
    return bad("event-stream prelude declares " + std::to_string(total) + " bytes with " +
                   std::to_string(headers) + " bytes of headers",
               "eventstream_bad_length");
  }
  return total;
}

Status EventStreamParser::parse_message(std::string_view m,
                                        std::vector<EventStreamMessage>& out) const {
  const std::size_t total = m.size();
  const std::uint32_t expected = read_u32(m, total - 4);
  const std::uint32_t actual = crc32(m.substr(0, total - 4));
  if (expected != actual) {
    return bad("event-stream message CRC mismatch (message says " + hex32(expected) +
                   ", computed " + hex32(actual) + ")",
               "eventstream_message_crc");
  }
  const std::size_t headers_len = read_u32(m, 4);
  EventStreamMessage msg;
  if (Status s = parse_headers(m.substr(kPreludeBytes, headers_len), msg.headers); !s) return s;
  const std::size_t payload_at = kPreludeBytes + headers_len;
  msg.payload.assign(m.substr(payload_at, total - 4 - payload_at));
  out.push_back(std::move(msg));
  return {};
}

Status EventStreamParser::feed(std::string_view bytes, std::vector<EventStreamMessage>& out) {
  if (failed_) return *failed_;
  while (!bytes.empty()) {
    if (buf_.empty() && bytes.size() >= kPreludeBytes) {
      // Fast path: the prelude is in the caller's bytes, and often the whole message too.
      Result<std::uint32_t> total = read_prelude(bytes.substr(0, kPreludeBytes));
      if (!total) return fail(std::move(total).error());
      if (bytes.size() < *total) {
        need_ = *total;
        buf_.assign(bytes);
        return {};
      }
      if (Status s = parse_message(bytes.substr(0, *total), out); !s) {
        return fail(std::move(s).error());
      }
      bytes.remove_prefix(*total);
      continue;
    }
    const std::size_t target = need_ == 0 ? kPreludeBytes : need_;
    const std::size_t take = std::min(target - buf_.size(), bytes.size());
    buf_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (need_ == 0 && buf_.size() == kPreludeBytes) {
      Result<std::uint32_t> total = read_prelude(buf_);
      if (!total) return fail(std::move(total).error());
      need_ = *total;
    }
    if (need_ != 0 && buf_.size() == need_) {
      if (Status s = parse_message(buf_, out); !s) return fail(std::move(s).error());
      buf_.clear();
      need_ = 0;
    }
  }
  return {};
}

Status EventStreamParser::finish(std::vector<EventStreamMessage>& /*out*/) {
  if (failed_) return *failed_;
  if (!buf_.empty()) {
    const std::string what = need_ == 0 ? std::to_string(buf_.size()) + " bytes of a prelude"
                                        : std::to_string(buf_.size()) + " of " +
                                              std::to_string(need_) + " bytes of a message";
    return fail(
        bad("event-stream input ended inside a message (" + what + ")", "eventstream_truncated"));
  }
  return {};
}

}  // namespace gw
