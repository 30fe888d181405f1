// Writes AWS event-stream messages (the inverse of EventStreamParser): prelude with both lengths
// and its CRC32, headers in the given order, payload, message CRC32. Used by the mock provider's
// Bedrock dialect and by tests.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "http/framing/eventstream_message.h"

namespace gw {

// One framed message. Errors (gateway_internal, code eventstream_bad_header): a header name that
// is empty or longer than 255 bytes, a string/bytes value longer than 65535 bytes, a value that is
// not the rendering EventStreamHeader documents for its type (e.g. "300" for int8); code
// eventstream_too_large when the message would not fit the u32 total length.
Result<std::string> encode_eventstream_message(const std::vector<EventStreamHeader>& headers,
                                               std::string_view payload);

// Same, for the common case of string headers only (name, value).
Result<std::string> encode_eventstream_message(
    const std::vector<std::pair<std::string, std::string>>& string_headers,
    std::string_view payload);

}  // namespace gw
