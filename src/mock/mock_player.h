// Plays a dialect's reply onto the wire with the fault's timing knobs applied: chunk delays,
// drop points, a malformed record, an in-band error, endless streams, stalls with optional SSE
// heartbeats. Dialect-free: it sees records, not JSON. Every wait also watches the client, so
// nothing outlives a closed client.
#pragma once

#include <chrono>

#include <boost/asio/awaitable.hpp>

#include "http/response_writer.h"
#include "mock/mock_dialect.h"
#include "mock/mock_fault.h"
#include "mock/mock_state.h"

namespace gw::mock {

// Endless streams use this gap between records unless the fault sets chunk_delay_ms.
inline constexpr std::chrono::milliseconds kEndlessChunkDelay{50};

// Waits `delay`; completes early with false when the client goes away first.
boost::asio::awaitable<bool> sleep_unless_closed(http::ResponseWriter& writer,
                                                 std::chrono::milliseconds delay);

// Sends a complete (non-streamed) reply and counts its status.
boost::asio::awaitable<void> send_reply(http::ResponseWriter& writer, MockReply reply,
                                        MockState& state);

// Streams reply.stream (which must be set) and counts the status.
boost::asio::awaitable<void> play_stream(http::ResponseWriter& writer, MockReply reply,
                                         MockFault fault, MockState& state);

}  // namespace gw::mock
