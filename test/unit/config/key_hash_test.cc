// Gateway keys are kept as SHA-256 hashes and compared in constant time.
#include "config_test_support.h"

namespace gw::testing {
namespace {

std::string hex(const std::array<std::uint8_t, 32>& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

TEST(KeyHash, Sha256OfAbcMatchesTheFipsVector) {
  EXPECT_EQ(hex(hash_key("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(KeyHash, Sha256OfEmptyString) {
  EXPECT_EQ(hex(hash_key("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(KeyHash, HashesEqualComparesEveryByte) {
  const auto a = hash_key("gw-demo-key");
  EXPECT_TRUE(hashes_equal(a, hash_key("gw-demo-key")));
  EXPECT_FALSE(hashes_equal(a, hash_key("gw-demo-kez")));
  auto last_byte_differs = a;
  last_byte_differs[31] ^= 1;
  EXPECT_FALSE(hashes_equal(a, last_byte_differs));
  auto first_byte_differs = a;
  first_byte_differs[0] ^= 0x80;
  EXPECT_FALSE(hashes_equal(a, first_byte_differs));
}

TEST(KeyHash, LoadedKeysKeepOnlyTheHashAndTheirBinding) {
  const ConfigLoad load = load_json(edited([](auto& o) {
                                      auto& key = o["keys"].as_array()[0].as_object();
                                      key["name"] = "runner";
                                      key["team"] = "core";
                                    }),
                                    kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  ASSERT_EQ(load.config->keys.size(), 1u);
  const KeyConfig& key = load.config->keys[0];
  EXPECT_TRUE(hashes_equal(key.sha256, hash_key("gw-dev-secret")));
  EXPECT_EQ(key.personas, std::vector<std::string>{"dev"});
  EXPECT_EQ(key.name, "runner");
  EXPECT_EQ(key.team, "core");
  EXPECT_EQ(key.project, "");
}

TEST(KeyHash, UnnamedKeyGetsItsIndexAsLabel) {
  const ConfigLoad load = load_json(kMinimal, kFullEnv);
  ASSERT_TRUE(load.config.has_value()) << dump(load);
  EXPECT_EQ(load.config->keys.at(0).name, "key-0");
}

}  // namespace
}  // namespace gw::testing
