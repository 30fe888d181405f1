// The Anthropic dialect of the mock provider: plan → render → decode the bytes back with the
// anthropic provider's own decoders (wire/anthropic) → the planned content, tool calls and
// usage; fault replies and invalid requests decode to the right ErrorKind.
#include "mock/mock_anthropic.h"

#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mock/mock_openai_request.h"  // kArgumentFragments
#include "mock/mock_plan.h"
#include "mock/mock_text.h"
#include "wire/anthropic/anthropic_error.h"
#include "wire/anthropic/anthropic_request.h"
#include "wire/anthropic/anthropic_response.h"
#include "wire/anthropic/anthropic_stream_decoder.h"

namespace gw::mock {
namespace {

namespace json = boost::json;
using Type = StreamEvent::Type;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(GW_FIXTURES_DIR) + "/anthropic/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

http::Request messages_request(std::string body, bool with_version = true) {
  http::Request r;
  r.method = "POST";
  r.target = "/v1/messages";
  r.headers.push_back({"x-api-key", "sk-ant-anything"});
  if (with_version) r.headers.push_back({"anthropic-version", "2023-06-01"});
  r.body = std::move(body);
  return r;
}

std::unique_ptr<MockExchange> open(const std::string& body) {
  auto exchange = AnthropicMockDialect().open(messages_request(body));
  EXPECT_FALSE(exchange->invalid().has_value()) << exchange->invalid()->body;
  return exchange;
}

// What the mock plans for `body`, straight from the canonical planner.
MockPlan plan_for(const std::string& body) {
  Result<ChatRequest> request = anthropic::decode_messages_request(body);
  EXPECT_TRUE(request.ok());
  auto planned = plan_chat(*request, body, "toolu_mock");
  EXPECT_TRUE(std::holds_alternative<MockPlan>(planned));
  return std::get<MockPlan>(planned);
}

std::string header(const MockReply& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

std::string joined(const StreamScript& s) {
  std::string out;
  for (const auto* part : {&s.lead, &s.content, &s.trail}) {
    for (const auto& r : *part) out += r;
  }
  return out;
}

struct Decoded {
  std::vector<StreamEvent> events;
  Status status;
};

Decoded decode_stream(std::string_view bytes, std::size_t step = 0) {
  Decoded d;
  anthropic::AnthropicStreamDecoder decoder;
  if (step == 0) step = bytes.size();
  for (std::size_t i = 0; i < bytes.size() && d.status.ok(); i += step) {
    d.status = decoder.feed(bytes.substr(i, step), d.events);
  }
  if (d.status.ok()) d.status = decoder.finish(d.events);
  return d;
}

std::string concat(const std::vector<StreamEvent>& events, Type type, int index = -1) {
  std::string out;
  for (const auto& e : events) {
    if (e.type == type && (index < 0 || e.index == index)) out += e.text;
  }
  return out;
}

// Every record is one or more `event: <type>\ndata: <json>\n\n` SSE events.
void expect_framed(const std::string& record) {
  std::size_t at = 0;
  while (at < record.size()) {
    ASSERT_EQ(record.compare(at, 7, "event: "), 0) << record;
    const std::size_t data = record.find("\ndata: ", at);
    ASSERT_NE(data, std::string::npos) << record;
    const std::size_t end = record.find("\n\n", data);
    ASSERT_NE(end, std::string::npos) << record;
    EXPECT_NO_THROW(json::parse(record.substr(data + 7, end - data - 7))) << record;
    at = end + 2;
  }
}

TEST(MockAnthropic, Serves) {
  AnthropicMockDialect d;
  EXPECT_EQ(d.name(), "anthropic");
  EXPECT_TRUE(d.serves("POST", "/v1/messages"));
  EXPECT_TRUE(d.serves("POST", "/anthropic/v1/messages"));
  EXPECT_FALSE(d.serves("GET", "/v1/messages"));
  EXPECT_FALSE(d.serves("POST", "/v1/chat/completions"));
  EXPECT_FALSE(d.serves("POST", "/v1/messages/count_tokens"));
  EXPECT_FALSE(d.side_reply(messages_request("{}")).has_value());
}

TEST(MockAnthropic, NonStreamDecodesToThePlan) {
  const std::string body = fixture("messages-cache.request.json");
  const MockPlan plan = plan_for(body);
  const MockReply reply = open(body)->reply({});
  EXPECT_EQ(reply.status, 200);
  EXPECT_FALSE(reply.stream.has_value());
  EXPECT_EQ(header(reply, "content-type"), "application/json");
  EXPECT_EQ(header(reply, "request-id"), "req_mock" + hex64(fnv1a64(body)));

  // The recorded Message's members, no more and no fewer.
  const json::value ours = json::parse(reply.body);
  const json::value recorded = json::parse(fixture("messages-cache.response.json"));
  std::set<std::string> our_keys;
  std::set<std::string> recorded_keys;
  for (const auto& kv : ours.as_object()) our_keys.emplace(kv.key());
  for (const auto& kv : recorded.as_object()) recorded_keys.emplace(kv.key());
  EXPECT_EQ(our_keys, recorded_keys);

  Result<ChatResponse> back = anthropic::decode_messages_response(reply.body);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->id, "msg_mock" + plan.hash);
  EXPECT_EQ(back->model, "claude-sonnet-4-5");
  ASSERT_EQ(back->content.size(), 1u);
  EXPECT_EQ(back->content[0].text, plan.content);
  EXPECT_TRUE(plan.content.starts_with("Mock reply to: Can you summarize that in one sentence?"));
  EXPECT_EQ(back->finish, FinishReason::stop);
  EXPECT_TRUE(back->usage.present);
  EXPECT_EQ(back->usage.input_tokens, plan.prompt_tokens);
  EXPECT_EQ(back->usage.output_tokens, plan.completion_tokens);

  // Same body, same bytes.
  EXPECT_EQ(open(body)->reply({}).body, reply.body);
}

TEST(MockAnthropic, ToolCallsDecodeToThePlan) {
  const std::string body = fixture("messages-parallel-tools.request.json");
  const MockPlan plan = plan_for(body);
  ASSERT_EQ(plan.calls.size(), 1u);
  Result<ChatResponse> back = anthropic::decode_messages_response(open(body)->reply({}).body);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->content.size(), 1u);
  const ContentBlock& call = back->content[0];
  EXPECT_EQ(call.type, BlockType::tool_use);
  EXPECT_EQ(call.id, "toolu_mock" + hex64(fnv1a64(body)).substr(0, 12) + "0");
  EXPECT_EQ(call.name, "retrieve_entity_info");
  EXPECT_EQ(call.arguments, plan.calls[0].arguments);
  EXPECT_EQ(call.arguments, R"({"name":"name-value"})");
  EXPECT_EQ(back->finish, FinishReason::tool_calls);
}

TEST(MockAnthropic, StreamDecodesToThePlanAtEverySplit) {
  const std::string body = fixture("messages-stream.request.json");
  const MockPlan plan = plan_for(body);
  const MockReply reply = open(body)->reply({});
  ASSERT_TRUE(reply.stream.has_value());
  EXPECT_EQ(header(reply, "content-type"), "text/event-stream; charset=utf-8");
  EXPECT_EQ(header(reply, "cache-control"), "no-cache");
  const StreamScript& s = *reply.stream;
  for (const auto* part : {&s.lead, &s.content, &s.trail}) {
    for (const auto& r : *part) expect_framed(r);
  }
  EXPECT_EQ(s.content.size(), split_chunks(plan.content, 0).size());

  const std::string bytes = joined(s);
  const Decoded whole = decode_stream(bytes);
  ASSERT_TRUE(whole.status.ok()) << whole.status.error().message;
  for (std::size_t step = 1; step < bytes.size(); step += 7) {
    EXPECT_EQ(
        json::serialize(json::value(concat(decode_stream(bytes, step).events, Type::text_delta))),
        json::serialize(json::value(concat(whole.events, Type::text_delta))));
  }
  ASSERT_GE(whole.events.size(), 3u);
  EXPECT_EQ(whole.events.front().type, Type::start);
  EXPECT_EQ(whole.events.front().id, "msg_mock" + plan.hash);
  EXPECT_EQ(whole.events.front().name, "claude-opus-4-1-20250805");
  EXPECT_EQ(concat(whole.events, Type::text_delta), plan.content);
  const StreamEvent& finish = whole.events[whole.events.size() - 2];
  EXPECT_EQ(finish.type, Type::finish);
  EXPECT_EQ(finish.finish, FinishReason::stop);
  const StreamEvent& usage = whole.events.back();
  ASSERT_EQ(usage.type, Type::usage);
  EXPECT_EQ(usage.usage.input_tokens, plan.prompt_tokens);
  EXPECT_EQ(usage.usage.output_tokens, plan.completion_tokens);
}

TEST(MockAnthropic, StreamedToolCallFragmentsReassemble) {
  const std::string body = fixture("messages-stream-tool-use.request.json");
  const MockPlan plan = plan_for(body);
  ASSERT_EQ(plan.calls.size(), 1u);
  const MockReply reply = open(body)->reply({});
  const Decoded d = decode_stream(joined(*reply.stream));
  ASSERT_TRUE(d.status.ok()) << d.status.error().message;
  std::vector<const StreamEvent*> starts;
  std::size_t deltas = 0;
  for (const auto& e : d.events) {
    if (e.type == Type::tool_call_start) starts.push_back(&e);
    if (e.type == Type::tool_call_delta) ++deltas;
  }
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0]->id, plan.calls[0].id);
  EXPECT_EQ(starts[0]->name, "get_weather");
  EXPECT_EQ(deltas, kArgumentFragments);
  EXPECT_EQ(concat(d.events, Type::tool_call_delta, 0), plan.calls[0].arguments);
  EXPECT_EQ(json::parse(plan.calls[0].arguments), json::parse(R"({"location":"location-value"})"));
  EXPECT_EQ(d.events[d.events.size() - 2].finish, FinishReason::tool_calls);
}

