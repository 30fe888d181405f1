// Behaviour of SseParser on hand-written streams: line endings, fields, comments, BOM, the event
// size cap and finish(). Every case is also fed split at every byte offset where it is cheap.
#include "http/framing/sse_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "framing_test_support.h"

namespace gw::framing_test {
namespace {

SseEvent ev(std::string event, std::string data, std::string id = {}) {
  return SseEvent{std::move(event), std::move(data), std::move(id)};
}

// Asserts `input` gives `expected` when fed whole, split at every offset and one byte at a time.
void expect_events_any_split(std::string_view input, const std::vector<SseEvent>& expected,
                             std::size_t max_event_bytes = SseParser::kDefaultMaxEventBytes) {
  const SseRun whole = run_sse_whole(input, max_event_bytes);
  EXPECT_EQ(whole.error_code, "");
  EXPECT_EQ(whole.events, expected);
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    ASSERT_EQ(run_sse(input, {cut}, max_event_bytes), whole) << "cut at " << cut;
  }
  EXPECT_EQ(run_sse(input, every_byte(input.size()), max_event_bytes), whole);
}

// One logical stream exercising every field rule; written out with different line endings.
const std::vector<std::string> kLogicalLines = {
    ": stream opened",  // comment
    "event: greeting",
    "id: 1",
    "data: hello",
    "data:  two spaces",  // only the first space is stripped
    "data:no-space",
    "data",  // no colon: field "data" with an empty value
    "",
    "retry: 1000",  // ignored
    "data: second",
    "unknown: x",  // ignored
    "",
    "event: only-type",  // no data: not dispatched, and the type must not leak
    "",
    "id: 2",
    "data:",
    "",
};

const std::vector<SseEvent> kLogicalEvents = {
    ev("greeting", "hello\n two spaces\nno-space\n", "1"),
    ev("", "second", "1"),  // the last event id persists
    ev("", "", "2"),        // "data:" sets the data buffer, so the event is dispatched
};

std::string join(const std::vector<std::string>& lines, const std::vector<std::string>& eols) {
  std::string out;
  std::string prev;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string eol = eols[i % eols.size()];
    // A CR followed by an empty line ending in LF would read as one CRLF; that is not this case.
    if (prev == "\r" && lines[i].empty() && eol == "\n") eol = "\r\n";
    out += lines[i] + eol;
    prev = eol;
  }
  return out;
}

TEST(SseParser, LfCrlfCrAndMixedLineEndingsGiveTheSameEvents) {
  const std::vector<std::vector<std::string>> variants = {
      {"\n"}, {"\r\n"}, {"\r"}, {"\n", "\r\n", "\r"}, {"\r", "\n"}, {"\r\n", "\r"}};
  for (const auto& eols : variants) {
    SCOPED_TRACE(testing::PrintToString(eols));
    const std::string input = join(kLogicalLines, eols);
    expect_events_any_split(input, kLogicalEvents);
    EXPECT_EQ(run_sse_whole(input).comments, 1u);
  }
}

TEST(SseParser, CrAtTheEndOfOneFeedAndLfAtTheStartOfTheNextIsOneLineEnding) {
  SseParser parser;
  std::vector<SseEvent> out;
  ASSERT_TRUE(parser.feed("data: a\r", out).ok());
  ASSERT_TRUE(parser.feed("\ndata: b\r", out).ok());  // not a blank line: "a" is not dispatched
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(parser.feed("\n\r", out).ok());  // the CR alone is the blank line
  EXPECT_EQ(out, std::vector<SseEvent>{ev("", "a\nb")});
  ASSERT_TRUE(parser.feed("\ndata: c\n\n", out).ok());
  EXPECT_EQ(out, (std::vector<SseEvent>{ev("", "a\nb"), ev("", "c")}));
}

TEST(SseParser, CrAtTheEndOfOneFeedFollowedByOtherBytes) {
  SseParser parser;
  std::vector<SseEvent> out;
  ASSERT_TRUE(parser.feed("data: a\r", out).ok());
  ASSERT_TRUE(parser.feed("data: b\r", out).ok());
  ASSERT_TRUE(parser.feed("\r", out).ok());  // CR CR: a line end, then a blank line
  EXPECT_EQ(out, std::vector<SseEvent>{ev("", "a\nb")});
  ASSERT_TRUE(parser.feed("\ndata: c\n\n", out).ok());  // that LF completes a CRLF: no line
  EXPECT_EQ(out, (std::vector<SseEvent>{ev("", "a\nb"), ev("", "c")}));
}

