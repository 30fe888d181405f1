// The Gemini dialect of the mock provider: plan → render → decode the bytes with the Gemini
// provider's own decoders (wire/gemini) → the planned content, calls and usage; fault bodies
// decode to the right error kinds.
#include "mock/mock_gemini.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "mock/mock_openai_request.h"
#include "mock/mock_text.h"
#include "wire/gemini/gemini_error.h"
#include "wire/gemini/gemini_response.h"
#include "wire/gemini/gemini_stream_decoder.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

http::Request request(std::string path, std::string body, std::string method = "POST") {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(path);
  r.body = std::move(body);
  r.headers.push_back({"x-goog-api-key", "AIza-mock-test"});
  return r;
}

const std::string kHello = R"({"contents":[{"role":"user","parts":[{"text":"Hello there"}]}]})";
const std::string kTools = R"({"contents":[{"role":"user","parts":[
    {"text":"get_weather for Paris and get_time"}]}],
  "tools":[{"functionDeclarations":[
    {"name":"get_weather","parameters":{"type":"OBJECT","properties":{
      "city":{"type":"STRING"},"units":{"type":"STRING","enum":["c","f"]}}}},
    {"name":"get_time"}]}]})";

std::unique_ptr<MockExchange> open(const std::string& path, const std::string& body) {
  return GeminiMockDialect().open(request(path, body));
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
  Decoded d;
  gemini::GeminiStreamDecoder decoder;
  d.status = decoder.feed(bytes, d.events);
  if (d.status) d.status = decoder.finish(d.events);
  return d;
}

std::string text_of(const std::vector<StreamEvent>& events) {
  std::string out;
  for (const auto& e : events) {
    if (e.type == StreamEvent::Type::text_delta) out += e.text;
  }
  return out;
}

TEST(MockGemini, ServesTheGenerateContentPaths) {
  const GeminiMockDialect d;
  EXPECT_TRUE(d.serves("POST", "/v1beta/models/mock-gemini:generateContent"));
  EXPECT_TRUE(d.serves("POST", "/v1beta/models/mock-gemini:streamGenerateContent"));
  EXPECT_TRUE(d.serves("POST", "/prefix/v1/models/x:generateContent"));
  EXPECT_FALSE(d.serves("GET", "/v1beta/models/mock-gemini:generateContent"));
  EXPECT_FALSE(d.serves("POST", "/v1/chat/completions"));
  EXPECT_FALSE(d.serves("POST", "/v1beta/models/x:countTokens"));

  auto one = d.side_reply(request("/v1beta/models/mock-gemini", "", "GET"));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(json::parse(one->body).at("name").as_string(), "models/mock-gemini");
  auto list = d.side_reply(request("/v1beta/models", "", "GET"));
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(json::parse(list->body).at("models").as_array().size(), 2u);
  EXPECT_FALSE(d.side_reply(request("/v1/chat/completions", "", "GET")).has_value());
}

TEST(MockGemini, TextAnswerDecodesWithTheProviderDecoder) {
  auto ex = open("/v1beta/models/mock-gemini:generateContent", kHello);
  ASSERT_FALSE(ex->invalid().has_value()) << ex->invalid()->body;
  EXPECT_EQ(ex->model(), "mock-gemini");
  EXPECT_FALSE(ex->stream());
  const MockReply reply = ex->reply({});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(header(reply, "content-type"), "application/json; charset=UTF-8");
  EXPECT_EQ(reply.body.rfind("{\n  \"candidates\": [", 0), 0u);  // Google pretty-prints

  auto r = gemini::decode_generate_response(reply.body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->content.size(), 1u);
  EXPECT_EQ(r->content[0].text, "Mock reply to: Hello there");
  EXPECT_EQ(r->finish, FinishReason::stop);
  EXPECT_EQ(r->model, "mock-gemini");
  EXPECT_EQ(r->id, "mock" + hex64(fnv1a64(kHello)));
  EXPECT_TRUE(r->usage.present);
  EXPECT_EQ(r->usage.input_tokens, 3);   // 11 characters
  EXPECT_EQ(r->usage.output_tokens, 5);  // 5 words

  // Same body, same bytes.
  EXPECT_EQ(open("/v1beta/models/mock-gemini:generateContent", kHello)->reply({}).body, reply.body);

  MockFault no_usage;
  no_usage.no_usage = true;
  auto bare = gemini::decode_generate_response(ex->reply(no_usage).body);
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->usage.present);
}

