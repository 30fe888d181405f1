// The Bedrock dialect of the mock provider: plan → render → decode the bytes with the Bedrock
// provider's own decoders (wire/bedrock) → the planned content, calls and usage; streams are
// binary event-stream messages; fault bodies and the missing-signature 403 decode to the right
// error kinds.
#include "mock/mock_bedrock.h"

#include <gtest/gtest.h>

#include <variant>

#include "http/framing/eventstream_parser.h"
#include "mock/mock_plan.h"
#include "mock/mock_text.h"
#include "wire/bedrock/bedrock_error.h"
#include "wire/bedrock/bedrock_request.h"
#include "wire/bedrock/bedrock_response.h"
#include "wire/bedrock/bedrock_stream_decoder.h"

namespace gw::mock {
namespace {

constexpr const char* kSigV4 =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0123";
constexpr const char* kModelPath = "/model/anthropic.claude-3-haiku-20240307-v1%3A0";

const std::string kHello =
    R"({"messages":[{"role":"user","content":[{"text":"Hello there, how are you today?"}]}],
        "system":[{"text":"Be brief."}],"inferenceConfig":{}})";
const std::string kTools = R"({"messages":[{"role":"user","content":[
    {"text":"get_weather for Paris and get_time"}]}],
  "inferenceConfig":{},
  "toolConfig":{"tools":[
    {"toolSpec":{"name":"get_weather","inputSchema":{"json":{"type":"object","properties":{
      "city":{"type":"string"},"units":{"type":"string","enum":["c","f"]}}}}}},
    {"toolSpec":{"name":"get_time","inputSchema":{"json":{"type":"object"}}}}]}})";

http::Request request(std::string path, std::string body, std::string auth = kSigV4) {
  http::Request r;
  r.method = "POST";
  r.target = std::move(path);
  r.body = std::move(body);
  if (!auth.empty()) r.headers.push_back({"authorization", std::move(auth)});
  return r;
}

std::unique_ptr<MockExchange> open(bool stream, const std::string& body,
                                   std::string auth = kSigV4) {
  const std::string path = std::string(kModelPath) + (stream ? "/converse-stream" : "/converse");
  return BedrockMockDialect().open(request(path, body, std::move(auth)));
}

