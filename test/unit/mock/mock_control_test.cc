// The /_mock/* control endpoint, without a server.
#include "mock/mock_control.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

namespace gw::mock {
namespace {

namespace json = boost::json;

MockReply call(MockState& state, std::string method, std::string target, std::string body = {}) {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  return control_reply(state, r);
}

TEST(MockControl, QueueListAndClearFaults) {
  MockState state;
  auto r = call(
      state, "POST", "/_mock/faults",
      R"({"faults":[{"status":429,"retry_after":20},{"times":0,"hang":true,"match":{"model":"m"}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("queued").as_int64(), 2);

  auto list = json::parse(call(state, "GET", "/_mock/faults").body);
  ASSERT_EQ(list.at("faults").as_array().size(), 2u);
  EXPECT_EQ(list.at("faults").at(0).at("status").as_int64(), 429);
  EXPECT_EQ(list.at("faults").at(1).at("match").at("model").as_string(), "m");

  EXPECT_EQ(state.take_fault({"x", "/v1/chat/completions", false})->status, 429);
  auto cleared = json::parse(call(state, "DELETE", "/_mock/faults").body);
  EXPECT_EQ(cleared.at("cleared").as_int64(), 1);
  EXPECT_TRUE(state.faults().empty());
}

TEST(MockControl, RejectsBadFaultBodies) {
  MockState state;
  EXPECT_EQ(call(state, "POST", "/_mock/faults", "{").status, 400);
  auto r = call(state, "POST", "/_mock/faults", R"({"faults":[{"status":700}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(json::parse(r.body).at("error").at("message").as_string().find("faults[0].status"),
            std::string::npos);
  EXPECT_TRUE(state.faults().empty());
  EXPECT_EQ(call(state, "PUT", "/_mock/faults").status, 405);
  EXPECT_EQ(call(state, "GET", "/_mock/nope").status, 404);
}

TEST(MockControl, RequestLogShowsParsedBodiesAndHeaders) {
  MockState state;
  http::Request r;
  r.method = "POST";
  r.target = "/v1/chat/completions";
  r.headers = {{"authorization", "Bearer k"}, {"x-a", "1"}, {"x-a", "2"}};
  r.body = R"({"model":"m"})";
  state.record(r);
  r.body = "not json";
  state.record(r);

  auto log = json::parse(call(state, "GET", "/_mock/requests").body).at("requests").as_array();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].at("method").as_string(), "POST");
  EXPECT_EQ(log[0].at("path").as_string(), "/v1/chat/completions");
  EXPECT_EQ(log[0].at("headers").at("x-a").as_string(), "1, 2");
  EXPECT_EQ(log[0].at("body").at("model").as_string(), "m");
  EXPECT_EQ(log[1].at("body").as_string(), "not json");

  EXPECT_EQ(json::parse(call(state, "DELETE", "/_mock/requests").body).at("cleared").as_int64(), 2);
  EXPECT_TRUE(state.requests().empty());
}

TEST(MockControl, Stats) {
  MockState state;
  http::Request r;
  state.record(r);
  state.record(r);
  state.count_status(200);
  state.count_status(429);
  state.count_aborted();
  auto s = json::parse(call(state, "GET", "/_mock/stats").body);
  EXPECT_EQ(s.at("requests").as_int64(), 2);
  EXPECT_EQ(s.at("by_status").at("200").as_int64(), 1);
  EXPECT_EQ(s.at("by_status").at("429").as_int64(), 1);
  EXPECT_EQ(s.at("by_status").at("aborted").as_int64(), 1);
  call(state, "DELETE", "/_mock/stats");
  EXPECT_EQ(state.stats().requests, 0u);
}

}  // namespace
}  // namespace gw::mock
