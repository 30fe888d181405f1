// The OpenAI dialect of the mock provider against the recorded fixtures' layout.
#include "mock/mock_openai.h"

#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mock/mock_openai_request.h"
#include "mock/mock_text.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(GW_FIXTURES_DIR) + "/openai/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

http::Request chat_request(std::string body) {
  http::Request r;
  r.method = "POST";
  r.target = "/v1/chat/completions";
  r.body = std::move(body);
  return r;
}

MockReply reply_for(const std::string& body, const MockFault& fault = {}) {
  auto exchange = OpenAiMockDialect().open(chat_request(body));
  EXPECT_FALSE(exchange->invalid().has_value()) << exchange->invalid()->body;
  return exchange->reply(fault);
}

OpenAiChat plan(const std::string& body) {
  auto planned = plan_openai_chat(body);
  if (auto* e = std::get_if<MockError>(&planned)) {
    ADD_FAILURE() << e->message;
    return {};
  }
  return std::get<OpenAiChat>(planned);
}

MockError plan_error(const std::string& body) {
  auto planned = plan_openai_chat(body);
  if (auto* e = std::get_if<MockError>(&planned)) return *e;
  ADD_FAILURE() << "expected an error for " << body;
  return {};
}

std::vector<std::string> keys(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& kv : v.as_object()) out.emplace_back(kv.key());
  return out;
}

// `sub` appears in `all` in the same relative order.
bool ordered_subset(const std::vector<std::string>& sub, const std::vector<std::string>& all) {
  std::size_t at = 0;
  for (const auto& k : sub) {
    while (at < all.size() && all[at] != k) ++at;
    if (at == all.size()) return false;
    ++at;
  }
  return true;
}

// The JSON payloads of an SSE body's data: records, plus whether it ended with [DONE].
std::vector<std::string> sse_records(const StreamScript& s) {
  std::vector<std::string> out;
  for (const auto* part : {&s.lead, &s.content, &s.trail}) {
    for (const auto& r : *part) {
      EXPECT_EQ(r.rfind("data: ", 0), 0u) << r;
      EXPECT_EQ(r.substr(r.size() - 2), "\n\n") << r;
      out.push_back(r.substr(6, r.size() - 8));
    }
  }
  return out;
}

TEST(MockOpenAi, NonStreamLayoutMatchesTheFixture) {
  const std::string body = fixture("chat.request.json");
  const MockReply reply = reply_for(body);
  EXPECT_EQ(reply.status, 200);
  EXPECT_FALSE(reply.stream.has_value());
  const json::value ours = json::parse(reply.body);
  const json::value recorded = json::parse(fixture("chat.response.json"));

  EXPECT_TRUE(ordered_subset(keys(recorded), keys(ours)));
  EXPECT_EQ(keys(ours), (std::vector<std::string>{"id", "object", "created", "model", "choices",
                                                  "usage", "service_tier", "system_fingerprint"}));
  const auto& choice = ours.at("choices").at(0);
  EXPECT_TRUE(ordered_subset(keys(recorded.at("choices").at(0)), keys(choice)));
  EXPECT_TRUE(
      ordered_subset(keys(recorded.at("choices").at(0).at("message")), keys(choice.at("message"))));
  EXPECT_EQ(ours.at("id").as_string(), "chatcmpl-mock" + hex64(fnv1a64(body)));
  EXPECT_EQ(ours.at("object").as_string(), "chat.completion");
  EXPECT_EQ(ours.at("created").as_int64(), 1700000000);
  EXPECT_EQ(ours.at("model").as_string(), "gpt-4o-2024-08-06");
  EXPECT_EQ(choice.at("message").at("content").as_string(),
            "Mock reply to: What's the weather like in SF?");
  EXPECT_TRUE(choice.at("message").at("refusal").is_null());
  EXPECT_TRUE(choice.at("message").at("annotations").as_array().empty());
  EXPECT_EQ(choice.at("finish_reason").as_string(), "stop");
  EXPECT_EQ(ours.at("system_fingerprint").as_string(), "fp_mock");
  // 30 prompt characters → 8 tokens; 9 reply words.
  const auto& usage = ours.at("usage");
  EXPECT_EQ(usage.at("prompt_tokens").as_int64(), 8);
  EXPECT_EQ(usage.at("completion_tokens").as_int64(), 9);
  EXPECT_EQ(usage.at("total_tokens").as_int64(), 17);
  EXPECT_EQ(usage.at("prompt_tokens_details").at("cached_tokens").as_int64(), 0);
  EXPECT_EQ(usage.at("completion_tokens_details").at("reasoning_tokens").as_int64(), 0);
  // OpenAI's pretty layout: 2-space indent, no trailing newline.
  EXPECT_EQ(reply.body.rfind("{\n  \"id\": \"chatcmpl-mock", 0), 0u);
  EXPECT_NE(reply.body.back(), '\n');
}

