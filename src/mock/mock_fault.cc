// Fault parsing and matching (see mock_fault.h). One field table drives both sources, so a
// header and a control-endpoint field can never drift apart.
#include "mock/mock_fault.h"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <variant>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value_from.hpp>

#include "mock/mock_json.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

using Member =
    std::variant<std::optional<int> MockFault::*, std::optional<std::string> MockFault::*,
                 std::optional<double> MockFault::*, std::optional<std::int64_t> MockFault::*,
                 std::optional<bool> MockFault::*>;

struct Field {
  std::string_view key;     // in POST /_mock/faults
  std::string_view header;  // as a request header
  Member member;
  std::int64_t min = 0;
  std::int64_t max = 0;
};

constexpr std::int64_t kHour = 3'600'000;

const std::array<Field, 15>& fields() {
  static const std::array<Field, 15> kFields{{
      {"status", "x-mock-status", &MockFault::status, 200, 599},
      {"body", "x-mock-body", &MockFault::body},
      {"retry_after", "x-mock-retry-after", &MockFault::retry_after_s, 0, 86'400},
      {"retry_after_ms", "x-mock-retry-after-ms", &MockFault::retry_after_ms, 0, 86'400'000},
      {"delay_ms", "x-mock-delay-ms", &MockFault::delay_ms, 0, kHour},
      {"hang", "x-mock-hang", &MockFault::hang},
      {"drop_after", "x-mock-drop-after", &MockFault::drop_after, 0, 1'000'000'000},
      {"chunk_delay_ms", "x-mock-chunk-delay-ms", &MockFault::chunk_delay_ms, 0, kHour},
      {"malformed", "x-mock-malformed", &MockFault::malformed},
      {"endless", "x-mock-endless", &MockFault::endless},
      {"no_usage", "x-mock-no-usage", &MockFault::no_usage},
      {"stream_error", "x-mock-stream-error", &MockFault::stream_error, 0, 1'000'000'000},
      {"chunks", "x-mock-chunks", &MockFault::chunks, 1, 100'000},
      {"stall_after", "x-mock-stall-after", &MockFault::stall_after, 0, 1'000'000'000},
      {"heartbeat_ms", "x-mock-heartbeat-ms", &MockFault::heartbeat_ms, 1, kHour},
  }};
  return kFields;
}

Error invalid(std::string where, std::string what) {
  return Error::make(ErrorKind::caller_invalid_request, where + ": " + what, "invalid_mock_fault");
}

std::string range_text(const Field& f) {
  return std::to_string(f.min) + ".." + std::to_string(f.max);
}

// --- values from header text ------------------------------------------------------------------

Result<std::int64_t> int_from_text(std::string_view text, const Field& f,
                                   const std::string& where) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < f.min || v > f.max) {
    return invalid(
        where, "expected an integer in " + range_text(f) + ", got \"" + std::string(text) + "\"");
  }
  return v;
}

Result<double> seconds_from_text(std::string_view text, const Field& f, const std::string& where) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) ||
      v < static_cast<double>(f.min) || v > static_cast<double>(f.max)) {
    return invalid(where,
                   "expected seconds in " + range_text(f) + ", got \"" + std::string(text) + "\"");
  }
  return v;
}

Result<bool> bool_from_text(std::string_view text, const std::string& where) {
  if (text == "1" || text == "true" || text == "yes") return true;
  if (text == "0" || text == "false" || text == "no") return false;
  return invalid(where, "expected 1/true or 0/false, got \"" + std::string(text) + "\"");
}

Status set_from_text(MockFault& fault, const Field& f, std::string_view text) {
  const std::string where(f.header);
  return std::visit(
      [&](auto member) -> Status {
        using T = typename std::remove_reference_t<decltype(fault.*member)>::value_type;
        if constexpr (std::is_same_v<T, std::string>) {
          fault.*member = std::string(text);
        } else if constexpr (std::is_same_v<T, bool>) {
          auto v = bool_from_text(text, where);
          if (!v) return v.error();
          fault.*member = *v;
        } else if constexpr (std::is_same_v<T, double>) {
          auto v = seconds_from_text(text, f, where);
          if (!v) return v.error();
          fault.*member = *v;
        } else {
          auto v = int_from_text(text, f, where);
          if (!v) return v.error();
          fault.*member = static_cast<T>(*v);
        }
        return {};
      },
      f.member);
}

// --- values from JSON -------------------------------------------------------------------------

