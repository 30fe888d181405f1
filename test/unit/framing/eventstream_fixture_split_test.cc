// The recorded Bedrock ConverseStream body (test/fixtures/providers/bedrock/) against its decoded
// view: every message, header and payload, whatever way the bytes are cut into reads, and the
// writer re-encodes the decoded messages to the recorded bytes exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "eventstream_test_support.h"

namespace gw::framing_test {
namespace {

std::string read_fixture(const std::string& relative) {
  std::ifstream in(std::string(GW_FIXTURES_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << relative;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct DecodedEvent {
  std::map<std::string, std::string> headers;
  std::string payload;  // compact JSON text
};

// Reads one line of converse-stream.events.jsonl: {"headers": {name: string, ...}, "payload":
// {...}} — string-valued headers, and "payload" is the line's last member.
DecodedEvent parse_decoded_line(const std::string& line) {
  DecodedEvent ev;
  const std::string compact = compact_json(line);
  const std::string headers_key = R"({"headers":{)";
  EXPECT_EQ(compact.rfind(headers_key, 0), 0u) << line;
  std::size_t at = headers_key.size();
  auto read_string = [&]() {
    std::string s;
    EXPECT_EQ(compact[at], '"');
    for (++at; at < compact.size() && compact[at] != '"'; ++at) {
      if (compact[at] == '\\') ++at;
      s.push_back(compact[at]);
    }
    ++at;
    return s;
  };
  while (at < compact.size() && compact[at] != '}') {
    std::string name = read_string();
    EXPECT_EQ(compact[at], ':');
    ++at;
    ev.headers[name] = read_string();
    if (compact[at] == ',') ++at;
  }
  const std::string payload_key = R"(},"payload":)";
  EXPECT_EQ(compact.compare(at, payload_key.size(), payload_key), 0) << line;
  at += payload_key.size();
  ev.payload = compact.substr(at, compact.size() - at - 1);
  return ev;
}

std::vector<DecodedEvent> decoded_view() {
  std::istringstream in(read_fixture("bedrock/converse-stream.events.jsonl"));
  std::vector<DecodedEvent> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(parse_decoded_line(line));
  }
  return out;
}

class EventStreamFixture : public testing::Test {
 protected:
  void SetUp() override {
    bytes_ = read_fixture("bedrock/converse-stream.eventstream");
    ASSERT_FALSE(bytes_.empty());
    whole_ = run_eventstream_whole(bytes_);
    ASSERT_EQ(whole_.error_code, "") << whole_.error_message;
  }
  std::string bytes_;
  EventStreamRun whole_;
};

TEST_F(EventStreamFixture, DecodesToExactlyTheRecordedEvents) {
  const std::vector<DecodedEvent> expected = decoded_view();
  ASSERT_EQ(expected.size(), 33u);
  ASSERT_EQ(whole_.messages.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const EventStreamMessage& m = whole_.messages[i];
    std::map<std::string, std::string> headers;
    for (const EventStreamHeader& h : m.headers) {
      EXPECT_EQ(h.type, EventStreamHeaderType::string) << h.name;
      headers[h.name] = h.value;
    }
    EXPECT_EQ(headers, expected[i].headers) << "message " << i;
    EXPECT_EQ(m.payload, expected[i].payload) << "message " << i;
  }
  EXPECT_EQ(whole_.messages.front().header(":event-type"), "messageStart");
  EXPECT_EQ(whole_.messages.back().header(":event-type"), "metadata");
}

TEST_F(EventStreamFixture, WriterReproducesTheRecordedBytes) {
  std::string reencoded;
  for (const EventStreamMessage& m : whole_.messages) {
    Result<std::string> bytes = encode_eventstream_message(m.headers, m.payload);
    ASSERT_TRUE(bytes.ok());
    reencoded += bytes.value();
  }
  EXPECT_EQ(reencoded, bytes_);
}

TEST_F(EventStreamFixture, SplitAtEveryOffsetIntoTwo) {
  for (std::size_t cut = 0; cut <= bytes_.size(); ++cut) {
    ASSERT_EQ(run_eventstream(bytes_, {cut}), whole_) << "cut at " << cut;
  }
}

TEST_F(EventStreamFixture, OneByteAtATime) {
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < bytes_.size(); ++i) every.push_back(i);
  EXPECT_EQ(run_eventstream(bytes_, every), whole_);
}

TEST_F(EventStreamFixture, RandomMultiSplit) {
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> count(1, 32);
    std::uniform_int_distribution<std::size_t> at(0, bytes_.size());
    std::vector<std::size_t> cuts(count(rng));
    for (std::size_t& c : cuts) c = at(rng);
    std::sort(cuts.begin(), cuts.end());
    ASSERT_EQ(run_eventstream(bytes_, cuts), whole_) << "seed " << seed;
  }
}

TEST_F(EventStreamFixture, EveryTruncationIsReported) {
  // Cut the body anywhere but at a message boundary: the complete messages before the cut are
  // delivered, then finish() names the truncation.
  std::vector<std::size_t> boundaries{0};
  for (const EventStreamMessage& m : whole_.messages) {
    boundaries.push_back(boundaries.back() + frame(m.headers, m.payload).size());
  }
  ASSERT_EQ(boundaries.back(), bytes_.size());
  std::size_t complete = 0;
  for (std::size_t len = 1; len < bytes_.size(); ++len) {
    while (boundaries[complete + 1] <= len) ++complete;
    const EventStreamRun run = run_eventstream_whole(bytes_.substr(0, len));
    ASSERT_EQ(run.messages.size(), complete) << "length " << len;
    if (boundaries[complete] == len) {
      EXPECT_EQ(run.error_code, "") << "length " << len;
    } else {
      EXPECT_EQ(run.error_code, "eventstream_truncated") << "length " << len;
    }
  }
}

}  // namespace
}  // namespace gw::framing_test