std::string header(const MockReply& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

std::string all_bytes(const StreamScript& s) {
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

Decoded decode_stream(std::string_view bytes) {
  bedrock::BedrockStreamDecoder decoder;
  Decoded d;
  d.status = decoder.feed(bytes, d.events);
  if (d.status) d.status = decoder.finish(d.events);
  return d;
}

MockPlan plan_of(const std::string& body, bool stream) {
  Result<ChatRequest> req =
      bedrock::decode_converse_request(body, "anthropic.claude-3-haiku-20240307-v1:0", stream);
  EXPECT_TRUE(req.ok());
  auto planned = plan_chat(req.value(), body, "tooluse_mock");
  EXPECT_TRUE(std::holds_alternative<MockPlan>(planned));
  return std::get<MockPlan>(planned);
}

Error decode_reply_error(const MockReply& r) {
  return bedrock::decode_upstream_error(r.status, header(r, "x-amzn-errortype"),
                                        header(r, "retry-after"), r.body);
}

TEST(MockBedrock, ServesConversePathsOnly) {
  const BedrockMockDialect d;
  EXPECT_TRUE(d.serves("POST", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"));
  EXPECT_TRUE(d.serves("POST", "/model/m/converse-stream"));
  EXPECT_TRUE(d.serves("POST", "/prefix/model/arn%3Aaws%3Abedrock%3A%2Fx/converse"));
  EXPECT_FALSE(d.serves("GET", "/model/m/converse"));
  EXPECT_FALSE(d.serves("POST", "/model//converse"));
  EXPECT_FALSE(d.serves("POST", "/model/a/b/converse"));
  EXPECT_FALSE(d.serves("POST", "/models/m/converse"));
  EXPECT_FALSE(d.serves("POST", "/v1/chat/completions"));
  EXPECT_FALSE(d.side_reply(request("/model/m/converse", "")).has_value());
}

TEST(MockBedrock, ModelAndOperationComeFromThePath) {
  auto ex = open(true, kHello);
  EXPECT_EQ(ex->model(), "anthropic.claude-3-haiku-20240307-v1:0");
  EXPECT_TRUE(ex->stream());
  EXPECT_FALSE(open(false, kHello)->stream());
}

TEST(MockBedrock, ConverseDecodesToThePlannedResponse) {
  auto ex = open(false, kHello);
  ASSERT_FALSE(ex->invalid()) << ex->invalid()->body;
  const MockReply reply = ex->reply({});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(header(reply, "content-type"), "application/json");
  EXPECT_EQ(header(reply, "x-amzn-requestid").size(), 36u);
  Result<ChatResponse> r = bedrock::decode_converse_response(reply.body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const MockPlan plan = plan_of(kHello, false);
  ASSERT_EQ(r->content.size(), 1u);
  EXPECT_EQ(r->content[0].text, "Mock reply to: Hello there, how are you today?");
  EXPECT_EQ(r->content[0].text, plan.content);
  EXPECT_EQ(r->finish, FinishReason::stop);
  EXPECT_EQ(r->usage.input_tokens, plan.prompt_tokens);
  EXPECT_EQ(r->usage.output_tokens, plan.completion_tokens);
  EXPECT_EQ(reply.body.rfind(R"({"metrics":{"latencyMs":1},"output":{"message":{"content":)", 0),
            0u)
      << reply.body;
  // Same body, same bytes.
  EXPECT_EQ(open(false, kHello)->reply({}).body, reply.body);
}

TEST(MockBedrock, ToolCallsNamedInTheMessage) {
  const MockReply reply = open(false, kTools)->reply({});
  Result<ChatResponse> r = bedrock::decode_converse_response(reply.body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const MockPlan plan = plan_of(kTools, false);
  ASSERT_EQ(plan.calls.size(), 2u);
  ASSERT_EQ(r->content.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(r->content[i].type, BlockType::tool_use);
    EXPECT_EQ(r->content[i].id, plan.calls[i].id);
    EXPECT_EQ(r->content[i].name, plan.calls[i].name);
    EXPECT_EQ(r->content[i].arguments, plan.calls[i].arguments);
  }
  EXPECT_EQ(r->content[0].arguments, R"({"city":"city-value","units":"c"})");
  EXPECT_EQ(r->content[0].id.rfind("tooluse_mock", 0), 0u);
  EXPECT_EQ(r->finish, FinishReason::tool_calls);
}

TEST(MockBedrock, NoUsageFault) {
  MockFault fault;
  fault.no_usage = true;
  Result<ChatResponse> r =
      bedrock::decode_converse_response(open(false, kHello)->reply(fault).body);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->usage.present);
}

TEST(MockBedrock, StreamDecodesToThePlannedEvents) {
  const MockReply reply = open(true, kHello)->reply({});
  ASSERT_TRUE(reply.stream);
  EXPECT_EQ(header(reply, "content-type"), "application/vnd.amazon.eventstream");
  const MockPlan plan = plan_of(kHello, true);
  const Decoded d = decode_stream(all_bytes(*reply.stream));
  ASSERT_TRUE(d.status.ok()) << d.status.error().message;
  const MockEvents planned = plan_events(plan, "", 0, true);
  ASSERT_EQ(d.events.size(), 1 + planned.content.size() + 2);
  EXPECT_EQ(d.events.front().type, StreamEvent::Type::start);
  std::string text;
  for (std::size_t i = 0; i < planned.content.size(); ++i) {
    EXPECT_EQ(d.events[1 + i].type, StreamEvent::Type::text_delta);
    EXPECT_EQ(d.events[1 + i].text, planned.content[i].text);
    text += d.events[1 + i].text;
  }
  EXPECT_EQ(text, plan.content);
  EXPECT_EQ(reply.stream->content.size(), planned.content.size());
  const StreamEvent& usage = d.events.back();
  EXPECT_EQ(usage.type, StreamEvent::Type::usage);
  EXPECT_EQ(usage.usage.input_tokens, plan.prompt_tokens);
  EXPECT_EQ(usage.usage.output_tokens, plan.completion_tokens);
  EXPECT_EQ(d.events[d.events.size() - 2].finish, FinishReason::stop);
}

TEST(MockBedrock, StreamIsBinaryEventStreamWithPadding) {
  const MockReply reply = open(true, kHello)->reply({});
  EventStreamParser parser;
  std::vector<EventStreamMessage> messages;
  ASSERT_TRUE(parser.feed(all_bytes(*reply.stream), messages).ok());
  ASSERT_TRUE(parser.finish(messages).ok());
  EXPECT_EQ(messages.front().header(":event-type"), "messageStart");
  EXPECT_EQ(messages.back().header(":event-type"), "metadata");
  for (const EventStreamMessage& m : messages) {
    EXPECT_EQ(m.header(":message-type"), "event");
    EXPECT_NE(m.payload.find(R"("p":")"), std::string::npos) << m.payload;
  }
  // Each content record is a whole message (or messages): the player writes records separately.
  for (const std::string& record : reply.stream->content) {
    EventStreamParser p;
    std::vector<EventStreamMessage> one;
    ASSERT_TRUE(p.feed(record, one).ok());
    ASSERT_TRUE(p.finish(one).ok());
    EXPECT_FALSE(one.empty());
  }
}

TEST(MockBedrock, StreamedToolCalls) {
  MockFault fault;
  fault.chunks = 2;
  const MockReply reply = open(true, kTools)->reply(fault);
  const Decoded d = decode_stream(all_bytes(*reply.stream));
  ASSERT_TRUE(d.status.ok()) << d.status.error().message;
  const MockPlan plan = plan_of(kTools, true);
  std::vector<std::string> args(plan.calls.size());
  std::size_t starts = 0;
  for (const StreamEvent& e : d.events) {
    if (e.type == StreamEvent::Type::tool_call_start) {
      ASSERT_LT(static_cast<std::size_t>(e.index), plan.calls.size());
      EXPECT_EQ(e.id, plan.calls[e.index].id);
      EXPECT_EQ(e.name, plan.calls[e.index].name);
      ++starts;
    } else if (e.type == StreamEvent::Type::tool_call_delta) {
      args[e.index] += e.text;
    }
  }
  EXPECT_EQ(starts, plan.calls.size());
  for (std::size_t i = 0; i < plan.calls.size(); ++i) EXPECT_EQ(args[i], plan.calls[i].arguments);
  EXPECT_EQ(d.events[d.events.size() - 2].finish, FinishReason::tool_calls);
  // Per call: one start record and two argument fragments.
  EXPECT_EQ(reply.stream->content.size(), plan.calls.size() * 3);
}

TEST(MockBedrock, StreamWithoutUsageStillEndsWithMetadata) {
  MockFault fault;
  fault.no_usage = true;
  const Decoded d = decode_stream(all_bytes(*open(true, kHello)->reply(fault).stream));
  ASSERT_TRUE(d.status.ok()) << d.status.error().message;
  EXPECT_EQ(d.events.back().type, StreamEvent::Type::finish);
}

TEST(MockBedrock, MalformedRecordIsABadResponse) {
  const StreamScript s = *open(true, kHello)->reply({}).stream;
  std::string bytes;
  for (const auto& r : s.lead) bytes += r;
  bytes += s.content[0] + s.content[1] + s.malformed;
  const Decoded d = decode_stream(bytes);
  ASSERT_FALSE(d.status.ok());
  EXPECT_EQ(d.status.error().kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(d.events.size(), 3u);  // start and two deltas came through
}

TEST(MockBedrock, InBandErrorIsAnExceptionMessage) {
  const StreamScript s = *open(true, kHello)->reply({}).stream;
  std::string bytes;
  for (const auto& r : s.lead) bytes += r;
  bytes += s.content[0] + s.error;
  const Decoded d = decode_stream(bytes);
  ASSERT_FALSE(d.status.ok());
  EXPECT_EQ(d.status.error().kind, ErrorKind::provider_server_error);
  EXPECT_EQ(d.status.error().retry, RetryClass::retry);
  EXPECT_EQ(d.events.size(), 2u);
}

TEST(MockBedrock, EndlessRecordsDecode) {
  const StreamScript s = *open(true, kHello)->reply({}).stream;
  ASSERT_TRUE(s.endless);
  std::string bytes;
  for (const auto& r : s.lead) bytes += r;
  for (std::size_t i = 0; i < 12; ++i) bytes += s.endless(i);
  bedrock::BedrockStreamDecoder decoder;
  std::vector<StreamEvent> events;
  ASSERT_TRUE(decoder.feed(bytes, events).ok());
  ASSERT_EQ(events.size(), 13u);
  for (std::size_t i = 1; i < events.size(); ++i) {
    EXPECT_EQ(events[i].type, StreamEvent::Type::text_delta);
  }
}

TEST(MockBedrock, FaultRepliesDecodeToTheirKinds) {
  const std::pair<int, ErrorKind> cases[] = {
      {400, ErrorKind::provider_invalid_request},
      {401, ErrorKind::provider_auth},
      {403, ErrorKind::provider_auth},
      {404, ErrorKind::provider_not_found},
      {408, ErrorKind::provider_timeout},
      {429, ErrorKind::provider_rate_limited},
      {500, ErrorKind::provider_server_error},
      {503, ErrorKind::provider_unavailable},
      {529, ErrorKind::provider_server_error},
  };
  auto ex = open(false, kHello);
  for (const auto& [status, kind] : cases) {
    MockFault fault;
    fault.status = status;
    const MockReply reply = ex->fault_reply(fault);
    EXPECT_EQ(reply.status, status);
    EXPECT_EQ(header(reply, "content-type"), "application/json");
    EXPECT_FALSE(header(reply, "x-amzn-errortype").empty());
    const Error e = decode_reply_error(reply);
    EXPECT_EQ(e.kind, kind) << status << " " << reply.body;
    EXPECT_FALSE(e.message.empty());
  }
  MockFault fixture_429;
  fixture_429.status = 429;
  EXPECT_EQ(ex->fault_reply(fixture_429).body,
            R"({"__type":"ThrottlingException","message":"Rate exceeded"})");
}

TEST(MockBedrock, FaultBodyIsSentVerbatim) {
  MockFault fault;
  fault.status = 400;
  fault.body = R"({"message":"Input is too long for requested model."})";
  const MockReply reply = open(false, kHello)->fault_reply(fault);
  EXPECT_EQ(reply.body, *fault.body);
  const Error e = decode_reply_error(reply);
  EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(e.code, "context_length_exceeded");
}

TEST(MockBedrock, UnsignedRequestsGetMissingAuthenticationToken) {
  auto ex = open(false, kHello, "");
  ASSERT_TRUE(ex->invalid());
  EXPECT_EQ(ex->invalid()->status, 403);
  EXPECT_EQ(ex->invalid()->body, R"({"message":"Missing Authentication Token"})");
  EXPECT_EQ(
      header(*ex->invalid(), "x-amzn-errortype").rfind("MissingAuthenticationTokenException:", 0),
      0u);
  EXPECT_EQ(decode_reply_error(*ex->invalid()).kind, ErrorKind::provider_auth);
  EXPECT_TRUE(open(false, kHello, "Basic abc")->invalid().has_value());
  EXPECT_FALSE(open(false, kHello, "Bearer ABSK-key")->invalid());
}

TEST(MockBedrock, InvalidRequestsAreValidationExceptions) {
  auto ex = open(false, R"({"messages":[{"role":"assistant","content":[{"text":"hi"}]}]})");
  ASSERT_TRUE(ex->invalid());
  EXPECT_EQ(ex->invalid()->status, 400);
  EXPECT_EQ(header(*ex->invalid(), "x-amzn-errortype").rfind("ValidationException:", 0), 0u);
  const Error e = decode_reply_error(*ex->invalid());
  EXPECT_EQ(e.kind, ErrorKind::provider_invalid_request);
  EXPECT_NE(e.message.find("must start with a user message"), std::string::npos);

  auto bad_json = open(false, "{not json");
  ASSERT_TRUE(bad_json->invalid());
  EXPECT_EQ(bad_json->invalid()->status, 400);

  // plan_chat's own error: the named tool is not declared.
  auto named = open(false, R"({"messages":[{"role":"user","content":[{"text":"x"}]}],
    "toolConfig":{"tools":[{"toolSpec":{"name":"a","inputSchema":{"json":{}}}}],
                  "toolChoice":{"tool":{"name":"b"}}}})");
  ASSERT_TRUE(named->invalid());
  EXPECT_EQ(named->invalid()->status, 400);
}

TEST(MockBedrock, ErrorReplyUsesBedrocksEnvelope) {
  const MockReply r = BedrockMockDialect().error_reply(
      {400, "unknown x-mock-* header x-mock-typo", "invalid_request_error", "", ""});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"message":"unknown x-mock-* header x-mock-typo"})");
  EXPECT_EQ(header(r, "x-amzn-errortype").rfind("ValidationException:", 0), 0u);
  const MockReply named =
      BedrockMockDialect().error_reply({429, "slow down", "ThrottlingException", "", ""});
  EXPECT_EQ(header(named, "x-amzn-errortype").rfind("ThrottlingException:", 0), 0u);
}

}  // namespace
}  // namespace gw::mock