TEST(SseParser, EmptyFeedsChangeNothing) {
  SseParser parser;
  std::vector<SseEvent> out;
  ASSERT_TRUE(parser.feed("", out).ok());
  ASSERT_TRUE(parser.feed("data: a\r", out).ok());
  ASSERT_TRUE(parser.feed("", out).ok());
  ASSERT_TRUE(parser.feed("\n", out).ok());  // still pairs with the CR before the empty feed
  ASSERT_TRUE(parser.feed("\n", out).ok());
  EXPECT_EQ(out, std::vector<SseEvent>{ev("", "a")});
}

TEST(SseParser, CommentsAreCountedAndCarryNoData) {
  const std::string input = ":keepalive\n\n: ping\n\n:\ndata: x\n: inside an event\ndata: y\n\n";
  expect_events_any_split(input, {ev("", "x\ny")});
  EXPECT_EQ(run_sse_whole(input).comments, 4u);
  EXPECT_EQ(run_sse_whole(": only comments\n\n:\n\n").events.size(), 0u);
}

TEST(SseParser, ColonsInsideTheValueAreKept) {
  expect_events_any_split("data: {\"a\": \"b:c\"}\n\n", {ev("", "{\"a\": \"b:c\"}")});
  expect_events_any_split("data::x\n\n", {ev("", ":x")});
}

TEST(SseParser, FieldNamesAreCaseSensitiveAndUnknownOnesIgnored) {
  expect_events_any_split("Data: x\nDATA: y\ndata : z\n\n", {});
  expect_events_any_split("foo: bar\ndata: x\nbaz\n\n", {ev("", "x")});
}

TEST(SseParser, FieldWithoutColonHasAnEmptyValue) {
  expect_events_any_split("data\n\n", {ev("", "")});
  expect_events_any_split("event: e\nevent\ndata: x\n\n", {ev("", "x")});
  expect_events_any_split("id: 7\ndata: a\n\nid\ndata: b\n\n", {ev("", "a", "7"), ev("", "b", "")});
}

TEST(SseParser, TrailingSpacesInDataAreKept) {
  // Anthropic pads data lines with spaces after the JSON; the parser must not trim them.
  expect_events_any_split("data: {}   \n\n", {ev("", "{}   ")});
}

TEST(SseParser, EventWithoutDataIsNotDispatchedAndItsTypeDoesNotLeak) {
  expect_events_any_split("event: a\n\ndata: x\n\n", {ev("", "x")});
  expect_events_any_split("event: a\nid: 3\n\n", {});
}

TEST(SseParser, EventTypeIsPerEventButIdPersists) {
  expect_events_any_split("event: a\nid: 1\ndata: x\n\ndata: y\n\nid: 2\nevent: b\ndata: z\n\n",
                          {ev("a", "x", "1"), ev("", "y", "1"), ev("b", "z", "2")});
}

TEST(SseParser, IdContainingNulIsIgnored) {
  using namespace std::string_literals;
  expect_events_any_split("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"s,
                          {ev("", "a", "1"), ev("", "b", "1")});
}

TEST(SseParser, RetryIsIgnored) {
  expect_events_any_split("retry: 10\ndata: a\nretry: x\n\n", {ev("", "a")});
}

TEST(SseParser, Utf8BomAtStreamStartIsSkipped) {
  expect_events_any_split(
      "\xEF\xBB\xBF"
      "data: x\n\n",
      {ev("", "x")});
  expect_events_any_split(
      "\xEF\xBB\xBF"
      "\n\ndata: x\n\n",
      {ev("", "x")});
}

TEST(SseParser, OnlyOneLeadingBomIsSkipped) {
  // A second BOM (or one later in the stream) is ordinary bytes, here part of a field name.
  expect_events_any_split(
      "\xEF\xBB\xBF\xEF\xBB\xBF"
      "data: x\n\n",
      {});
  expect_events_any_split(
      "data: a\n\n\xEF\xBB\xBF"
      "data: b\n\n",
      {ev("", "a")});
  expect_events_any_split("data: \xEF\xBB\xBF\n\n", {ev("", "\xEF\xBB\xBF")});
}