TEST(MockOpenAi, SameBodySameBytesDifferentBodyDifferentId) {
  const std::string body = fixture("chat.request.json");
  EXPECT_EQ(reply_for(body).body, reply_for(body).body);
  const std::string other = R"({"model":"m","messages":[{"role":"user","content":"x"}]})";
  EXPECT_NE(plan(other).id, plan(body).id);
}

TEST(MockOpenAi, NoUsageFaultDropsUsage) {
  MockFault fault;
  fault.no_usage = true;
  const auto body = json::parse(reply_for(fixture("chat.request.json"), fault).body);
  EXPECT_FALSE(body.as_object().contains("usage"));
}

TEST(MockOpenAi, ToolsWithoutNamedToolCallTheFirstTool) {
  const std::string body = fixture("chat-tools.request.json");
  const json::value ours = json::parse(reply_for(body).body);
  const json::value recorded = json::parse(fixture("chat-tools.response.json"));
  const auto& msg = ours.at("choices").at(0).at("message");
  EXPECT_TRUE(ordered_subset(keys(recorded.at("choices").at(0).at("message")), keys(msg)));
  EXPECT_TRUE(msg.at("content").is_null());
  EXPECT_EQ(ours.at("choices").at(0).at("finish_reason").as_string(), "tool_calls");
  const auto& calls = msg.at("tool_calls").as_array();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(keys(calls[0]),
            keys(recorded.at("choices").at(0).at("message").at("tool_calls").at(0)));
  EXPECT_EQ(calls[0].at("id").as_string(), "call_mock" + hex64(fnv1a64(body)).substr(0, 12) + "0");
  EXPECT_EQ(calls[0].at("function").at("name").as_string(), "GetWeatherArgs");
  EXPECT_EQ(calls[0].at("function").at("arguments").as_string(),
            R"({"city":"city-value","country":"country-value","units":"c"})");
}

TEST(MockOpenAi, ToolsNamedInTheLastUserMessageAreCalledInParallel) {
  const std::string tools =
      R"("tools":[{"type":"function","function":{"name":"alpha","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}},)"
      R"({"type":"function","function":{"name":"beta"}},{"type":"function","function":{"name":"gamma","parameters":{}}}])";
  auto chat = plan(
      R"({"model":"m",)" + tools +
      R"(,"messages":[{"role":"user","content":"use alpha"},{"role":"user","content":"call gamma then beta"}]})");
  ASSERT_EQ(chat.calls.size(), 2u);
  EXPECT_EQ(chat.calls[0].name, "beta");  // tools order, not mention order
  EXPECT_EQ(chat.calls[1].name, "gamma");
  EXPECT_EQ(chat.calls[0].arguments, "{}");
  EXPECT_EQ(chat.calls[1].arguments, "{}");
  EXPECT_NE(chat.calls[0].id, chat.calls[1].id);

  auto serial = plan(R"({"model":"m","parallel_tool_calls":false,)" + tools +
                     R"(,"messages":[{"role":"user","content":"gamma beta"}]})");
  ASSERT_EQ(serial.calls.size(), 1u);
  EXPECT_EQ(serial.calls[0].name, "beta");

  auto forced =
      plan(R"({"model":"m","tool_choice":{"type":"function","function":{"name":"alpha"}},)" +
           tools + R"(,"messages":[{"role":"user","content":"gamma beta"}]})");
  ASSERT_EQ(forced.calls.size(), 1u);
  EXPECT_EQ(forced.calls[0].arguments, R"({"q":"q-value"})");

  auto none = plan(R"({"model":"m","tool_choice":"none",)" + tools +
                   R"(,"messages":[{"role":"user","content":"gamma"}]})");
  EXPECT_TRUE(none.calls.empty());
  EXPECT_EQ(none.content, "Mock reply to: gamma");

  auto after_tool = plan(
      R"({"model":"m",)" + tools +
      R"(,"messages":[{"role":"user","content":"gamma"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"gamma","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"42 degrees"}]})");
  EXPECT_TRUE(after_tool.calls.empty());
  EXPECT_EQ(after_tool.content, "Tool result received: 42 degrees");

  auto unknown =
      plan_error(R"({"model":"m","tool_choice":{"type":"function","function":{"name":"zeta"}},)" +
                 tools + R"(,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(unknown.param, "tool_choice");
}

