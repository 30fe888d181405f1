// GenerateContentResponse decode (provider side) against the recorded fixtures, and encode
// (ingress side) round-tripped through the decoder.
#include "wire/gemini/gemini_response.h"

#include <gtest/gtest.h>

#include "gemini_test_util.h"
#include "wire/gemini/gemini_fields.h"

namespace gw::gemini {
namespace {

using test::dump;
using test::gemini_fixture;
using test::str;

TEST(GeminiResponse, DecodesTheTextFixture) {
  auto r = decode_generate_response(gemini_fixture("generate-content.response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->content.size(), 1u);
  EXPECT_EQ(r->content[0].type, BlockType::text);
  EXPECT_EQ(r->content[0].text, "The capital of France is Paris.\n");
  EXPECT_EQ(r->finish, FinishReason::stop);
  EXPECT_EQ(r->model, "gemini-2.0-flash-exp");
  EXPECT_TRUE(r->usage.present);
  EXPECT_EQ(r->usage.input_tokens, 35);
  EXPECT_EQ(r->usage.output_tokens, 8);
  EXPECT_EQ(r->usage.reasoning_tokens, 0);
  EXPECT_EQ(r->usage.cache_read_tokens, 0);
}

TEST(GeminiResponse, DecodesTheFunctionCallFixture) {
  auto r = decode_generate_response(gemini_fixture("generate-content-function-call.response.json"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->content.size(), 1u);
  const ContentBlock& call = r->content[0];
  EXPECT_EQ(call.type, BlockType::tool_use);
  EXPECT_EQ(call.id, "call_0");
  EXPECT_EQ(call.name, "get_capital");
  EXPECT_EQ(call.arguments, R"({"country":"France"})");
  EXPECT_EQ(r->finish, FinishReason::tool_calls);  // STOP with a call
  EXPECT_EQ(r->usage.input_tokens, 23);
  EXPECT_EQ(r->usage.output_tokens, 5);
}

TEST(GeminiResponse, ThoughtsSignaturesIdsAndUsageDetails) {
  auto r = decode_generate_response(R"({
    "candidates": [{"content": {"parts": [
        {"text": "thinking", "thought": true, "thoughtSignature": "c2ln"},
        {"text": "Answer"},
        {"functionCall": {"name": "a", "args": {"x": 1}}, "thoughtSignature": "c2ln2"},
        {"functionCall": {"id": "own-id", "name": "b"}},
        {"executableCode": {"language": "PYTHON", "code": "print 1"}},
        {"text": ""}
      ], "role": "model"}, "finishReason": "STOP", "index": 0}],
    "usageMetadata": {"promptTokenCount": 100, "cachedContentTokenCount": 60,
                      "candidatesTokenCount": 7, "thoughtsTokenCount": 20,
                      "toolUsePromptTokenCount": 5, "totalTokenCount": 132},
    "modelVersion": "gemini-2.5-pro", "responseId": "resp-1"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->content.size(), 4u);
  EXPECT_EQ(r->content[0].type, BlockType::reasoning);
  EXPECT_EQ(r->content[0].text, "thinking");
  EXPECT_EQ(r->content[0].signature, "c2ln");
  EXPECT_EQ(r->content[1].type, BlockType::text);
  EXPECT_EQ(r->content[2].id, "call_0");
  EXPECT_EQ(r->content[2].signature, "c2ln2");
  EXPECT_EQ(r->content[3].id, "own-id");
  EXPECT_EQ(r->content[3].arguments, "{}");
  EXPECT_EQ(r->id, "resp-1");
  EXPECT_EQ(r->model, "gemini-2.5-pro");
  EXPECT_EQ(r->usage.input_tokens, 105);
  EXPECT_EQ(r->usage.cache_read_tokens, 60);
  EXPECT_EQ(r->usage.output_tokens, 27);
  EXPECT_EQ(r->usage.reasoning_tokens, 20);
}

TEST(GeminiResponse, FinishReasons) {
  EXPECT_EQ(parse_finish_reason("STOP"), FinishReason::stop);
  EXPECT_EQ(parse_finish_reason("MAX_TOKENS"), FinishReason::length);
  for (const char* r : {"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII"}) {
    EXPECT_EQ(parse_finish_reason(r), FinishReason::content_filter) << r;
  }
  EXPECT_EQ(parse_finish_reason("OTHER"), FinishReason::stop);
  EXPECT_EQ(parse_finish_reason("MALFORMED_FUNCTION_CALL"), FinishReason::stop);
  EXPECT_EQ(parse_finish_reason(""), FinishReason::unset);
  EXPECT_EQ(parse_finish_reason("FINISH_REASON_UNSPECIFIED"), FinishReason::unset);

  auto r = decode_generate_response(
      R"({"candidates":[{"content":{"parts":[{"text":"cut"}]},"finishReason":"MAX_TOKENS"}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->finish, FinishReason::length);
  EXPECT_FALSE(r->usage.present);
}

TEST(GeminiResponse, SafetyBlockIsATypedError) {
  auto r = decode_generate_response(R"({"promptFeedback": {"blockReason": "SAFETY",
      "safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                         "probability": "HIGH"}]},
      "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::provider_invalid_request);
  EXPECT_EQ(r.error().code, "content_blocked");
  EXPECT_NE(r.error().message.find("SAFETY"), std::string::npos);
}

TEST(GeminiResponse, CandidateBlockedBySafetyFinishesWithContentFilter) {
  auto r = decode_generate_response(R"({"candidates":[{"finishReason":"SAFETY","index":0}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->content.empty());
  EXPECT_EQ(r->finish, FinishReason::content_filter);
}

TEST(GeminiResponse, BadBodies) {
  EXPECT_EQ(decode_generate_response("{").error().kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(decode_generate_response("[1]").error().kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(decode_generate_response(R"({"candidates":[]})").error().kind,
            ErrorKind::provider_bad_response);
  // A 200 whose body is an error envelope.
  auto e = decode_generate_response(
      R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().kind, ErrorKind::provider_overloaded);
}

TEST(GeminiResponse, EncodeRoundTripsThroughTheDecoder) {
  ChatResponse in;
  in.id = "resp-9";
  ContentBlock thought;
  thought.type = BlockType::reasoning;
  thought.text = "hmm";
  thought.signature = "c2ln";
  in.content.push_back(thought);
  in.content.push_back(ContentBlock::make_text("Hello \"world\"\n"));
  ContentBlock call;
  call.type = BlockType::tool_use;
  call.id = "call_0";
  call.name = "get_weather";
  call.arguments = R"({"city":"Paris","days":2.5})";
  in.content.push_back(call);
  in.finish = FinishReason::tool_calls;
  in.usage = {.input_tokens = 10,
              .output_tokens = 30,
              .cache_read_tokens = 4,
              .cache_write_tokens = 0,
              .reasoning_tokens = 12,
              .present = true};

  const std::string body = encode_generate_response(in, "gemini-2.0-flash");
  const auto parsed = boost::json::parse(body);
  const auto& usage = parsed.at("usageMetadata");
  EXPECT_EQ(usage.at("promptTokenCount").as_int64(), 10);
  EXPECT_EQ(usage.at("candidatesTokenCount").as_int64(), 18);
  EXPECT_EQ(usage.at("thoughtsTokenCount").as_int64(), 12);
  EXPECT_EQ(usage.at("cachedContentTokenCount").as_int64(), 4);
  EXPECT_EQ(usage.at("totalTokenCount").as_int64(), 40);
  EXPECT_EQ(parsed.at("candidates").at(0).at("finishReason").as_string(), "STOP");
  EXPECT_EQ(parsed.at("candidates").at(0).at("content").at("role").as_string(), "model");
  EXPECT_EQ(parsed.at("modelVersion").as_string(), "gemini-2.0-flash");

  auto back = decode_generate_response(body);
  ASSERT_TRUE(back.ok()) << back.error().message;
  in.model = "gemini-2.0-flash";
  EXPECT_EQ(str(dump(back.value())), str(dump(in)));
}

TEST(GeminiResponse, EncodeWithoutUsageOrContent) {
  ChatResponse in;
  in.id = "r";
  in.finish = FinishReason::length;
  const auto parsed = boost::json::parse(encode_generate_response(in, "m"));
  EXPECT_FALSE(parsed.as_object().contains("usageMetadata"));
  EXPECT_TRUE(parsed.at("candidates").at(0).at("content").at("parts").as_array().empty());
  EXPECT_EQ(parsed.at("candidates").at(0).at("finishReason").as_string(), "MAX_TOKENS");
}

TEST(GeminiResponse, CallWithArgumentsThatAreNotAnObjectIsReportedMalformed) {
  ChatResponse in;
  in.content.push_back(ContentBlock::make_text("partial"));
  ContentBlock call;
  call.type = BlockType::tool_use;
  call.name = "f";
  call.arguments = R"({"a": 1)";  // cut off
  in.content.push_back(call);
  in.finish = FinishReason::tool_calls;
  const auto parsed = boost::json::parse(encode_generate_response(in, "m"));
  const auto& candidate = parsed.at("candidates").at(0);
  EXPECT_EQ(candidate.at("finishReason").as_string(), "MALFORMED_FUNCTION_CALL");
  ASSERT_EQ(candidate.at("content").at("parts").as_array().size(), 1u);
  EXPECT_EQ(candidate.at("content").at("parts").at(0).at("text").as_string(), "partial");
}

}  // namespace
}  // namespace gw::gemini
