// Fault parsing (headers and control endpoint), merging and the shared fault queue.
#include "mock/mock_fault.h"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "mock/mock_state.h"

namespace gw::mock {
namespace {

TEST(MockFault, HeadersParseEveryKnob) {
  std::vector<http::Header> headers = {{"content-type", "application/json"},
                                       {"x-mock-status", "429"},
                                       {"x-mock-retry-after", "2.5"},
                                       {"x-mock-delay-ms", "10"},
                                       {"x-mock-hang", "0"},
                                       {"x-mock-drop-after", "3"},
                                       {"x-mock-chunk-delay-ms", "5"},
                                       {"x-mock-malformed", "true"},
                                       {"x-mock-endless", "1"},
                                       {"x-mock-no-usage", "yes"},
                                       {"x-mock-stream-error", "0"},
                                       {"x-mock-chunks", "7"},
                                       {"x-mock-body", "{not json"},
                                       {"x-mock-retry-after-ms", "1500"}};
  auto f = parse_fault_headers(headers);
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->status, 429);
  EXPECT_DOUBLE_EQ(*f->retry_after_s, 2.5);
  EXPECT_EQ(f->retry_after_ms, 1500);
  EXPECT_EQ(f->delay_ms, 10);
  EXPECT_EQ(f->hang, false);
  EXPECT_EQ(f->drop_after, 3);
  EXPECT_EQ(f->chunk_delay_ms, 5);
  EXPECT_EQ(f->malformed, true);
  EXPECT_EQ(f->endless, true);
  EXPECT_EQ(f->no_usage, true);
  EXPECT_EQ(f->stream_error, 0);
  EXPECT_EQ(f->chunks, 7);
  EXPECT_EQ(f->body, "{not json");
  EXPECT_TRUE(f->replaces_answer());
}

TEST(MockFault, BadOrUnknownHeadersAreErrors) {
  for (const auto& h : std::vector<http::Header>{{"x-mock-status", "abc"},
                                                 {"x-mock-status", "99"},
                                                 {"x-mock-chunks", "0"},
                                                 {"x-mock-hang", "maybe"},
                                                 {"x-mock-retry-after", "-1"},
                                                 {"x-mock-delay", "10"}}) {
    auto f = parse_fault_headers({h});
    ASSERT_FALSE(f.ok()) << h.name << ": " << h.value;
    EXPECT_EQ(f.error().kind, ErrorKind::caller_invalid_request);
    EXPECT_NE(f.error().message.find(h.name), std::string::npos);
  }
  EXPECT_TRUE(parse_fault_headers({{"x-other", "1"}})->empty());
}

TEST(MockFault, QueueBodyParsesAndRoundTrips) {
  auto q = parse_fault_queue(boost::json::parse(R"({"faults":[
      {"times":2,"match":{"model":"m1","stream":true},"status":503,"retry_after":20},
      {"times":0,"body":{"error":{"message":"x"}},"status":402},
      {"drop_after":3,"chunk_delay_ms":1,"endless":true}]})"));
  ASSERT_TRUE(q.ok()) << q.error().message;
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[0].times, 2);
  EXPECT_EQ((*q)[0].match.model, "m1");
  EXPECT_EQ((*q)[0].fault.status, 503);
  EXPECT_EQ((*q)[1].times, 0);
  EXPECT_EQ((*q)[1].fault.body, "{\n  \"error\": {\n    \"message\": \"x\"\n  }\n}");
  EXPECT_EQ((*q)[2].times, 1);
  EXPECT_EQ((*q)[2].fault.drop_after, 3);
  auto again = parse_fault_queue(
      boost::json::object{{"faults", boost::json::array{to_json((*q)[0]), to_json((*q)[2])}}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].match.stream, true);
  EXPECT_DOUBLE_EQ(*(*again)[0].fault.retry_after_s, 20);
  EXPECT_EQ((*again)[1].fault.endless, true);
}

TEST(MockFault, QueueBodyErrorsNameTheField) {
  for (const char* body :
       {R"({"faults":{}})", R"({"faults":[{"stauts":429}]})", R"({"faults":[{"status":"429"}]})",
        R"({"faults":[{"times":-1}]})", R"({"faults":[{"drop_after":1.5}]})",
        R"({"faults":[],"x":1})", R"({"faults":[{"match":{"modle":"m"}}]})"}) {
    EXPECT_FALSE(parse_fault_queue(boost::json::parse(body)).ok()) << body;
  }
  auto e = parse_fault_queue(boost::json::parse(R"({"faults":[{},{"hang":1}]})"));
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message.find("faults[1].hang"), std::string::npos);
}

TEST(MockFault, HeadersOverrideQueuedFieldByField) {
  MockFault queued;
  queued.status = 503;
  queued.delay_ms = 100;
  MockFault headers;
  headers.status = 429;
  queued.merge_from(headers);
  EXPECT_EQ(queued.status, 429);
  EXPECT_EQ(queued.delay_ms, 100);
  MockFault ok;
  ok.status = 200;
  EXPECT_FALSE(ok.replaces_answer());
}

TEST(MockState, QueueIsFifoPerMatchAndCountsDown) {
  MockState state;
  QueuedFault a;
  a.fault.status = 500;
  a.match.model = "m1";
  a.times = 2;
  QueuedFault b;
  b.fault.status = 429;
  QueuedFault forever;
  forever.fault.status = 503;
  forever.times = 0;
  ASSERT_TRUE(state.push_faults({a, b}).ok());

  EXPECT_EQ(state.take_fault({"m2", "/v1/chat/completions", false})->status, 429);  // b
  EXPECT_EQ(state.take_fault({"m2", "/v1/chat/completions", false}), std::nullopt);
  EXPECT_EQ(state.take_fault({"m1", "/v1/chat/completions", false})->status, 500);
  EXPECT_EQ(state.take_fault({"m1", "/v1/chat/completions", false})->status, 500);
  EXPECT_EQ(state.take_fault({"m1", "/v1/chat/completions", false}), std::nullopt);

  ASSERT_TRUE(state.push_faults({forever}).ok());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(state.take_fault({"x", "/p", true})->status, 503);
  EXPECT_EQ(state.clear_faults(), 1u);
  EXPECT_EQ(state.take_fault({"x", "/p", true}), std::nullopt);
}

TEST(MockState, PathAndStreamMatching) {
  FaultMatch m;
  m.path = "/chat/";
  m.stream = true;
  EXPECT_TRUE(matches(m, {"any", "/v1/chat/completions", true}));
  EXPECT_FALSE(matches(m, {"any", "/v1/chat/completions", false}));
  EXPECT_FALSE(matches(m, {"any", "/v1/messages", true}));
}

TEST(MockState, RequestLogIsBounded) {
  MockState state;
  http::Request r;
  r.method = "POST";
  r.target = "/v1/chat/completions";
  for (std::size_t i = 0; i < MockState::kMaxRecordedRequests + 5; ++i) {
    r.body = std::to_string(i);
    state.record(r);
  }
  const auto log = state.requests();
  ASSERT_EQ(log.size(), MockState::kMaxRecordedRequests);
  EXPECT_EQ(log.front().body, "5");
  EXPECT_EQ(state.stats().requests, MockState::kMaxRecordedRequests + 5);

  r.body.assign(MockState::kMaxRecordedBody + 10, 'x');
  state.record(r);
  EXPECT_TRUE(state.requests().back().body_truncated);
  EXPECT_EQ(state.requests().back().body.size(), MockState::kMaxRecordedBody);
  EXPECT_EQ(state.clear_requests(), MockState::kMaxRecordedRequests);
}

}  // namespace
}  // namespace gw::mock
