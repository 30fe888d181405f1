// What the mock provider remembers between requests: the fault queue, a bounded log of the
// requests it received and per-status counters. Shared by every worker thread; every method
// takes one short mutex and never suspends, so callers may use it freely from coroutines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "http/request.h"
#include "mock/mock_fault.h"

namespace gw::mock {

struct RecordedRequest {
  std::string method;
  std::string target;  // path plus query, as sent
  std::vector<http::Header> headers;
  std::string body;  // at most kMaxRecordedBody bytes
  bool body_truncated = false;
};

struct MockStats {
  std::uint64_t requests = 0;
  std::int64_t in_flight = 0;  // inference requests being answered (hangs and streams included)
  std::map<std::string, std::uint64_t> by_status;  // "200", "429", … and "aborted"
};

class MockState {
 public:
  static constexpr std::size_t kMaxRecordedRequests = 1000;
  static constexpr std::size_t kMaxRecordedBody = 256 * 1024;
  static constexpr std::size_t kMaxRecordedBytes = 64 * 1024 * 1024;  // the whole log
  static constexpr std::size_t kMaxQueuedFaults = 10'000;

  // Appends to the FIFO; fails (caller_invalid_request) past kMaxQueuedFaults.
  Status push_faults(std::vector<QueuedFault> faults);
  std::size_t clear_faults();
  std::vector<QueuedFault> faults() const;
  // The first queued fault that matches, consuming one of its uses.
  std::optional<MockFault> take_fault(const FaultTarget& target);

  // Logs the request and counts it.
  void record(const http::Request& request);
  std::vector<RecordedRequest> requests() const;
  std::size_t clear_requests();

  // `status` went out in a response head; count_aborted(): the request got no response head.
  void count_status(int status);
  void count_aborted();
  MockStats stats() const;
  void reset_stats();  // keeps in_flight, which describes the present

  // Brackets the handling of one inference request (see InFlight).
  void enter();
  void leave();

 private:
  mutable std::mutex mu_;
  std::deque<QueuedFault> faults_;
  std::deque<RecordedRequest> requests_;
  std::size_t recorded_bytes_ = 0;
  MockStats stats_;
};

// Counts one request as in flight for its lifetime, including when its coroutine frame is
// destroyed by a server stop; a leak check is "in_flight returns to 0".
class InFlight {
 public:
  explicit InFlight(MockState& state) : state_(state) { state_.enter(); }
  ~InFlight() { state_.leave(); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  MockState& state_;
};

}  // namespace gw::mock
