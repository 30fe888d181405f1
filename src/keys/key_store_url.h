// Where a gateway's stored keys live, for `serve` and the `keys` CLI alike: with the cost ledger
// on PostgreSQL, in the ledger database, so every instance sharing it sees the same keys (ADR
// 0013); otherwise in the SQLite storage database, next to the request log.
#pragma once

#include <string>

#include "config/config.h"

namespace gw::keys {

// The ledger's postgres:// URL (storage.ledger_url, else storage.url), else storage.url when
// it is sqlite:; "" when neither: no key store.
std::string store_url(const Config& config);

}  // namespace gw::keys
