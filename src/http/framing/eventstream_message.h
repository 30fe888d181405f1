// One message of the AWS event-stream binary framing (application/vnd.amazon.eventstream, used by
// Bedrock ConverseStream): typed headers plus an opaque payload. Shared by the parser and the
// writer so that encode(decode(bytes)) gives back the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw {

// The wire's header value types (the byte after the header name).
enum class EventStreamHeaderType : std::uint8_t {
  boolean_true = 0,   // no value bytes
  boolean_false = 1,  // no value bytes
  int8 = 2,
  int16 = 3,
  int32 = 4,
  int64 = 5,
  bytes = 6,      // u16 length + bytes
  string = 7,     // u16 length + UTF-8 bytes
  timestamp = 8,  // int64 milliseconds since the epoch
  uuid = 9,       // 16 bytes
};

struct EventStreamHeader {
  std::string name;
  EventStreamHeaderType type = EventStreamHeaderType::string;
  // string and bytes: the bytes as sent; booleans: "true" / "false"; integers and timestamps:
  // signed decimal; uuid: 8-4-4-4-12 lower-case hex. The writer accepts exactly these renderings.
  std::string value;

  static EventStreamHeader string(std::string name, std::string value) {
    return {std::move(name), EventStreamHeaderType::string, std::move(value)};
  }
  bool operator==(const EventStreamHeader&) const = default;
};

struct EventStreamMessage {
  std::vector<EventStreamHeader> headers;  // in wire order
  std::string payload;

  // The value of the first header called `name` (rendered as above), or an empty view.
  std::string_view header(std::string_view name) const {
    for (const EventStreamHeader& h : headers) {
      if (h.name == name) return h.value;
    }
    return {};
  }
  bool operator==(const EventStreamMessage&) const = default;
};

}  // namespace gw