TEST(MockAnthropic, NoUsageFault) {
  MockFault fault;
  fault.no_usage = true;
  const std::string body = fixture("messages-cache.request.json");
  const MockReply plain = open(body)->reply(fault);
  EXPECT_FALSE(json::parse(plain.body).as_object().contains("usage"));
  EXPECT_FALSE(anthropic::decode_messages_response(plain.body)->usage.present);

  const MockReply streamed = open(fixture("messages-stream.request.json"))->reply(fault);
  const Decoded d = decode_stream(joined(*streamed.stream));
  ASSERT_TRUE(d.status.ok());
  for (const auto& e : d.events) EXPECT_NE(e.type, Type::usage);
}

TEST(MockAnthropic, ChunksMalformedErrorAndEndlessRecords) {
  MockFault fault;
  fault.chunks = 3;
  const MockReply reply =
      open(
          R"({"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"one two three four five six"}]})")
          ->reply(fault);
  const StreamScript& s = *reply.stream;
  ASSERT_EQ(s.content.size(), 3u);

  std::string head;
  for (const auto& r : s.lead) head += r;
  head += s.content[0] + s.content[1];

  const Decoded malformed = decode_stream(head + s.malformed);
  ASSERT_FALSE(malformed.status.ok());
  EXPECT_EQ(malformed.status.error().kind, ErrorKind::provider_bad_response);

  const Decoded in_band = decode_stream(head + s.error);
  ASSERT_FALSE(in_band.status.ok());
  EXPECT_EQ(in_band.status.error().kind, ErrorKind::provider_overloaded);
  const std::string reply_text = "Mock reply to: one two three four five six";
  const std::string before_error = concat(in_band.events, Type::text_delta);
  EXPECT_FALSE(before_error.empty());
  EXPECT_TRUE(reply_text.starts_with(before_error)) << before_error;

  // Endless records continue the open text block: no second block 0 is started.
  ASSERT_TRUE(s.endless);
  std::string endless = head + s.content[2];
  for (std::size_t i = 3; i < 8; ++i) endless += s.endless(i);
  const std::string block_start = "event: content_block_start";
  EXPECT_EQ(endless.find(block_start, endless.find(block_start) + 1), std::string::npos);
  const Decoded cut = decode_stream(endless);
  ASSERT_FALSE(cut.status.ok());  // no message_stop: the client sees an interruption
  EXPECT_EQ(cut.status.error().kind, ErrorKind::provider_stream_interrupted);
  EXPECT_GT(concat(cut.events, Type::text_delta).size(), reply_text.size());
}

