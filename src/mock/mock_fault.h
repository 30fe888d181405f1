// Fault injection for the mock provider, shared by every dialect. A fault comes from x-mock-*
// request headers or from the queue filled through POST /_mock/faults; headers win field by
// field. Every field is optional so that the two sources can be merged; unset means "behave".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "common/result.h"
#include "http/request.h"

namespace gw::mock {

struct MockFault {
  std::optional<int> status;                   // answer with this HTTP status (200: normal)
  std::optional<std::string> body;             // raw response body for `status`
  std::optional<double> retry_after_s;         // Retry-After (and retry-after-ms) on the answer
  std::optional<std::int64_t> retry_after_ms;  // retry-after-ms only
  std::optional<std::int64_t> delay_ms;        // wait before the response head
  std::optional<bool> hang;                    // never answer; give up when the client leaves
  std::optional<std::int64_t> drop_after;      // abort after N content records (stream)
  std::optional<std::int64_t> chunk_delay_ms;  // wait before each content record (stream)
  std::optional<bool> malformed;               // a broken record after 2 content records
  std::optional<bool> endless;                 // content records until the client leaves
  std::optional<bool> no_usage;                // no usage in the body or stream
  std::optional<std::int64_t> stream_error;    // in-band error after N content records
  std::optional<std::int64_t> chunks;          // number of content chunks
  std::optional<std::int64_t> stall_after;     // go silent after N content records (stream)
  std::optional<std::int64_t> heartbeat_ms;    // SSE comment this often while silent (stream)

  bool empty() const;
  // Fields set in `over` replace those in `this`.
  void merge_from(const MockFault& over);
  // True when the fault asks for a non-200 answer or a custom body instead of a completion.
  bool replaces_answer() const;
};

// Which requests a queued fault applies to; unset fields match anything.
struct FaultMatch {
  std::optional<std::string> model;  // exact request model
  std::optional<std::string> path;   // substring of the request path
  std::optional<bool> stream;
};

struct QueuedFault {
  MockFault fault;
  FaultMatch match;
  std::int64_t times = 1;  // remaining uses; 0 = until cleared
};

// What a request looks like to the fault queue.
struct FaultTarget {
  std::string_view model;
  std::string_view path;
  bool stream = false;
};

bool matches(const FaultMatch& match, const FaultTarget& target);

// The x-mock-* headers of a request. Unknown x-mock-* names and bad values are errors
// (caller_invalid_request), so a typo never silently turns a fault test into a success test.
Result<MockFault> parse_fault_headers(const std::vector<http::Header>& headers);

// The body of POST /_mock/faults: {"faults": [{...}, ...]}.
Result<std::vector<QueuedFault>> parse_fault_queue(const boost::json::value& body);

// The inverse of one parse_fault_queue entry (GET /_mock/faults).
boost::json::value to_json(const QueuedFault& queued);

}  // namespace gw::mock
