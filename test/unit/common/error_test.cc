#include "common/error.h"

#include <gtest/gtest.h>

#include "common/result.h"

namespace gw {
namespace {

TEST(ErrorTable, StatusesFollowTheTaxonomy) {
  EXPECT_EQ(http_status(ErrorKind::caller_invalid_request), 400);
  EXPECT_EQ(http_status(ErrorKind::caller_unauthenticated), 401);
  EXPECT_EQ(http_status(ErrorKind::caller_not_found), 404);
  EXPECT_EQ(http_status(ErrorKind::caller_payload_too_large), 413);
  EXPECT_EQ(http_status(ErrorKind::caller_headers_too_large), 431);
  EXPECT_EQ(http_status(ErrorKind::policy_rate_limited), 429);
  EXPECT_EQ(http_status(ErrorKind::provider_rate_limited), 429);
  EXPECT_EQ(http_status(ErrorKind::provider_auth), 502);
  EXPECT_EQ(http_status(ErrorKind::provider_server_error), 502);
  EXPECT_EQ(http_status(ErrorKind::provider_overloaded), 503);
  EXPECT_EQ(http_status(ErrorKind::provider_timeout), 504);
  EXPECT_EQ(http_status(ErrorKind::gateway_internal), 500);
}

TEST(ErrorTable, FaultDomainsComeFromTheName) {
  EXPECT_EQ(fault_domain(ErrorKind::caller_forbidden), FaultDomain::caller);
  EXPECT_EQ(fault_domain(ErrorKind::policy_budget_exceeded), FaultDomain::policy);
  EXPECT_EQ(fault_domain(ErrorKind::provider_timeout), FaultDomain::provider);
  EXPECT_EQ(fault_domain(ErrorKind::gateway_unavailable), FaultDomain::gateway);
  EXPECT_EQ(name(ErrorKind::provider_quota_exhausted), "provider_quota_exhausted");
}

TEST(ErrorTable, RetryClasses) {
  EXPECT_EQ(default_retry(ErrorKind::caller_invalid_request), RetryClass::never);
  EXPECT_EQ(default_retry(ErrorKind::provider_rate_limited), RetryClass::retry_after);
  EXPECT_EQ(default_retry(ErrorKind::provider_quota_exhausted), RetryClass::fallback_only);
  EXPECT_EQ(default_retry(ErrorKind::provider_server_error), RetryClass::retry);
  EXPECT_EQ(default_retry(ErrorKind::provider_stream_interrupted), RetryClass::never);
  Error e = Error::make(ErrorKind::provider_overloaded, "busy");
  EXPECT_EQ(e.retry, RetryClass::retry);
}

TEST(RetryAfter, ParsesDeltaSeconds) {
  EXPECT_EQ(parse_retry_after("20")->count(), 20000);
  EXPECT_EQ(parse_retry_after(" 1.5 ")->count(), 1500);
  EXPECT_FALSE(parse_retry_after("").has_value());
  EXPECT_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
  EXPECT_FALSE(parse_retry_after("-3").has_value());
  EXPECT_EQ(parse_retry_after("999999")->count(), 86400000);
}

TEST(ResultType, HoldsValueOrError) {
  Result<int> ok = 3;
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 3);
  Result<int> bad = Error::make(ErrorKind::caller_not_found, "nope");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "nope");
  Status s;
  EXPECT_TRUE(s.ok());
  Status f = Error::make(ErrorKind::gateway_internal, "x");
  EXPECT_FALSE(f.ok());
}

}  // namespace
}  // namespace gw