TEST(MockAnthropic, FaultRepliesDecodeToTheirKinds) {
  const std::string body = fixture("messages-cache.request.json");
  auto exchange = open(body);
  const std::vector<std::pair<int, ErrorKind>> cases = {
      {400, ErrorKind::provider_invalid_request},
      {401, ErrorKind::provider_auth},
      {403, ErrorKind::provider_auth},
      {404, ErrorKind::provider_not_found},
      {413, ErrorKind::provider_invalid_request},
      {429, ErrorKind::provider_rate_limited},
      {500, ErrorKind::provider_server_error},
      {503, ErrorKind::provider_unavailable},
      {504, ErrorKind::provider_timeout},
      {529, ErrorKind::provider_overloaded},
      {418, ErrorKind::provider_invalid_request},
      {599, ErrorKind::provider_server_error},
  };
  for (const auto& [status, kind] : cases) {
    MockFault fault;
    fault.status = status;
    const MockReply reply = exchange->fault_reply(fault);
    EXPECT_EQ(reply.status, status);
    EXPECT_EQ(header(reply, "content-type"), "application/json");
    const json::value v = json::parse(reply.body);
    EXPECT_EQ(v.at("type").as_string(), "error");
    EXPECT_EQ(v.at("request_id").as_string(), "req_mock" + hex64(fnv1a64(body)));
    const Error e = anthropic::decode_upstream_error(status, "", "", reply.body);
    EXPECT_EQ(e.kind, kind) << status << " " << reply.body;
    EXPECT_EQ(header(reply, "x-should-retry"), status == 429 || status >= 500 ? "true" : "false")
        << status;
  }
  MockFault context;
  context.status = 400;
  EXPECT_EQ(anthropic::decode_upstream_error(400, "", "", exchange->fault_reply(context).body).code,
            "context_length_exceeded");
  MockFault limited;
  limited.status = 429;
  EXPECT_EQ(header(exchange->fault_reply(limited), "anthropic-ratelimit-requests-remaining"), "0");

  // A body of the fault's own is sent verbatim: here, spent credit.
  MockFault credit;
  credit.status = 400;
  credit.body =
      R"({"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}})";
  const MockReply r = exchange->fault_reply(credit);
  EXPECT_EQ(r.body, *credit.body);
  EXPECT_EQ(anthropic::decode_upstream_error(400, "", "", r.body).kind,
            ErrorKind::provider_quota_exhausted);
}