TEST(MockGemini, ToolCallsDecodeWithTheProviderDecoder) {
  auto ex = open("/v1beta/models/mock-gemini:generateContent", kTools);
  ASSERT_FALSE(ex->invalid().has_value()) << ex->invalid()->body;
  auto r = gemini::decode_generate_response(ex->reply({}).body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->content.size(), 2u);
  EXPECT_EQ(r->content[0].type, BlockType::tool_use);
  EXPECT_EQ(r->content[0].name, "get_weather");
  EXPECT_EQ(r->content[0].arguments, R"({"city":"city-value","units":"c"})");
  EXPECT_EQ(r->content[0].id, "call_0");  // Gemini has no call ids: the decoder numbers them
  EXPECT_EQ(r->content[1].name, "get_time");
  EXPECT_EQ(r->content[1].arguments, "{}");
  EXPECT_EQ(r->finish, FinishReason::tool_calls);
}

TEST(MockGemini, StreamDecodesToThePlannedTextAndUsage) {
  auto ex = open("/v1beta/models/mock-gemini:streamGenerateContent", kHello);
  ASSERT_FALSE(ex->invalid().has_value());
  EXPECT_TRUE(ex->stream());
  const MockReply reply = ex->reply({});
  ASSERT_TRUE(reply.stream.has_value());
  EXPECT_EQ(header(reply, "content-type"), "text/event-stream");
  const StreamScript& s = *reply.stream;
  EXPECT_TRUE(s.lead.empty());      // Gemini has no role chunk
  EXPECT_EQ(s.content.size(), 5u);  // one record per word
  for (const auto& record : s.content) {
    EXPECT_EQ(record.rfind("data: {", 0), 0u);
    EXPECT_EQ(record.substr(record.size() - 4), "\r\n\r\n");
  }

  const Decoded d = decode_stream(all_bytes(s));
  ASSERT_TRUE(d.status.ok()) << d.status.error().message;
  EXPECT_EQ(text_of(d.events), "Mock reply to: Hello there");
  EXPECT_EQ(d.events.front().type, StreamEvent::Type::start);
  EXPECT_EQ(d.events.front().name, "mock-gemini");
  ASSERT_EQ(d.events.back().type, StreamEvent::Type::usage);
  EXPECT_EQ(d.events.back().usage.input_tokens, 3);
  EXPECT_EQ(d.events.back().usage.output_tokens, 5);
  EXPECT_EQ(d.events[d.events.size() - 2].finish, FinishReason::stop);

  MockFault two_chunks;
  two_chunks.chunks = 2;
  two_chunks.no_usage = true;
  const StreamScript s2 = *ex->reply(two_chunks).stream;
  EXPECT_EQ(s2.content.size(), 2u);
  const Decoded d2 = decode_stream(all_bytes(s2));
  ASSERT_TRUE(d2.status.ok());
  EXPECT_EQ(d2.events.back().type, StreamEvent::Type::finish);  // no usage event
}

TEST(MockGemini, StreamedToolCallsDecodeToThePlannedCalls) {
  const StreamScript s =
      *open("/v1beta/models/mock-gemini:streamGenerateContent", kTools)->reply({}).stream;
  const Decoded d = decode_stream(all_bytes(s));
  ASSERT_TRUE(d.status.ok()) << d.status.error().message;
  std::vector<std::string> calls;
  for (std::size_t i = 0; i < d.events.size(); ++i) {
    if (d.events[i].type != StreamEvent::Type::tool_call_start) continue;
    ASSERT_LT(i + 1, d.events.size());
    calls.push_back(d.events[i].name + d.events[i + 1].text);
  }
  EXPECT_EQ(calls, (std::vector<std::string>{R"(get_weather{"city":"city-value","units":"c"})",
                                             "get_time{}"}));
  EXPECT_EQ(d.events[d.events.size() - 2].finish, FinishReason::tool_calls);
}

