#include "http/connection_cap.h"

#include <mutex>
#include <unordered_map>

namespace gw::http {
namespace {

struct Table {
  std::mutex mu;
  std::unordered_map<std::string, std::size_t> open;
};

Table& table() {
  static Table t;
  return t;
}

}  // namespace

ConnectionSlot::~ConnectionSlot() {
  if (!live_) return;
  Table& t = table();
  std::lock_guard lock(t.mu);
  auto it = t.open.find(address_);
  if (it != t.open.end() && --it->second == 0) t.open.erase(it);
}

std::optional<ConnectionSlot> open_connection_slot(const std::string& address, std::size_t cap) {
  Table& t = table();
  std::lock_guard lock(t.mu);
  std::size_t& n = t.open[address];
  if (cap > 0 && n >= cap) return std::nullopt;
  ++n;
  return ConnectionSlot(address);
}

std::size_t open_connections(const std::string& address) {
  Table& t = table();
  std::lock_guard lock(t.mu);
  auto it = t.open.find(address);
  return it == t.open.end() ? 0 : it->second;
}

}  // namespace gw::http