TEST(MockAnthropic, InvalidRequestsGetAnthropicsAnswers) {
  AnthropicMockDialect d;
  auto no_version = d.open(messages_request(fixture("messages-stream.request.json"), false));
  ASSERT_TRUE(no_version->invalid().has_value());
  EXPECT_EQ(no_version->invalid()->status, 400);
  EXPECT_EQ(json::parse(no_version->invalid()->body).at("error").at("message").as_string(),
            "anthropic-version: header is required");

  auto no_max_tokens =
      d.open(messages_request(R"({"model":"m","messages":[{"role":"user","content":"x"}]})"));
  ASSERT_TRUE(no_max_tokens->invalid().has_value());
  const MockReply& r = *no_max_tokens->invalid();
  EXPECT_EQ(r.status, 400);
  const json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("error").at("type").as_string(), "invalid_request_error");
  EXPECT_EQ(v.at("error").at("message").as_string(), "max_tokens: Field required.");
  EXPECT_EQ(anthropic::decode_upstream_error(400, "", "", r.body).kind,
            ErrorKind::provider_invalid_request);
  EXPECT_EQ(no_max_tokens->model(), "");

  auto unknown_tool = d.open(messages_request(
      R"({"model":"m","max_tokens":5,"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"g"},"messages":[{"role":"user","content":"x"}]})"));
  ASSERT_TRUE(unknown_tool->invalid().has_value());
  EXPECT_EQ(unknown_tool->invalid()->status, 400);

  auto not_json = d.open(messages_request("{"));
  ASSERT_TRUE(not_json->invalid().has_value());
  EXPECT_EQ(not_json->invalid()->status, 400);
}

TEST(MockAnthropic, ErrorReplyEnvelope) {
  const MockReply r =
      AnthropicMockDialect().error_reply({404, "Invalid URL (GET /nope)", "", "", ""});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body).at("error").at("type").as_string(), "not_found_error");
  EXPECT_EQ(anthropic::decode_upstream_error(404, "", "", r.body).kind,
            ErrorKind::provider_not_found);
}

}  // namespace
}  // namespace gw::mock
