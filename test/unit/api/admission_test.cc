// In-flight bounds: global and per persona, released when the ticket goes, refusals typed 503
// with Retry-After.
#include "api/admission.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace gw {
namespace {

TEST(Admission, PersonaBoundRefusesTheNextAndReleasesOnDestruction) {
  std::vector<InFlightTicket> held;
  for (int i = 0; i < 2; ++i) {
    auto t = admit_request(0, "p1", 2);
    ASSERT_TRUE(t.ok());
    held.push_back(std::move(t).value());
  }
  auto refused = admit_request(0, "p1", 2);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::gateway_unavailable);
  EXPECT_EQ(refused.error().code, "overloaded");
  EXPECT_EQ(refused.error().retry_after, std::chrono::seconds(1));
  EXPECT_TRUE(admit_request(0, "p2", 2).ok()) << "another persona has its own bound";
  held.pop_back();
  EXPECT_TRUE(admit_request(0, "p1", 2).ok());
}

TEST(Admission, GlobalBound) {
  std::optional<InFlightTicket> a;
  {
    auto t = admit_request(1, "x", 0);
    ASSERT_TRUE(t.ok());
    a.emplace(std::move(t).value());
  }
  auto refused = admit_request(1, "y", 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("the gateway"), std::string::npos);
  a.reset();
  EXPECT_TRUE(admit_request(1, "y", 0).ok());
}

}  // namespace
}  // namespace gw
