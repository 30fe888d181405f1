// Open connections per client address (RELIABILITY BI-08: a per-IP cap, so one host opening
// thousands of slow connections cannot take every socket). Process-wide, shared by the worker
// threads; a slot is held for the connection's whole life.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace gw::http {

class ConnectionSlot {
 public:
  explicit ConnectionSlot(std::string address) : address_(std::move(address)) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept : address_(std::move(other.address_)) {
    other.live_ = false;
  }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot();

 private:
  std::string address_;
  bool live_ = true;
};

// A slot for one more connection from `address`, or nullopt when it already has `cap` open
// (cap 0: no limit).
std::optional<ConnectionSlot> open_connection_slot(const std::string& address, std::size_t cap);

// Connections open now from `address` (tests and diagnostics).
std::size_t open_connections(const std::string& address);

}  // namespace gw::http