std::optional<double> as_number(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

Status set_from_json(MockFault& fault, const Field& f, const json::value& v,
                     const std::string& where) {
  return std::visit(
      [&](auto member) -> Status {
        using T = typename std::remove_reference_t<decltype(fault.*member)>::value_type;
        if constexpr (std::is_same_v<T, std::string>) {
          // A string is sent verbatim (it may be deliberately broken JSON); anything else is
          // pretty-printed the way OpenAI prints error bodies.
          fault.*member = v.is_string() ? std::string(v.get_string()) : json_pretty(v);
        } else if constexpr (std::is_same_v<T, bool>) {
          if (!v.is_bool()) return invalid(where, "expected true or false");
          fault.*member = v.get_bool();
        } else {
          auto n = as_number(v);
          const bool integral = std::is_integral_v<T>;
          if (!n || !std::isfinite(*n) || (integral && std::floor(*n) != *n) ||
              *n < static_cast<double>(f.min) || *n > static_cast<double>(f.max)) {
            return invalid(where, std::string("expected ") +
                                      (integral ? "an integer" : "a number") + " in " +
                                      range_text(f));
          }
          fault.*member = static_cast<T>(*n);
        }
        return {};
      },
      f.member);
}

Result<FaultMatch> parse_match(const json::value& v, const std::string& where) {
  FaultMatch match;
  const auto* obj = v.if_object();
  if (obj == nullptr) return invalid(where, "expected an object");
  for (const auto& kv : *obj) {
    const std::string key_where = where + "." + std::string(kv.key());
    if (kv.key() == "model" || kv.key() == "path") {
      if (!kv.value().is_string()) return invalid(key_where, "expected a string");
      (kv.key() == "model" ? match.model : match.path) = std::string(kv.value().get_string());
    } else if (kv.key() == "stream") {
      if (!kv.value().is_bool()) return invalid(key_where, "expected true or false");
      match.stream = kv.value().get_bool();
    } else {
      return invalid(key_where, "unknown field (expected model, path or stream)");
    }
  }
  return match;
}

Result<QueuedFault> parse_queued(const json::value& v, const std::string& where) {
  QueuedFault queued;
  const auto* obj = v.if_object();
  if (obj == nullptr) return invalid(where, "expected an object");
  for (const auto& kv : *obj) {
    const std::string key_where = where + "." + std::string(kv.key());
    if (kv.key() == "times") {
      auto n = as_number(kv.value());
      if (!n || std::floor(*n) != *n || *n < 0 || *n > 1e9) {
        return invalid(key_where, "expected an integer >= 0 (0: until cleared)");
      }
      queued.times = static_cast<std::int64_t>(*n);
      continue;
    }
    if (kv.key() == "match") {
      auto m = parse_match(kv.value(), key_where);
      if (!m) return std::move(m).error();
      queued.match = std::move(*m);
      continue;
    }
    const Field* field = nullptr;
    for (const auto& f : fields()) {
      if (f.key == kv.key()) field = &f;
    }
    if (field == nullptr) return invalid(key_where, "unknown fault field");
    if (auto s = set_from_json(queued.fault, *field, kv.value(), key_where); !s) return s.error();
  }
  return queued;
}

}  // namespace

bool MockFault::empty() const {
  bool any = false;
  for (const auto& f : fields()) {
    std::visit([&](auto member) { any = any || (this->*member).has_value(); }, f.member);
  }
  return !any;
}

void MockFault::merge_from(const MockFault& over) {
  for (const auto& f : fields()) {
    std::visit(
        [&](auto member) {
          if ((over.*member).has_value()) this->*member = over.*member;
        },
        f.member);
  }
}

bool MockFault::replaces_answer() const {
  return body.has_value() || (status.has_value() && *status != 200);
}

bool matches(const FaultMatch& match, const FaultTarget& target) {
  if (match.model && *match.model != target.model) return false;
  if (match.path && target.path.find(*match.path) == std::string_view::npos) return false;
  if (match.stream && *match.stream != target.stream) return false;
  return true;
}

Result<MockFault> parse_fault_headers(const std::vector<http::Header>& headers) {
  MockFault fault;
  for (const auto& h : headers) {
    if (h.name.rfind("x-mock-", 0) != 0) continue;
    const Field* field = nullptr;
    for (const auto& f : fields()) {
      if (f.header == h.name) field = &f;
    }
    if (field == nullptr) {
      return invalid(h.name, "unknown mock-provider header (see docs/mock-provider.md)");
    }
    if (auto s = set_from_text(fault, *field, h.value); !s) return s.error();
  }
  return fault;
}

Result<std::vector<QueuedFault>> parse_fault_queue(const json::value& body) {
  const auto* obj = body.if_object();
  const json::value* list = obj != nullptr ? obj->if_contains("faults") : nullptr;
  if (list == nullptr || !list->is_array()) {
    return invalid("body", "expected {\"faults\": [ ... ]}");
  }
  if (obj->size() != 1) return invalid("body", "only \"faults\" is allowed at the top level");
  std::vector<QueuedFault> out;
  const auto& arr = list->get_array();
  out.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    auto q = parse_queued(arr[i], "faults[" + std::to_string(i) + "]");
    if (!q) return std::move(q).error();
    out.push_back(std::move(*q));
  }
  return out;
}

json::value to_json(const QueuedFault& queued) {
  json::object out;
  out["times"] = queued.times;
  json::object match;
  if (queued.match.model) match["model"] = *queued.match.model;
  if (queued.match.path) match["path"] = *queued.match.path;
  if (queued.match.stream) match["stream"] = *queued.match.stream;
  if (!match.empty()) out["match"] = std::move(match);
  for (const auto& f : fields()) {
    std::visit(
        [&](auto member) {
          const auto& opt = queued.fault.*member;
          if (opt.has_value()) out[f.key] = json::value_from(*opt);
        },
        f.member);
  }
  return out;
}

}  // namespace gw::mock
