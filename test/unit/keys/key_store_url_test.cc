// store_url(): `serve` and the `keys` CLI put stored keys in the PostgreSQL ledger database when
// there is one, else in the SQLite storage database, else nowhere.
#include "keys/key_store_url.h"

#include <gtest/gtest.h>

namespace gw::keys {
namespace {

Config with(std::string storage, std::string ledger) {
  Config c;
  c.storage_url = std::move(storage);
  c.ledger_url = std::move(ledger);
  return c;
}

TEST(KeyStoreUrl, SqliteStorageAloneKeepsKeysNextToTheRequestLog) {
  EXPECT_EQ(store_url(with("sqlite://data/gw.db", "")), "sqlite://data/gw.db");
  EXPECT_EQ(store_url(with("sqlite://data/gw.db", "sqlite://data/ledger.db")),
            "sqlite://data/gw.db");
}

TEST(KeyStoreUrl, APostgresLedgerHoldsTheKeys) {
  EXPECT_EQ(store_url(with("sqlite://data/gw.db", "postgres://db/gw")), "postgres://db/gw");
  EXPECT_EQ(store_url(with("sqlite://data/gw.db", "postgresql://db/gw?sslmode=require")),
            "postgresql://db/gw?sslmode=require");
  // No ledger_url: the ledger is storage.url, PostgreSQL here.
  EXPECT_EQ(store_url(with("postgresql://db/gw", "")), "postgresql://db/gw");
}

TEST(KeyStoreUrl, NeitherMeansNoKeyStore) {
  EXPECT_EQ(store_url(with("postgres://db/gw", "sqlite://data/ledger.db")), "");
}

}  // namespace
}  // namespace gw::keys
