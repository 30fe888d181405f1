// libFuzzer target for request-body JSON as the gateway parses it: boost::json::parser with
// max_depth = 64 (Boost's default is 32). Per input it checks:
//  - a parse with max_depth 64 succeeds exactly when a depth-1024 parse succeeds with nesting
//    <= 64 (and then yields the same value); deeper documents fail with error::too_deep;
//  - the same bytes fed to a stream_parser in two input-derived pieces give the same outcome;
//  - every accepted string and key is valid UTF-8 (the dialect encoders rely on it);
//  - serialize() then parse gives back an equivalent value (doubles within 2 ulp: Boost 1.81
//    parses decimal numbers imprecisely, serialize prints the shortest round-trip form).
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz_support.h"

namespace {

namespace json = boost::json;

constexpr std::size_t kGatewayMaxDepth = 64;
constexpr std::size_t kProbeMaxDepth = 1024;

json::parse_options options(std::size_t max_depth) {
  json::parse_options opt;
  opt.max_depth = max_depth;
  return opt;
}

struct Parsed {
  json::value value;
  boost::system::error_code ec;
};

Parsed parse(std::string_view in, std::size_t max_depth) {
  json::parser p(json::storage_ptr(), options(max_depth));
  Parsed r;
  p.write(in.data(), in.size(), r.ec);
  if (!r.ec) r.value = p.release();
  return r;
}

Parsed parse_in_two(std::string_view in, std::size_t cut, std::size_t max_depth) {
  json::stream_parser p(json::storage_ptr(), options(max_depth));
  Parsed r;
  p.write(in.data(), cut, r.ec);
  if (!r.ec) p.write(in.data() + cut, in.size() - cut, r.ec);
  if (!r.ec) p.finish(r.ec);
  if (!r.ec) r.value = p.release();
  return r;
}

// Nesting depth as Boost counts it: a scalar is 0, "[]" is 1, "[[]]" is 2.
std::size_t depth(const json::value& v) {
  std::size_t inner = 0;
  if (const json::array* a = v.if_array()) {
    for (const json::value& e : *a) inner = std::max(inner, depth(e));
    return inner + 1;
  }
  if (const json::object* o = v.if_object()) {
    for (const auto& kv : *o) inner = std::max(inner, depth(kv.value()));
    return inner + 1;
  }
  return 0;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte, C0/C1 overlong lead, or beyond U+10FFFF
    }
    if (i + n >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    i += n + 1;
  }
  return true;
}

bool strings_valid(const json::value& v) {
  if (const json::string* s = v.if_string()) return valid_utf8(*s);
  if (const json::array* a = v.if_array()) {
    for (const json::value& e : *a) {
      if (!strings_valid(e)) return false;
    }
  }
  if (const json::object* o = v.if_object()) {
    for (const auto& kv : *o) {
      if (!valid_utf8(kv.key()) || !strings_valid(kv.value())) return false;
    }
  }
  return true;
}

bool close_doubles(double a, double b) {
  if (a == b) return true;  // also +0 == -0 and equal infinities
  if (std::isnan(a) || std::isnan(b) || std::signbit(a) != std::signbit(b)) return false;
  std::int64_t ia = 0;
  std::int64_t ib = 0;
  std::memcpy(&ia, &a, sizeof a);
  std::memcpy(&ib, &b, sizeof b);
  return (ia > ib ? ia - ib : ib - ia) <= 2;
}

bool finite_numbers(const json::value& v) {
  if (v.is_double()) return std::isfinite(v.get_double());
  if (v.is_array()) {
    for (const auto& e : v.get_array()) {
      if (!finite_numbers(e)) return false;
    }
  }
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      if (!finite_numbers(kv.value())) return false;
    }
  }
  return true;
}

bool equivalent(const json::value& a, const json::value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case json::kind::double_:
      return close_doubles(a.get_double(), b.get_double());
    case json::kind::array: {
      const json::array& x = a.get_array();
      const json::array& y = b.get_array();
      if (x.size() != y.size()) return false;
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (!equivalent(x[i], y[i])) return false;
      }
      return true;
    }
    case json::kind::object: {
      const json::object& x = a.get_object();
      const json::object& y = b.get_object();
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j) {
        if (i->key() != j->key() || !equivalent(i->value(), j->value())) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

std::string nested_arrays(std::size_t n) {
  return std::string(n, '[') + std::string(n, ']');
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Pin the depth semantics this target (and the gateway's limit) relies on.
  GW_FUZZ_CHECK(!parse(nested_arrays(kGatewayMaxDepth), kGatewayMaxDepth).ec, "depth 64 accepted");
  GW_FUZZ_CHECK(depth(parse(nested_arrays(kGatewayMaxDepth), kGatewayMaxDepth).value) == 64,
                "depth() counts like Boost");
  const Parsed deep = parse(nested_arrays(kGatewayMaxDepth + 1), kGatewayMaxDepth);
  GW_FUZZ_CHECK(deep.ec == json::error::too_deep, "depth 65 rejected as too_deep");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const Parsed gate = parse(in, kGatewayMaxDepth);
  const Parsed probe = parse(in, kProbeMaxDepth);

  if (!gate.ec) {
    GW_FUZZ_CHECK(!probe.ec, "a deeper limit accepts what the gateway limit accepts");
    GW_FUZZ_CHECK(gate.value == probe.value, "same value under both limits");
    GW_FUZZ_CHECK(depth(gate.value) <= kGatewayMaxDepth, "accepted nesting within the limit");
    GW_FUZZ_CHECK(strings_valid(gate.value), "strings and keys are valid UTF-8");
    // Overflowing numbers parse as infinity, which JSON cannot spell; the gateway refuses such
    // values with the offending field named (wire/openai/openai_request_checks.cc), so there is
    // no round trip to check.
    if (!finite_numbers(gate.value)) return 0;
    const std::string text = json::serialize(gate.value);
    const Parsed again = parse(text, kGatewayMaxDepth);
    GW_FUZZ_CHECK(!again.ec, "serialized output parses");
    GW_FUZZ_CHECK(equivalent(again.value, gate.value), "serialize round trip");
  } else if (!probe.ec) {
    GW_FUZZ_CHECK(depth(probe.value) > kGatewayMaxDepth, "only nesting separates the limits");
    GW_FUZZ_CHECK(gate.ec == json::error::too_deep, "deep documents fail as too_deep");
  }

  const Parsed split = parse_in_two(in, gw::fuzz::digest(in) % (in.size() + 1), kGatewayMaxDepth);
  GW_FUZZ_CHECK(!split.ec == !gate.ec, "stream_parser in two pieces: same outcome");
  if (!gate.ec) GW_FUZZ_CHECK(split.value == gate.value, "stream_parser: same value");
  return 0;
}