TEST(MockOpenAi, ReplyEchoesAtMost200CharactersOfTheLastUserText) {
  const std::string long_text(300, 'a');
  auto chat = plan(R"({"model":"m","messages":[{"role":"user","content":"first"},)"
                   R"({"role":"user","content":[{"type":"text","text":")" +
                   long_text + R"("}]},{"role":"assistant","content":"prefill"}]})");
  EXPECT_EQ(chat.content, "Mock reply to: " + std::string(200, 'a'));
  EXPECT_EQ(chat.prompt_tokens, tokens_for_chars(5 + 300 + 7));
}

TEST(MockOpenAi, ResponseFormats) {
  auto obj = plan(
      R"({"model":"m","response_format":{"type":"json_object"},"messages":[{"role":"user","content":"say \"hi\""}]})");
  EXPECT_EQ(json::parse(obj.content).at("reply").as_string(), "Mock reply to: say \"hi\"");
  auto schema = plan(
      R"({"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"r","schema":)"
      R"({"type":"object","properties":{"answer":{"type":"string"},"score":{"type":"number"}}}}},)"
      R"("messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(schema.content, R"({"answer":"answer-value","score":1.5})");
}

TEST(MockOpenAi, InvalidBodiesGetOpenAiErrors) {
  EXPECT_EQ(plan_error("{\"model\":").message.rfind("We could not parse the JSON body", 0), 0u);
  EXPECT_EQ(plan_error("[]").status, 400);
  EXPECT_EQ(plan_error(R"({"messages":[]})").message, "you must provide a model parameter");
  EXPECT_EQ(plan_error(R"({"model":"m"})").code, "missing_required_parameter");
  EXPECT_EQ(plan_error(R"({"model":"m","messages":[]})").code, "empty_array");
  EXPECT_EQ(plan_error(R"({"model":"m","messages":"hi"})").message,
            "Invalid type for 'messages': expected an array, but got a string instead.");
  EXPECT_EQ(plan_error(R"({"model":"m","messages":[{"content":"x"}]})").param, "messages[0].role");
  EXPECT_EQ(plan_error(R"({"model":5,"messages":[]})").code, "invalid_type");

  std::string deep = R"({"model":"m","messages":[{"role":"user","content":"x"}],"x":)";
  for (int i = 0; i < 70; ++i) deep += "[";
  for (int i = 0; i < 70; ++i) deep += "]";
  deep += "}";
  EXPECT_EQ(plan_error(deep).status, 400);
}

TEST(MockOpenAi, ErrorEnvelopeIsPrettyPrintedLikeOpenAi) {
  auto exchange = OpenAiMockDialect().open(chat_request("not json"));
  ASSERT_TRUE(exchange->invalid().has_value());
  const MockReply& r = *exchange->invalid();
  EXPECT_EQ(r.status, 400);
  const std::string expected =
      "{\n  \"error\": {\n    \"message\": \"We could not parse the JSON body of your request. "
      "(HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API "
      "expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring "
      "out how to fix this, please contact us through our help center at help.openai.com.)\",\n"
      "    \"type\": \"invalid_request_error\",\n    \"param\": null,\n    \"code\": null\n  }\n}";
  EXPECT_EQ(r.body, expected);
  // Same layout as the recorded 500 body.
  const json::value recorded = json::parse(fixture("error-500-server-error.json"));
  EXPECT_EQ(keys(recorded.at("error")), keys(json::parse(r.body).at("error")));
}

