// CRC-32/ISO-HDLC (the zlib/PNG/Ethernet CRC: reflected polynomial 0xEDB88320, initial value and
// final XOR 0xFFFFFFFF), table-driven. AWS event-stream framing checks both its prelude and the
// whole message with it; a few lines here beat a zlib dependency for the fuzz build.
#pragma once

#include <cstdint>
#include <string_view>

namespace gw {

// CRC of `bytes`. Pass the result of a previous call as `crc` to continue over more bytes:
// crc32(b, crc32(a)) == crc32(a + b).
std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0);

}  // namespace gw
