// The Ollama dialect of the mock provider: plan → render → decode the bytes back with the Ollama
// codec the provider uses; fault bodies decode to the right ErrorKind; Ollama's layout, content
// types and errors.
#include "mock/mock_ollama.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "mock/mock_openai.h"
#include "mock/mock_openai_request.h"
#include "mock/mock_plan.h"
#include "mock/mock_text.h"
#include "wire/ollama/ollama_error.h"
#include "wire/ollama/ollama_request.h"
#include "wire/ollama/ollama_response.h"
#include "wire/ollama/ollama_stream_decoder.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(GW_FIXTURES_DIR) + "/ollama/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

http::Request request(std::string body, std::string method = "POST",
                      std::string target = "/api/chat") {
  http::Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  r.body = std::move(body);
  return r;
}

std::unique_ptr<MockExchange> open(const std::string& body) {
  return OllamaMockDialect().open(request(body));
}

MockReply reply_for(const std::string& body, const MockFault& fault = {}) {
  auto exchange = open(body);
  EXPECT_FALSE(exchange->invalid().has_value()) << exchange->invalid()->body;
  return exchange->reply(fault);
}

std::string header(const MockReply& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<absent>";
}

// What plan_chat decides for `body`, read with the same decoder the dialect uses.
MockPlan plan(const std::string& body) {
  Result<ChatRequest> request = ollama::decode_chat_request(body);
  EXPECT_TRUE(request.ok());
  auto planned = plan_chat(*request, body);
  EXPECT_TRUE(std::holds_alternative<MockPlan>(planned));
  return std::get<MockPlan>(planned);
}

std::vector<std::string> records(const StreamScript& s) {
  std::vector<std::string> out;
  for (const auto* part : {&s.lead, &s.content, &s.trail}) {
    for (const auto& r : *part) out.push_back(r);
  }
  return out;
}

struct Decoded {
  std::vector<StreamEvent> events;
  Status status;
};

Decoded decode_stream(const std::vector<std::string>& records) {
  Decoded d;
  ollama::OllamaStreamDecoder decoder;
  for (const std::string& r : records) {
    d.status = decoder.feed(r, d.events);
    if (!d.status) return d;
  }
  d.status = decoder.finish(d.events);
  return d;
}

std::vector<std::string> keys(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& kv : v.as_object()) out.emplace_back(kv.key());
  return out;
}

bool ordered_subset(const std::vector<std::string>& sub, const std::vector<std::string>& all) {
  std::size_t at = 0;
  for (const auto& k : sub) {
    while (at < all.size() && all[at] != k) ++at;
    if (at == all.size()) return false;
    ++at;
  }
  return true;
}

TEST(MockOllama, RoutesAndSideReplies) {
  const OllamaMockDialect d;
  EXPECT_EQ(d.name(), "ollama");
  EXPECT_TRUE(d.serves("POST", "/api/chat"));
  EXPECT_FALSE(d.serves("GET", "/api/chat"));
  EXPECT_FALSE(d.serves("POST", "/v1/chat/completions"));
  EXPECT_FALSE(OpenAiMockDialect().serves("POST", "/api/chat"));

  auto tags = d.side_reply(request("", "GET", "/api/tags"));
  ASSERT_TRUE(tags.has_value());
  EXPECT_EQ(tags->status, 200);
  EXPECT_EQ(header(*tags, "content-type"), "application/json; charset=utf-8");
  const json::value body = json::parse(tags->body);
  const auto& models = body.at("models").as_array();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].at("name").as_string(), "mock-llama:latest");
  EXPECT_EQ(models[0].at("digest").as_string().size(), 64u);
  EXPECT_FALSE(d.side_reply(request("", "GET", "/api/ps")).has_value());
  EXPECT_FALSE(d.side_reply(request("{}", "POST", "/api/tags")).has_value());
}

TEST(MockOllama, NonStreamedAnswerDecodesBack) {
  const std::string body = fixture("chat.request.json");
  const MockReply reply = reply_for(body);
  EXPECT_EQ(reply.status, 200);
  EXPECT_FALSE(reply.stream.has_value());
  EXPECT_EQ(header(reply, "content-type"), "application/json; charset=utf-8");

  // Ollama's key order; the recorded answer has timing fields the mock leaves out.
  const json::value ours = json::parse(reply.body);
  EXPECT_TRUE(ordered_subset(keys(ours), keys(json::parse(fixture("chat-tools.response.json")))));
  EXPECT_EQ(ours.at("created_at").as_string(), "2023-11-14T22:13:20Z");

  Result<ChatResponse> decoded = ollama::decode_chat_response(reply.body);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const MockPlan p = plan(body);
  EXPECT_EQ(decoded->model, "llama3.2");
  EXPECT_EQ(decoded->created, kMockCreated);
  ASSERT_EQ(decoded->content.size(), 1u);
  EXPECT_EQ(decoded->content[0].text, "Mock reply to: why is the sky blue?");
  EXPECT_EQ(decoded->content[0].text, p.content);
  EXPECT_EQ(decoded->finish, FinishReason::stop);
  EXPECT_TRUE(decoded->usage.present);
  EXPECT_EQ(decoded->usage.input_tokens, p.prompt_tokens);
  EXPECT_EQ(decoded->usage.output_tokens, p.completion_tokens);
  EXPECT_EQ(decoded->usage.output_tokens, 8);  // the words of "Mock reply to: why is the sky blue?"

  EXPECT_EQ(reply_for(body).body, reply.body);  // same body, same bytes
}

