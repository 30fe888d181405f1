#pragma once

#include <string>

namespace gw {

// The current UTC time as RFC 3339 with milliseconds ("2026-11-26T14:18:53.708Z"), for log lines.
std::string utc_timestamp();

}  // namespace gw