TEST(SseParser, PartialBomIsOrdinaryInput) {
  expect_events_any_split(
      "\xEF\xBB"
      "data: x\n\n",
      {});  // field "\xEF\xBBdata"
  expect_events_any_split(
      "\xEF\n"
      "data: x\n\n",
      {ev("", "x")});
  const SseRun lone = run_sse_whole("\xEF\xBB");
  EXPECT_EQ(lone.error_code, "");
  EXPECT_TRUE(lone.events.empty());
  EXPECT_EQ(run_sse_whole("\xEF\xBB\xBF").events.size(), 0u);
}

TEST(SseParser, BlankLinesOnlyGiveNoEvents) {
  expect_events_any_split("\n\n\r\n\r\r\n\n\r", {});
  expect_events_any_split("", {});
}

TEST(SseParser, OutputIsAppendedToNotCleared) {
  SseParser parser;
  std::vector<SseEvent> out = {ev("old", "kept")};
  ASSERT_TRUE(parser.feed("data: new\n\n", out).ok());
  EXPECT_EQ(out, (std::vector<SseEvent>{ev("old", "kept"), ev("", "new")}));
}

TEST(SseParser, ManyEventsInOneFeed) {
  std::string input;
  std::vector<SseEvent> expected;
  for (int i = 0; i < 1000; ++i) {
    input += "event: e" + std::to_string(i % 7) + "\ndata: " + std::to_string(i) + "\n\n";
    expected.push_back(ev("e" + std::to_string(i % 7), std::to_string(i)));
  }
  EXPECT_EQ(run_sse_whole(input).events, expected);
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    EXPECT_EQ(run_sse(input, random_cuts(input.size(), seed, 500)).events, expected);
  }
}

// --- event size cap -------------------------------------------------------------------------

void expect_too_large_any_split(std::string_view input, std::size_t cap,
                                const std::vector<SseEvent>& delivered_before) {
  const SseRun whole = run_sse_whole(input, cap);
  EXPECT_EQ(whole.error_code, "sse_event_too_large");
  EXPECT_EQ(whole.error_message, "SSE event exceeds " + std::to_string(cap) + " bytes");
  EXPECT_EQ(whole.events, delivered_before);
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    ASSERT_EQ(run_sse(input, {cut}, cap), whole) << "cut at " << cut;
  }
  EXPECT_EQ(run_sse(input, every_byte(input.size()), cap), whole);
}

TEST(SseParserCap, EventExactlyAtTheCapIsAccepted) {
  // "data: " + 14 bytes = 20 bytes of line; terminators do not count.
  expect_events_any_split("data: 0123456789abcd\n\n", {ev("", "0123456789abcd")}, 20);
  expect_events_any_split("data: 0123456789abcd\r\n\r\n", {ev("", "0123456789abcd")}, 20);
}

TEST(SseParserCap, OneByteOverTheCapFails) {
  expect_too_large_any_split("data: 0123456789abcde\n\n", 20, {});
  expect_too_large_any_split("data: 0123456789abcde", 20, {});  // also without any newline
}

TEST(SseParserCap, CapCoversAllLinesOfOneEvent) {
  const std::string input = "event: e\ndata: 0123456789\n\n";  // 8 + 16 bytes
  expect_events_any_split(input, {ev("e", "0123456789")}, 24);
  expect_too_large_any_split(input, 23, {});
  // Comments and unknown fields count too: the cap bounds the work spent on one event, and an
  // upstream that sends them forever without a blank line is not healthy.
  expect_too_large_any_split(": 0123456789\ndata: 012345678\n\n", 26, {});
  expect_too_large_any_split("x: 0123456789\ndata: 012345678\n\n", 27, {});
}

TEST(SseParserCap, CapResetsAtEachBlankLine) {
  std::string input;
  std::vector<SseEvent> expected;
  for (int i = 0; i < 50; ++i) {
    input += "data: 0123456789abcd\n\n";
    expected.push_back(ev("", "0123456789abcd"));
  }
  const SseRun run = run_sse_whole(input, 20);
  EXPECT_EQ(run.error_code, "");
  EXPECT_EQ(run.events, expected);
}