TEST(MockOllama, StreamsByDefaultAndDecodesBack) {
  const std::string body = fixture("chat-stream.request.json");  // no "stream" field
  auto exchange = open(body);
  EXPECT_TRUE(exchange->stream());
  EXPECT_EQ(exchange->model(), "llama3.2");
  const MockReply reply = exchange->reply({});
  ASSERT_TRUE(reply.stream.has_value());
  EXPECT_EQ(header(reply, "content-type"), "application/x-ndjson");

  const std::vector<std::string> lines = records(*reply.stream);
  for (const std::string& line : lines) {
    ASSERT_TRUE(line.ends_with("\n")) << line;
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "one JSON object per record: " << line;
  }
  Decoded d = decode_stream(lines);
  ASSERT_TRUE(d.status.ok()) << d.status.error().message;
  const MockPlan p = plan(body);
  std::string text;
  for (const StreamEvent& e : d.events) {
    if (e.type == StreamEvent::Type::text_delta) text += e.text;
  }
  EXPECT_EQ(text, p.content);
  EXPECT_EQ(text, "Mock reply to: こんにちは");
  ASSERT_GE(d.events.size(), 3u);
  EXPECT_EQ(d.events.front().type, StreamEvent::Type::start);
  EXPECT_EQ(d.events.front().name, "llama3.2");
  const StreamEvent& finish = d.events[d.events.size() - 2];
  EXPECT_EQ(finish.finish, FinishReason::stop);
  EXPECT_EQ(d.events.back().usage.input_tokens, p.prompt_tokens);
  EXPECT_EQ(d.events.back().usage.output_tokens, p.completion_tokens);
  // One record per word, the done line last.
  EXPECT_EQ(reply.stream->content.size(), split_words(p.content).size());
  EXPECT_NE(reply.stream->trail.back().find(R"("done":true)"), std::string::npos);
}

TEST(MockOllama, ToolCallsDecodeBackPlainAndStreamed) {
  const std::string body = fixture("chat-tools.request.json");
  const MockPlan p = plan(body);
  ASSERT_EQ(p.calls.size(), 1u);
  EXPECT_EQ(p.calls[0].arguments, R"({"location":"location-value","format":"celsius"})");

  Result<ChatResponse> plain = ollama::decode_chat_response(reply_for(body).body);
  ASSERT_TRUE(plain.ok());
  ASSERT_EQ(plain->content.size(), 1u);
  EXPECT_EQ(plain->content[0].type, BlockType::tool_use);
  EXPECT_EQ(plain->content[0].name, "get_current_weather");
  EXPECT_EQ(plain->content[0].arguments, p.calls[0].arguments);
  EXPECT_EQ(plain->finish, FinishReason::tool_calls);

  json::object streamed_body = json::parse(body).as_object();
  streamed_body["stream"] = true;
  const std::string streamed = json::serialize(streamed_body);
  const MockReply reply = reply_for(streamed);
  ASSERT_TRUE(reply.stream.has_value());
  Decoded d = decode_stream(records(*reply.stream));
  ASSERT_TRUE(d.status.ok()) << d.status.error().message;
  std::vector<std::string> seen;
  for (const StreamEvent& e : d.events) {
    if (e.type == StreamEvent::Type::tool_call_start) seen.push_back("start " + e.name);
    if (e.type == StreamEvent::Type::tool_call_delta) seen.push_back("args " + e.text);
    if (e.type == StreamEvent::Type::finish) {
      EXPECT_EQ(e.finish, FinishReason::tool_calls);
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"start get_current_weather",
                                            "args " + p.calls[0].arguments}));
}

TEST(MockOllama, ParallelCallsEachGetALine) {
  const std::string body =
      R"({"model":"m","messages":[{"role":"user","content":"call ping and pong"}],"tools":[)"
      R"({"type":"function","function":{"name":"ping","parameters":{"type":"object",)"
      R"("properties":{"n":{"type":"integer"}}}}},)"
      R"({"type":"function","function":{"name":"pong"}}]})";
  const MockReply reply = reply_for(body);
  ASSERT_TRUE(reply.stream.has_value());
  // The first call is complete when the second starts; the second when the answer finishes.
  EXPECT_EQ(reply.stream->content.size(), 1u);
  Decoded d = decode_stream(records(*reply.stream));
  ASSERT_TRUE(d.status.ok());
  std::vector<std::string> calls;
  for (const StreamEvent& e : d.events) {
    if (e.type == StreamEvent::Type::tool_call_delta) {
      calls.push_back(std::to_string(e.index) + " " + e.text);
    }
  }
  EXPECT_EQ(calls, (std::vector<std::string>{R"(0 {"n":1})", "1 {}"}));
}

