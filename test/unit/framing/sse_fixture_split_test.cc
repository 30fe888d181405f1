// Property tests over the recorded provider streams: whatever way the bytes are cut into reads,
// the SSE/NDJSON parsers must produce exactly what one feed of the whole file produces.
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "framing_test_support.h"

namespace gw::framing_test {
namespace {

struct SseFixture {
  const char* path;
  std::size_t events;  // counted by hand from the file: one per blank-line-terminated record
};

std::ostream& operator<<(std::ostream& os, const SseFixture& f) {
  return os << f.path;
}

const SseFixture kSseFixtures[] = {
    {"openai/chat-stream.sse", 34},                         // 33 chunks + data: [DONE]
    {"openai/chat-stream-parallel-tools.sse", 26},          // 25 chunks + data: [DONE]
    {"anthropic/messages-stream.sse", 8},                   // incl. one ping
    {"anthropic/messages-stream-tool-use.sse", 30},         //
    {"anthropic/messages-stream-overloaded-error.sse", 5},  // ends with event: error
    {"gemini/stream-generate-content.sse", 3},              // CRLF CRLF separated
    {"gemini/stream-generate-content-function-call.sse", 3},
};

class SseFixtureSplit : public testing::TestWithParam<SseFixture> {
 protected:
  void SetUp() override {
    bytes_ = read_fixture(GetParam().path);
    ASSERT_FALSE(bytes_.empty());
    whole_ = run_sse_whole(bytes_);
    ASSERT_EQ(whole_.error_code, "");
  }
  std::string bytes_;
  SseRun whole_;
};

TEST_P(SseFixtureSplit, WholeFileHasTheExpectedEvents) {
  EXPECT_EQ(whole_.events.size(), GetParam().events);
  EXPECT_EQ(whole_.comments, 0u);
  for (const SseEvent& e : whole_.events) {
    EXPECT_FALSE(e.data.empty());
    EXPECT_EQ(e.data.find_first_of("\r\n"), std::string::npos) << "one data line per record";
    EXPECT_EQ(e.event.find_first_of("\r\n"), std::string::npos);
    EXPECT_EQ(e.id, "");
  }
  // Every record ends with its blank line, so finish() must not have added anything: parsing
  // without finish() gives the same events.
  SseParser parser;
  std::vector<SseEvent> fed;
  ASSERT_TRUE(parser.feed(bytes_, fed).ok());
  EXPECT_EQ(fed, whole_.events);
}

TEST_P(SseFixtureSplit, SplitAtEveryOffsetIntoTwo) {
  for (std::size_t cut = 0; cut <= bytes_.size(); ++cut) {
    ASSERT_EQ(run_sse(bytes_, {cut}), whole_) << "cut at " << cut;
  }
}

TEST_P(SseFixtureSplit, OneByteAtATime) {
  EXPECT_EQ(run_sse(bytes_, every_byte(bytes_.size())), whole_);
}

TEST_P(SseFixtureSplit, RandomMultiSplit) {
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    ASSERT_EQ(run_sse(bytes_, random_cuts(bytes_.size(), seed)), whole_) << "seed " << seed;
  }
}

TEST_P(SseFixtureSplit, SameEventsWithAnyLineEnding) {
  for (std::string_view eol : {"\n", "\r\n", "\r"}) {
    const std::string variant = with_line_endings(bytes_, eol);
    EXPECT_EQ(run_sse_whole(variant), whole_) << testing::PrintToString(std::string(eol));
    for (std::uint32_t seed = 1; seed <= 50; ++seed) {
      ASSERT_EQ(run_sse(variant, random_cuts(variant.size(), seed)), whole_) << "seed " << seed;
    }
  }
}

TEST_P(SseFixtureSplit, TruncatedBeforeTheLastBlankLineIsDispatchedByFinish) {
  // Drop the final separator (and the line end of the last data line): finish() still
  // dispatches the last record, so nothing is lost when an upstream closes early.
  std::string cut = bytes_;
  while (!cut.empty() && (cut.back() == '\n' || cut.back() == '\r')) cut.pop_back();
  EXPECT_EQ(run_sse_whole(cut), whole_);
  SseParser parser;
  std::vector<SseEvent> fed;
  ASSERT_TRUE(parser.feed(cut, fed).ok());
  EXPECT_EQ(fed.size() + 1, whole_.events.size());
}

INSTANTIATE_TEST_SUITE_P(Providers, SseFixtureSplit, testing::ValuesIn(kSseFixtures),
                         [](const testing::TestParamInfo<SseFixture>& param_info) {
                           std::string name;
                           for (const char* p = param_info.param.path; *p != '\0' && *p != '.';
                                ++p) {
                             name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
                           }
                           return name;
                         });

TEST(SseFixtureContent, OpenAiStreamEndsWithDone) {
  for (const char* path : {"openai/chat-stream.sse", "openai/chat-stream-parallel-tools.sse"}) {
    const SseRun run = run_sse_whole(read_fixture(path));
    ASSERT_FALSE(run.events.empty());
    EXPECT_EQ(run.events.back().data, "[DONE]") << path;
    for (std::size_t i = 0; i + 1 < run.events.size(); ++i) {
      EXPECT_TRUE(run.events[i].data.starts_with("{\"id\":\"chatcmpl-")) << path << " #" << i;
      EXPECT_EQ(run.events[i].event, "");
    }
  }
}

TEST(SseFixtureContent, AnthropicEventNamesMatchTheirPayloadType) {
  for (const char* path :
       {"anthropic/messages-stream.sse", "anthropic/messages-stream-tool-use.sse",
        "anthropic/messages-stream-overloaded-error.sse"}) {
    const SseRun run = run_sse_whole(read_fixture(path));
    ASSERT_FALSE(run.events.empty());
    for (const SseEvent& e : run.events) {
      ASSERT_FALSE(e.event.empty()) << path;
      const bool typed = e.data.starts_with("{\"type\":\"" + e.event + "\"") ||
                         e.data.starts_with("{\"type\": \"" + e.event + "\"");
      EXPECT_TRUE(typed) << path << ": " << e.event << " / " << e.data;
    }
    EXPECT_EQ(run.events.front().event, "message_start");
  }
  EXPECT_EQ(run_sse_whole(read_fixture("anthropic/messages-stream.sse")).events[2].event, "ping");
  EXPECT_EQ(run_sse_whole(read_fixture("anthropic/messages-stream-overloaded-error.sse"))
                .events.back()
                .event,
            "error");
}

TEST(SseFixtureContent, GeminiUsesCrlfCrlfSeparators) {
  for (const char* path :
       {"gemini/stream-generate-content.sse", "gemini/stream-generate-content-function-call.sse"}) {
    const std::string bytes = read_fixture(path);
    // The file really is CRLF-framed (no bare LF anywhere), and the parser strips all of it.
    std::size_t crlf_blank = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      if (bytes[i] == '\n') {
        ASSERT_TRUE(i > 0 && bytes[i - 1] == '\r') << path << " @" << i;
      }
      if (bytes.compare(i, 4, "\r\n\r\n") == 0) ++crlf_blank;
    }
    const SseRun run = run_sse_whole(bytes);
    EXPECT_EQ(run.events.size(), crlf_blank);
    for (const SseEvent& e : run.events) {
      EXPECT_TRUE(e.data.starts_with("{\"candidates\": [")) << e.data;
      EXPECT_TRUE(e.data.ends_with("}")) << "no CR left at the end of the data";
    }
    // Cutting exactly between every CR and its LF is the case that breaks naive parsers.
    for (std::size_t i = 1; i < bytes.size(); ++i) {
      if (bytes[i - 1] == '\r' && bytes[i] == '\n') {
        ASSERT_EQ(run_sse(bytes, {i}), run) << i;
      }
    }
  }
}

