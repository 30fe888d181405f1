// Names the calling thread (≤ 15 characters shown), so `top -H`, `perf` and core dumps say which
// of the gateway's threads is busy: gw-io-N, gw-ledger-w, gw-ledger-r, gw-reqlog, …
#pragma once

namespace gw {

void name_this_thread(const char* name);

}  // namespace gw
