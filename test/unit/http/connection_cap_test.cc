// Per-address connection slots: the cap refuses the next, closing frees a slot.
#include "http/connection_cap.h"

#include <gtest/gtest.h>

#include <vector>

namespace gw::http {
namespace {

TEST(ConnectionCap, RefusesPastTheCapAndFreesOnClose) {
  const std::string addr = "203.0.113.7";
  std::vector<ConnectionSlot> open;
  for (int i = 0; i < 3; ++i) {
    auto slot = open_connection_slot(addr, 3);
    ASSERT_TRUE(slot.has_value());
    open.push_back(std::move(*slot));
  }
  EXPECT_EQ(open_connections(addr), 3u);
  EXPECT_FALSE(open_connection_slot(addr, 3).has_value());
  EXPECT_TRUE(open_connection_slot("203.0.113.8", 3).has_value()) << "other addresses unaffected";
  open.pop_back();
  EXPECT_EQ(open_connections(addr), 2u);
  EXPECT_TRUE(open_connection_slot(addr, 3).has_value());
  open.clear();
  EXPECT_EQ(open_connections(addr), 0u);
}

TEST(ConnectionCap, ZeroMeansNoLimit) {
  std::vector<ConnectionSlot> open;
  for (int i = 0; i < 100; ++i) open.push_back(*open_connection_slot("198.51.100.1", 0));
  EXPECT_EQ(open_connections("198.51.100.1"), 100u);
}

}  // namespace
}  // namespace gw::http