TEST(MockOpenAi, FaultRepliesUseDefaultBodiesOrTheGivenOne) {
  auto exchange = OpenAiMockDialect().open(chat_request(fixture("chat.request.json")));
  MockFault fault;
  fault.status = 429;
  MockReply r = exchange->fault_reply(fault);
  EXPECT_EQ(r.status, 429);
  const auto body = json::parse(r.body);
  EXPECT_EQ(body.at("error").at("code").as_string(), "rate_limit_exceeded");
  EXPECT_NE(body.at("error").at("message").as_string().find("gpt-4o-2024-08-06"),
            std::string::npos);
  bool has_limit_header = false;
  for (const auto& [k, v] : r.headers)
    has_limit_header |= k == "x-ratelimit-remaining-requests" && v == "0";
  EXPECT_TRUE(has_limit_header);

  fault.status = 404;
  EXPECT_EQ(json::parse(exchange->fault_reply(fault).body).at("error").at("code").as_string(),
            "model_not_found");
  fault.status = 503;
  EXPECT_EQ(json::parse(exchange->fault_reply(fault).body).at("error").at("type").as_string(),
            "server_error");
  fault.body = "{\"error\": truncated";
  EXPECT_EQ(exchange->fault_reply(fault).body, "{\"error\": truncated");
}

TEST(MockOpenAi, StreamMatchesTheFixtureRecordLayout) {
  const std::string body = fixture("chat-stream.request.json");
  const MockReply reply = reply_for(body);
  ASSERT_TRUE(reply.stream.has_value());
  EXPECT_EQ(reply.headers.front(), (std::pair<std::string, std::string>{
                                       "content-type", "text/event-stream; charset=utf-8"}));
  const auto records = sse_records(*reply.stream);
  ASSERT_GE(records.size(), 5u);
  EXPECT_EQ(records.back(), "[DONE]");

  // Recorded records for comparison: role chunk, a content chunk, finish chunk, usage chunk.
  std::vector<json::value> recorded;
  std::istringstream in(fixture("chat-stream.sse"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("data: {", 0) == 0) recorded.push_back(json::parse(line.substr(6)));
  }
  const json::value first = json::parse(records.front());
  EXPECT_TRUE(ordered_subset(keys(recorded.front()), keys(first)));
  EXPECT_EQ(json::serialize(first.at("choices").at(0).at("delta")),
            R"({"role":"assistant","content":"","refusal":null})");
  EXPECT_TRUE(first.at("usage").is_null());  // include_usage: every chunk carries usage null

  std::string text;
  for (std::size_t i = 1; i + 3 < records.size(); ++i) {
    const json::value chunk = json::parse(records[i]);
    EXPECT_TRUE(ordered_subset(keys(recorded[1]), keys(chunk)));
    EXPECT_EQ(json::serialize(chunk.at("choices").at(0).at("delta")).rfind("{\"content\":", 0), 0u);
    text += chunk.at("choices").at(0).at("delta").at("content").as_string();
  }
  EXPECT_EQ(text, "Mock reply to: What's the weather like in SF?");
  EXPECT_EQ(reply.stream->content.size(), 9u);  // one chunk per word below 20 words

  const json::value finish = json::parse(records[records.size() - 3]);
  EXPECT_EQ(finish.at("choices").at(0).at("finish_reason").as_string(), "stop");
  EXPECT_TRUE(finish.at("choices").at(0).at("delta").as_object().empty());
  const json::value usage = json::parse(records[records.size() - 2]);
  EXPECT_TRUE(ordered_subset(keys(recorded.back()), keys(usage)));
  EXPECT_TRUE(usage.at("choices").as_array().empty());
  EXPECT_EQ(usage.at("usage").at("total_tokens").as_int64(), 17);
  for (const auto& r : records) {
    if (r != "[DONE]") {
      EXPECT_EQ(json::parse(r).at("id").as_string(), "chatcmpl-mock" + hex64(fnv1a64(body)));
    }
  }
}

