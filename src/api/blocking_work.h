// Work that blocks (a Redis round trip, a PostgreSQL statement) run off the I/O threads: on a
// small shared pool, resuming the calling coroutine on its own executor when the work is done.
// Type-erased so the Asio machinery stays in the .cc.
#pragma once

#include <functional>

#include <boost/asio/awaitable.hpp>

namespace gw {

boost::asio::awaitable<void> run_blocking(std::function<void()> work);

}  // namespace gw
