#include "common/json_text.h"

#include <array>
#include <charconv>
#include <cstring>

namespace gw {
namespace {

// 0: copy as is; 'u': \u00XX; anything else: the character after the backslash.
constexpr std::array<char, 256> make_escape_table() {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 'u';
  t['"'] = '"';
  t['\\'] = '\\';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  return t;
}

constexpr std::array<char, 256> kEscape = make_escape_table();
constexpr char kHex[] = "0123456789abcdef";

}  // namespace

void json_escape_append(std::string& out, std::string_view text) {
  const char* p = text.data();
  const char* end = p + text.size();
  // Copy runs of plain bytes in one append; most deltas contain no byte that needs escaping.
  while (p < end) {
    const char* run = p;
    while (p < end && kEscape[static_cast<unsigned char>(*p)] == 0) ++p;
    if (p != run) out.append(run, static_cast<std::size_t>(p - run));
    if (p == end) break;
    const unsigned char c = static_cast<unsigned char>(*p++);
    const char e = kEscape[c];
    if (e == 'u') {
      const char buf[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(buf, sizeof buf);
    } else {
      const char buf[2] = {'\\', e};
      out.append(buf, sizeof buf);
    }
  }
}

void json_int_append(std::string& out, std::int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  (void)ec;  // 24 bytes always hold an int64
  out.append(buf, static_cast<std::size_t>(end - buf));
}

}  // namespace gw