TEST(MockOpenAi, StreamChunkOverrideAndNoUsage) {
  MockFault fault;
  fault.chunks = 3;
  fault.no_usage = true;
  const MockReply reply = reply_for(fixture("chat-stream.request.json"), fault);
  EXPECT_EQ(reply.stream->content.size(), 3u);
  const auto records = sse_records(*reply.stream);
  EXPECT_EQ(
      json::parse(records[records.size() - 2]).at("choices").at(0).at("finish_reason").as_string(),
      "stop");
  // Without include_usage there is no usage field at all.
  const MockReply plain =
      reply_for(R"({"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  for (const auto& r : sse_records(*plain.stream)) {
    if (r != "[DONE]") {
      EXPECT_FALSE(json::parse(r).as_object().contains("usage"));
    }
  }
}

TEST(MockOpenAi, StreamedParallelToolCallsFollowTheFixture) {
  std::string body = fixture("chat-stream-parallel-tools.request.json");
  // Name both tools so both are called, as in the recording.
  const std::string from = "What's the price of AAPL?";
  body.replace(body.find(from), from.size(), "GetWeatherArgs and get_stock_price please");
  const MockReply reply = reply_for(body);
  const auto records = sse_records(*reply.stream);
  EXPECT_EQ(json::serialize(json::parse(records[0]).at("choices").at(0).at("delta")),
            R"({"role":"assistant","content":null})");
  std::map<std::int64_t, std::string> args;
  std::vector<std::string> names;
  for (std::size_t i = 1; i + 3 < records.size(); ++i) {
    const auto call =
        json::parse(records[i]).at("choices").at(0).at("delta").at("tool_calls").at(0);
    const auto index = call.at("index").as_int64();
    if (call.as_object().contains("id")) {
      EXPECT_EQ(keys(call), (std::vector<std::string>{"index", "id", "type", "function"}));
      EXPECT_EQ(call.at("function").at("arguments").as_string(), "");
      names.emplace_back(call.at("function").at("name").as_string());
    } else {
      EXPECT_EQ(keys(call), (std::vector<std::string>{"index", "function"}));
      args[index] += call.at("function").at("arguments").as_string();
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"GetWeatherArgs", "get_stock_price"}));
  EXPECT_EQ(args[0], R"({"city":"city-value","country":"country-value","units":"c"})");
  EXPECT_EQ(args[1], R"({"ticker":"ticker-value","exchange":"exchange-value"})");
  EXPECT_EQ(
      json::parse(records[records.size() - 3]).at("choices").at(0).at("finish_reason").as_string(),
      "tool_calls");
  EXPECT_EQ(reply.stream->content.size(), 2u * (1 + kArgumentFragments));
}

TEST(MockOpenAi, ModelsListAndPathMatching) {
  OpenAiMockDialect d;
  EXPECT_TRUE(d.serves("POST", "/v1/chat/completions"));
  EXPECT_TRUE(d.serves("POST", "/openai/deployments/x/chat/completions"));
  EXPECT_FALSE(d.serves("GET", "/v1/chat/completions"));
  EXPECT_FALSE(d.serves("POST", "/v1/completions"));
  http::Request r;
  r.method = "GET";
  r.target = "/v1/models?x=1";
  auto models = d.side_reply(r);
  ASSERT_TRUE(models.has_value());
  const auto body = json::parse(models->body);
  EXPECT_EQ(body.at("object").as_string(), "list");
  ASSERT_EQ(body.at("data").as_array().size(), 2u);
  EXPECT_EQ(body.at("data").at(0).at("id").as_string(), "mock-gpt");
  EXPECT_EQ(body.at("data").at(1).at("id").as_string(), "mock-gpt-mini");
  EXPECT_EQ(body.at("data").at(1).at("owned_by").as_string(), "mock");
}

}  // namespace
}  // namespace gw::mock
