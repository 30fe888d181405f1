// Incremental parser for AWS event-stream framing (application/vnd.amazon.eventstream): a
// 12-byte prelude (total length u32 BE, headers length u32 BE, prelude CRC32), headers, payload,
// message CRC32. Both CRCs are verified. Input may be split at any byte; a message is buffered
// only while it straddles feeds, and its declared size is checked against the cap as soon as the
// prelude is complete, so a peer cannot make the buffer grow past it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "http/framing/eventstream_message.h"

namespace gw {

class EventStreamParser {
 public:
  static constexpr std::size_t kDefaultMaxMessageBytes = 16 * 1024 * 1024;
  static constexpr std::size_t kPreludeBytes = 12;
  static constexpr std::size_t kMinMessageBytes = kPreludeBytes + 4;  // no headers, no payload

  // The cap counts a whole message, prelude and CRCs included.
  explicit EventStreamParser(std::size_t max_message_bytes = kDefaultMaxMessageBytes);

  // Appends each complete message to `out` (out is not cleared). Errors are provider_bad_response
  // with code eventstream_prelude_crc, eventstream_message_crc, eventstream_too_large,
  // eventstream_bad_length (a total length below 16 or a headers section that does not fit) or
  // eventstream_bad_header (empty name, unknown type, a value running past the headers section).
  // Messages completed before the bad one in the same call stay in `out`. After an error the
  // parser returns the same error from every call.
  Status feed(std::string_view bytes, std::vector<EventStreamMessage>& out);
  // End of input: bytes of an incomplete message are an error (eventstream_truncated). Afterwards
  // a parser that did not fail is back at the start.
  Status finish(std::vector<EventStreamMessage>& out);

  // Bytes held for a message that is not complete yet.
  std::size_t buffered() const { return buf_.size(); }

 private:
  // Validates a prelude and returns the message's total length.
  Result<std::uint32_t> read_prelude(std::string_view prelude) const;
  Status parse_message(std::string_view message, std::vector<EventStreamMessage>& out) const;
  Status fail(Error error);

  std::size_t max_message_bytes_;
  std::string buf_;       // the part of a message that straddles feeds
  std::size_t need_ = 0;  // the buffered message's total length; 0 until its prelude is read
  std::optional<Error> failed_;
};

}  // namespace gw
