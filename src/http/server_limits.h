#pragma once

#include <chrono>
#include <cstddef>

namespace gw {

// Bounds on what one client connection may make the server hold or wait for.
struct ServerLimits {
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{10000};  // the whole request head must arrive in this
  std::chrono::milliseconds body_timeout{30000};    // gap allowed between body reads
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive connection idle
  std::chrono::milliseconds write_timeout{30000};   // a client that stops reading is cut
  std::size_t max_connections_per_ip = 1024;        // open connections from one address; 0 = any
};

}  // namespace gw