// --- NDJSON ---------------------------------------------------------------------------------

class NdjsonFixtureSplit : public testing::Test {
 protected:
  void SetUp() override {
    bytes_ = read_fixture("ollama/chat-stream.ndjson");
    ASSERT_FALSE(bytes_.empty());
    whole_ = run_ndjson(bytes_, {});
    ASSERT_EQ(whole_.error_code, "");
  }
  std::string bytes_;
  NdjsonRun whole_;
};

TEST_F(NdjsonFixtureSplit, WholeFileHasTheExpectedLines) {
  ASSERT_EQ(whole_.lines.size(), 33u);
  for (const std::string& line : whole_.lines) {
    EXPECT_TRUE(line.starts_with("{\"model\":\"llama3.2\"")) << line;
    EXPECT_TRUE(line.ends_with("}")) << line;
  }
  EXPECT_NE(whole_.lines.back().find("\"done\":true"), std::string::npos);
  for (std::size_t i = 0; i + 1 < whole_.lines.size(); ++i) {
    EXPECT_NE(whole_.lines[i].find("\"done\":false"), std::string::npos) << i;
  }
}

TEST_F(NdjsonFixtureSplit, SplitAtEveryOffsetIntoTwo) {
  for (std::size_t cut = 0; cut <= bytes_.size(); ++cut) {
    ASSERT_EQ(run_ndjson(bytes_, {cut}), whole_) << "cut at " << cut;
  }
}

TEST_F(NdjsonFixtureSplit, OneByteAtATime) {
  EXPECT_EQ(run_ndjson(bytes_, every_byte(bytes_.size())), whole_);
}

TEST_F(NdjsonFixtureSplit, RandomMultiSplit) {
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    ASSERT_EQ(run_ndjson(bytes_, random_cuts(bytes_.size(), seed)), whole_) << "seed " << seed;
  }
}

TEST_F(NdjsonFixtureSplit, CrlfVariantGivesTheSameLines) {
  const std::string crlf = with_line_endings(bytes_, "\r\n");
  ASSERT_NE(crlf, bytes_);
  EXPECT_EQ(run_ndjson(crlf, {}), whole_);
  for (std::size_t cut = 0; cut <= crlf.size(); ++cut) {
    ASSERT_EQ(run_ndjson(crlf, {cut}), whole_) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace gw::framing_test
