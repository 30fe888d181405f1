// The chunk decoder's two readers must agree: the SAX pass (hot path) and the DOM pass (rare
// shapes) fill the same ChunkFields for every chunk either can read, and the recorded streams
// all take the SAX path.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "wire/json_read.h"
#include "wire/openai/openai_chunk_fields.h"
#include "wire_test_util.h"

namespace gw::openai::detail {
namespace {

namespace json = boost::json;
using test::dump;
using test::str;

json::value dump_fields(const ChunkFields& f) {
  json::object o{{"id", f.id}, {"model", f.model}, {"created", f.created}};
  const ChoiceFields& c = f.choice;
  json::array tools;
  for (std::size_t i = 0; i < c.tool_count; ++i) {
    const ToolCallFields& t = c.tools[i];
    tools.push_back(json::object{
        {"index", t.index}, {"id", t.id}, {"name", t.name}, {"arguments", t.arguments}});
  }
  o["choice"] = json::object{{"present", c.present},     {"reasoning_content", c.reasoning_content},
                             {"reasoning", c.reasoning}, {"content", c.content},
                             {"refusal", c.refusal},     {"finish_reason", c.finish_reason},
                             {"tools", std::move(tools)}};
  o["usage"] = f.has_usage ? dump(f.usage) : json::value(nullptr);
  o["groq_usage"] = f.has_groq_usage ? dump(f.groq_usage) : json::value(nullptr);
  return o;
}

std::vector<std::string> chunk_corpus() {
  std::vector<std::string> out;
  for (const auto& path : test::fixture_files("openai", ".sse")) {
    SseParser sse;
    std::vector<SseEvent> events;
    EXPECT_TRUE(sse.feed(test::read_file(path), events).ok());
    EXPECT_TRUE(sse.finish(events).ok());
    for (auto& e : events) {
      if (e.data != "[DONE]") out.push_back(e.data);
    }
  }
  const char* extra[] = {
      R"({"id":"a","created":1.0,"model":"m","choices":[{"delta":{"content":"x"},"index":0}],"usage":null})",
      R"({"choices":[{"index":1,"delta":{"content":"other choice"}},{"index":0,"delta":{"content":"mine"}}]})",
      R"({"choices":[{"delta":{"reasoning":"r","reasoning_content":"rc","refusal":"no"},"finish_reason":"stop"}]})",
      R"({"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"{}","name":"f"},"id":"c","index":2},{"index":"x"}]}}]})",
      R"({"choices":"nope","usage":{"prompt_tokens":1.5,"completion_tokens":2,"prompt_tokens_details":null}})",
      R"({"x_groq":{"id":"req","usage":{"prompt_tokens":7,"completion_tokens":8}},"choices":[]})",
      R"({"id":"first","id":"second","choices":[{"index":0,"delta":{"content":"a","content":"b"}}]})",
      R"({"nested":{"choices":[{"index":0,"delta":{"content":"hidden"}}]},"content":"top"})",
      R"({"choices":[{"index":0,"delta":{"content":"\u00e9\n\"q\"","tool_calls":null},"logprobs":{"content":[{"token":"x"}]}}]})",
      R"({"usage":{"completion_tokens_details":{"reasoning_tokens":9},"prompt_tokens_details":{"cached_tokens":3}}})",
  };
  for (const char* e : extra) out.push_back(e);
  return out;
}

TEST(OpenAIChunkReaders, SaxAndDomAgree) {
  ChunkSaxReader reader;
  std::string detail;
  const auto corpus = chunk_corpus();
  EXPECT_GT(corpus.size(), 50u);
  for (const std::string& data : corpus) {
    SCOPED_TRACE(data);
    ChunkFields sax;
    ASSERT_EQ(reader.read(data, sax, detail), SaxOutcome::ok);
    ChunkFields dom;
    Result<json::value> v = parse_json(data, ErrorKind::provider_bad_response);
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(read_chunk_dom(v.value(), dom).ok());
    EXPECT_EQ(str(dump_fields(sax)), str(dump_fields(dom)));
  }
}

TEST(OpenAIChunkReaders, ReusedReaderForgetsThePreviousChunk) {
  ChunkSaxReader reader;
  std::string detail;
  ChunkFields f;
  ASSERT_EQ(
      reader.read(
          R"({"id":"a","choices":[{"index":0,"delta":{"content":"x","tool_calls":[{"index":0,"id":"c"}]}}],"usage":{"prompt_tokens":1}})",
          f, detail),
      SaxOutcome::ok);
  ASSERT_EQ(reader.read(R"({"choices":[]})", f, detail), SaxOutcome::ok);
  EXPECT_EQ(f.id, "");
  EXPECT_FALSE(f.choice.present);
  EXPECT_EQ(f.choice.tool_count, 0u);
  EXPECT_FALSE(f.has_usage);
}

TEST(OpenAIChunkReaders, ShapesTheSaxPassHandsOver) {
  ChunkSaxReader reader;
  std::string detail;
  ChunkFields f;
  EXPECT_EQ(reader.read(R"({"error":{"message":"m","type":"server_error"}})", f, detail),
            SaxOutcome::needs_dom);
  EXPECT_EQ(reader.read(R"({"error":"text"})", f, detail), SaxOutcome::needs_dom);
  EXPECT_EQ(reader.read(R"({"error":null,"choices":[]})", f, detail), SaxOutcome::ok);
  EXPECT_EQ(
      reader.read(
          R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":{"a":1}}}]}}]})",
          f, detail),
      SaxOutcome::needs_dom);
  EXPECT_EQ(reader.read("[1]", f, detail), SaxOutcome::not_object);
  EXPECT_EQ(reader.read("42", f, detail), SaxOutcome::not_object);
  EXPECT_EQ(reader.read("\"s\"", f, detail), SaxOutcome::not_object);
  EXPECT_EQ(reader.read("null", f, detail), SaxOutcome::not_object);
  EXPECT_EQ(reader.read(R"({"a":)", f, detail), SaxOutcome::invalid);
  EXPECT_EQ(reader.read(R"({"a":1} x)", f, detail), SaxOutcome::invalid);
  EXPECT_EQ(reader.read(R"({"a":NaN})", f, detail), SaxOutcome::invalid);
  EXPECT_NE(detail.find("at offset 5"), std::string::npos) << detail;
  std::string deep(65, '[');
  deep += std::string(65, ']');
  EXPECT_EQ(reader.read("{\"x\":" + deep + "}", f, detail), SaxOutcome::invalid);
  // Still usable after errors.
  EXPECT_EQ(reader.read(R"({"id":"ok"})", f, detail), SaxOutcome::ok);
  EXPECT_EQ(f.id, "ok");
}

}  // namespace
}  // namespace gw::openai::detail
