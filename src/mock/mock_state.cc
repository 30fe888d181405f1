// Shared mock-provider state (see mock_state.h).
#include "mock/mock_state.h"

#include <utility>

namespace gw::mock {
namespace {

std::size_t footprint(const RecordedRequest& r) {
  std::size_t n = r.method.size() + r.target.size() + r.body.size();
  for (const auto& h : r.headers) n += h.name.size() + h.value.size();
  return n;
}

}  // namespace

Status MockState::push_faults(std::vector<QueuedFault> faults) {
  std::lock_guard lock(mu_);
  if (faults_.size() + faults.size() > kMaxQueuedFaults) {
    return Error::make(ErrorKind::caller_invalid_request,
                       "fault queue full (" + std::to_string(kMaxQueuedFaults) + " entries)",
                       "fault_queue_full");
  }
  for (auto& f : faults) faults_.push_back(std::move(f));
  return {};
}

std::size_t MockState::clear_faults() {
  std::lock_guard lock(mu_);
  const std::size_t n = faults_.size();
  faults_.clear();
  return n;
}

std::vector<QueuedFault> MockState::faults() const {
  std::lock_guard lock(mu_);
  return {faults_.begin(), faults_.end()};
}

std::optional<MockFault> MockState::take_fault(const FaultTarget& target) {
  std::lock_guard lock(mu_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (!matches(it->match, target)) continue;
    MockFault fault = it->fault;
    if (it->times > 0 && --it->times == 0) faults_.erase(it);
    return fault;
  }
  return std::nullopt;
}

void MockState::record(const http::Request& request) {
  RecordedRequest r;
  r.method = request.method;
  r.target = request.target;
  r.headers = request.headers;
  r.body_truncated = request.body.size() > kMaxRecordedBody;
  r.body = r.body_truncated ? request.body.substr(0, kMaxRecordedBody) : request.body;
  const std::size_t size = footprint(r);

  std::lock_guard lock(mu_);
  ++stats_.requests;
  recorded_bytes_ += size;
  requests_.push_back(std::move(r));
  while (!requests_.empty() &&
         (requests_.size() > kMaxRecordedRequests || recorded_bytes_ > kMaxRecordedBytes)) {
    recorded_bytes_ -= footprint(requests_.front());
    requests_.pop_front();
  }
}

std::vector<RecordedRequest> MockState::requests() const {
  std::lock_guard lock(mu_);
  return {requests_.begin(), requests_.end()};
}

std::size_t MockState::clear_requests() {
  std::lock_guard lock(mu_);
  const std::size_t n = requests_.size();
  requests_.clear();
  recorded_bytes_ = 0;
  return n;
}

void MockState::count_status(int status) {
  std::lock_guard lock(mu_);
  ++stats_.by_status[std::to_string(status)];
}

void MockState::count_aborted() {
  std::lock_guard lock(mu_);
  ++stats_.by_status["aborted"];
}

MockStats MockState::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void MockState::reset_stats() {
  std::lock_guard lock(mu_);
  const std::int64_t in_flight = stats_.in_flight;
  stats_ = MockStats{};
  stats_.in_flight = in_flight;
}

void MockState::enter() {
  std::lock_guard lock(mu_);
  ++stats_.in_flight;
}

void MockState::leave() {
  std::lock_guard lock(mu_);
  --stats_.in_flight;
}

}  // namespace gw::mock
