// The key store's URL for a config (see key_store_url.h).
#include "keys/key_store_url.h"

#include <string_view>

#include "cost/ledger.h"

namespace gw::keys {

std::string store_url(const Config& config) {
  // storage.ledger_url "" means the ledger shares storage.url (serve_command.cc does the same).
  const std::string& ledger = config.ledger_url.empty() ? config.storage_url : config.ledger_url;
  if (cost::is_postgres_url(ledger)) return ledger;
  if (std::string_view(config.storage_url).starts_with("sqlite:")) return config.storage_url;
  return {};
}

}  // namespace gw::keys