TEST(MockOllama, StreamKnobs) {
  const std::string body = fixture("chat-stream.request.json");
  MockFault fault;
  fault.chunks = 3;
  fault.no_usage = true;
  const MockReply reply = reply_for(body, fault);
  const StreamScript& s = *reply.stream;
  EXPECT_EQ(s.content.size(), 3u);
  Decoded d = decode_stream(records(s));
  ASSERT_TRUE(d.status.ok());
  for (const StreamEvent& e : d.events) EXPECT_NE(e.type, StreamEvent::Type::usage);
  EXPECT_EQ(s.trail.back().find("eval_count"), std::string::npos);

  // The malformed record does not parse; the error record is Ollama's in-band error.
  Decoded broken = decode_stream({s.content[0], s.malformed});
  ASSERT_FALSE(broken.status.ok());
  EXPECT_EQ(broken.status.error().kind, ErrorKind::provider_bad_response);
  Decoded failed = decode_stream({s.content[0], s.error});
  ASSERT_FALSE(failed.status.ok());
  EXPECT_EQ(failed.status.error().kind, ErrorKind::provider_server_error);
  EXPECT_NE(failed.status.error().message.find("unexpected EOF"), std::string::npos);
  // Cut before the done line: the provider's decoder calls it interrupted.
  Decoded cut = decode_stream(s.content);
  ASSERT_FALSE(cut.status.ok());
  EXPECT_EQ(cut.status.error().kind, ErrorKind::provider_stream_interrupted);

  ASSERT_TRUE(static_cast<bool>(s.endless));
  Decoded endless = decode_stream({s.endless(0), s.endless(7), s.trail.back()});
  ASSERT_TRUE(endless.status.ok());
  EXPECT_EQ(endless.events[1].type, StreamEvent::Type::text_delta);

  MockFault plain;
  plain.no_usage = true;
  json::object unstreamed = json::parse(body).as_object();
  unstreamed["stream"] = false;
  const std::string answer = reply_for(json::serialize(unstreamed), plain).body;
  EXPECT_EQ(answer.find("eval_count"), std::string::npos);
  EXPECT_FALSE(ollama::decode_chat_response(answer)->usage.present);
}

TEST(MockOllama, FaultRepliesDecodeToTheRightKind) {
  auto exchange = open(fixture("chat.request.json"));
  struct Case {
    int status;
    ErrorKind kind;
    std::string code;
  };
  for (const Case& c : {Case{400, ErrorKind::provider_invalid_request, "tools_unsupported"},
                        Case{401, ErrorKind::provider_auth, ""},
                        Case{404, ErrorKind::provider_not_found, "model_not_found"},
                        Case{429, ErrorKind::provider_rate_limited, ""},
                        Case{500, ErrorKind::provider_server_error, ""},
                        Case{503, ErrorKind::provider_unavailable, ""}}) {
    MockFault fault;
    fault.status = c.status;
    const MockReply reply = exchange->fault_reply(fault);
    EXPECT_EQ(reply.status, c.status);
    EXPECT_EQ(header(reply, "content-type"), "application/json; charset=utf-8");
    Error e = ollama::decode_upstream_error(reply.status, "", reply.body);
    EXPECT_EQ(e.kind, c.kind) << c.status << " " << reply.body;
    EXPECT_EQ(e.code, c.code) << c.status;
  }
  MockFault fault;
  fault.status = 404;
  // Byte for byte what Ollama sent for an unknown "llama3" (the recorded fixture).
  EXPECT_EQ(open(R"({"model":"llama3","messages":[]})")->fault_reply(fault).body,
            fixture("error-404-model-not-found.json"));
  fault.status = 400;
  EXPECT_EQ(exchange->fault_reply(fault).body,
            R"({"error":"registry.ollama.ai/library/llama3.2:latest does not support tools"})");
  fault.body = "{\"error\":\"custom\"}";
  EXPECT_EQ(exchange->fault_reply(fault).body, "{\"error\":\"custom\"}");
}

TEST(MockOllama, InvalidRequestsAreAnsweredLikeOllama) {
  auto no_model = open(R"({"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(no_model->invalid().has_value());
  EXPECT_EQ(no_model->invalid()->status, 400);
  EXPECT_EQ(no_model->invalid()->body, R"({"error":"model is required"})");

  auto broken = open("{not json");
  ASSERT_TRUE(broken->invalid().has_value());
  EXPECT_EQ(broken->invalid()->status, 400);
  EXPECT_TRUE(json::parse(broken->invalid()->body).at("error").is_string());

  auto empty = open("");
  EXPECT_EQ(empty->invalid()->body, R"({"error":"missing request body"})");

  const MockReply e = OllamaMockDialect().error_reply({400, "bad header", "x", "y", "z"});
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.body, R"({"error":"bad header"})");
}

}  // namespace
}  // namespace gw::mock