TEST(SseParserCap, EventsBeforeTheOversizedOneAreDelivered) {
  expect_too_large_any_split("data: a\n\nevent: b\ndata: 0123456789abcdef\n\ndata: c\n\n", 20,
                             {ev("", "a")});
}

TEST(SseParserCap, UnterminatedLineFailsBeforeItsNewlineArrives) {
  SseParser parser(50);
  std::vector<SseEvent> out;
  ASSERT_TRUE(parser.feed("data: " + std::string(44, 'x'), out).ok());  // exactly 50 so far
  const Status s = parser.feed("y", out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::provider_bad_response);
  EXPECT_EQ(s.error().code, "sse_event_too_large");
}

TEST(SseParserCap, FailureIsSticky) {
  SseParser parser(10);
  std::vector<SseEvent> out;
  ASSERT_FALSE(parser.feed("data: 0123456789\n\n", out).ok());
  const Status again = parser.feed("data: x\n\n", out);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "sse_event_too_large");
  EXPECT_EQ(again.error().message, "SSE event exceeds 10 bytes");
  EXPECT_FALSE(parser.feed("", out).ok());
  EXPECT_FALSE(parser.finish(out).ok());
  EXPECT_TRUE(out.empty());
}

TEST(SseParserCap, DefaultCapIsFourMebibytes) {
  EXPECT_EQ(SseParser::kDefaultMaxEventBytes, 4u * 1024 * 1024);
  const std::string big = "data: " + std::string(SseParser::kDefaultMaxEventBytes - 6, 'x');
  const SseRun ok = run_sse_whole(big + "\n\n");
  EXPECT_EQ(ok.error_code, "");
  ASSERT_EQ(ok.events.size(), 1u);
  EXPECT_EQ(ok.events[0].data.size(), SseParser::kDefaultMaxEventBytes - 6);
  EXPECT_EQ(run_sse_whole(big + "x\n\n").error_code, "sse_event_too_large");
}

// --- finish() -------------------------------------------------------------------------------

TEST(SseParserFinish, DispatchesAPendingEventWithData) {
  EXPECT_EQ(run_sse_whole("event: e\ndata: a\n").events, std::vector<SseEvent>{ev("e", "a")});
  EXPECT_EQ(run_sse_whole("data: a\r").events, std::vector<SseEvent>{ev("", "a")});
}

TEST(SseParserFinish, TreatsAnUnterminatedLastLineAsALine) {
  expect_events_any_split("data: a\ndata: b", {ev("", "a\nb")});
}

TEST(SseParserFinish, DispatchesNothingWithoutData) {
  EXPECT_TRUE(run_sse_whole("event: e\n").events.empty());
  EXPECT_TRUE(run_sse_whole("id: 5\nretry: 1").events.empty());
  EXPECT_TRUE(run_sse_whole(": comment").events.empty());
  EXPECT_TRUE(run_sse_whole("data: a\n\n").events.size() == 1);
}

TEST(SseParserFinish, WithoutFinishAnUnfinishedEventIsHeldBack) {
  SseParser parser;
  std::vector<SseEvent> out;
  ASSERT_TRUE(parser.feed("data: a\n\ndata: b\n", out).ok());
  EXPECT_EQ(out, std::vector<SseEvent>{ev("", "a")});
  ASSERT_TRUE(parser.finish(out).ok());
  EXPECT_EQ(out, (std::vector<SseEvent>{ev("", "a"), ev("", "b")}));
  ASSERT_TRUE(parser.finish(out).ok());
  EXPECT_EQ(out.size(), 2u) << "a second finish() has nothing left";
}

TEST(SseParserFinish, ParserStartsANewStreamAfterFinish) {
  SseParser parser;
  std::vector<SseEvent> out;
  ASSERT_TRUE(parser.feed(": c\nid: 9\nevent: e\ndata: a\r", out).ok());
  ASSERT_TRUE(parser.finish(out).ok());
  // A new stream: the BOM is skipped again and the last id is forgotten.
  ASSERT_TRUE(parser
                  .feed("\xEF\xBB\xBF"
                        "data: b\n\n",
                        out)
                  .ok());
  EXPECT_EQ(out, (std::vector<SseEvent>{ev("e", "a", "9"), ev("", "b", "")}));
  EXPECT_EQ(parser.comments_seen(), 1u);
}

}  // namespace
}  // namespace gw::framing_test
