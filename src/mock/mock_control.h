// The mock provider's control endpoint, /_mock/*: queue and clear faults, read the request log
// and counters. Synchronous and dialect-free; answers are pretty-printed JSON.
#pragma once

#include "http/request.h"
#include "mock/mock_dialect.h"
#include "mock/mock_state.h"

namespace gw::mock {

inline constexpr std::string_view kControlPrefix = "/_mock/";

// Answers any request under kControlPrefix (404/405 for unknown paths and methods).
MockReply control_reply(MockState& state, const http::Request& request);

}  // namespace gw::mock