TEST(MockGemini, MalformedErrorAndEndlessRecords) {
  const StreamScript s =
      *open("/v1beta/models/mock-gemini:streamGenerateContent", kHello)->reply({}).stream;
  EXPECT_EQ(decode_stream(s.content[0] + s.malformed).status.error().kind,
            ErrorKind::provider_bad_response);
  const Status in_band = decode_stream(s.content[0] + s.error).status;
  ASSERT_FALSE(in_band.ok());
  EXPECT_EQ(in_band.error().kind, ErrorKind::provider_server_error);
  ASSERT_TRUE(s.endless);
  const Decoded endless = decode_stream(s.endless(0) + s.endless(1) + s.trail.back());
  ASSERT_TRUE(endless.status.ok()) << endless.status.error().message;
  EXPECT_EQ(text_of(endless.events), "Mock endless");
}

TEST(MockGemini, FaultRepliesDecodeToTheRightKinds) {
  auto ex = open("/v1beta/models/mock-gemini:generateContent", kHello);
  struct Case {
    int status;
    ErrorKind kind;
  };
  const Case cases[] = {
      {400, ErrorKind::provider_invalid_request},
      {401, ErrorKind::provider_auth},
      {403, ErrorKind::provider_auth},
      {404, ErrorKind::provider_not_found},
      {429, ErrorKind::provider_rate_limited},
      {500, ErrorKind::provider_server_error},
      {503, ErrorKind::provider_overloaded},
      {504, ErrorKind::provider_timeout},
      {418, ErrorKind::provider_invalid_request},
  };
  for (const Case& c : cases) {
    MockFault fault;
    fault.status = c.status;
    const MockReply reply = ex->fault_reply(fault);
    EXPECT_EQ(reply.status, c.status);
    EXPECT_EQ(header(reply, "content-type"), "application/json; charset=UTF-8");
    const Error e = gemini::decode_upstream_error(reply.status, "", reply.body);
    EXPECT_EQ(e.kind, c.kind) << c.status << ": " << reply.body;
    EXPECT_EQ(json::parse(reply.body).at("error").at("code").as_int64(), c.status);
  }
  MockFault limited;
  limited.status = 429;
  EXPECT_EQ(gemini::decode_upstream_error(429, "", ex->fault_reply(limited).body).retry_after,
            std::chrono::milliseconds(34400));

  MockFault custom;
  custom.status = 429;
  custom.body = R"({"error":{"code":429,"message":"daily","status":"RESOURCE_EXHAUSTED",)"
                R"("details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure",)"
                R"("violations":[{"quotaId":"GenerateRequestsPerDayPerProjectPerModel"}]}]}})";
  const MockReply verbatim = ex->fault_reply(custom);
  EXPECT_EQ(verbatim.body, *custom.body);
  EXPECT_EQ(gemini::decode_upstream_error(429, "", verbatim.body).kind,
            ErrorKind::provider_quota_exhausted);
}

TEST(MockGemini, InvalidRequestsGetGeminiStyle400s) {
  auto bad = open("/v1beta/models/mock-gemini:generateContent",
                  R"({"contents":[{"role":"user","parts":[]}]})");
  ASSERT_TRUE(bad->invalid().has_value());
  const MockReply& reply = *bad->invalid();
  EXPECT_EQ(reply.status, 400);
  const json::value body = json::parse(reply.body);
  EXPECT_EQ(body.at("error").at("status").as_string(), "INVALID_ARGUMENT");
  EXPECT_NE(std::string(body.at("error").at("message").as_string()).find("contents[0].parts"),
            std::string::npos);
  EXPECT_EQ(gemini::decode_upstream_error(400, "", reply.body).kind,
            ErrorKind::provider_invalid_request);

  EXPECT_TRUE(open("/v1beta/models/mock-gemini:generateContent", "{")->invalid().has_value());

  const MockReply generic = GeminiMockDialect().error_reply(
      {400, "x-mock-status: bad value", "invalid_request_error", "", ""});
  EXPECT_EQ(json::parse(generic.body).at("error").at("status").as_string(), "INVALID_ARGUMENT");
}

}  // namespace
}  // namespace gw::mock
