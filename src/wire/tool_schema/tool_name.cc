// Tool-name validity and rewriting (see tool_name.h).
#include "wire/tool_schema/tool_name.h"

#include <algorithm>

namespace gw::tool_schema {

namespace {

bool ascii_letter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool ascii_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

bool allowed(unsigned char c, const ToolRules& rules) {
  return ascii_letter(c) || ascii_digit(c) ||
         (c < 0x80 && c != 0 &&
          rules.name_extra_chars.find(static_cast<char>(c)) != std::string_view::npos);
}

bool good_start(unsigned char c) {
  return ascii_letter(c) || c == '_';
}

std::size_t limit(const ToolRules& rules) {
  if (rules.max_name_length == 0) return std::string::npos;  // 0: no limit
  return std::max(rules.max_name_length, kMinNameLength);
}

}  // namespace

bool tool_name_valid(std::string_view name, const ToolRules& rules) {
  if (name.empty()) return false;
  if (rules.max_name_length != 0 && name.size() > rules.max_name_length) return false;
  if (rules.name_must_start_with_letter_or_underscore &&
      !good_start(static_cast<unsigned char>(name.front()))) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return allowed(static_cast<unsigned char>(c), rules); });
}

std::uint64_t stable_name_hash(std::string_view text, std::uint64_t salt) {
  constexpr std::uint64_t kOffset = 14695981039346656037ull;
  constexpr std::uint64_t kPrime = 1099511628211ull;
  std::uint64_t h = kOffset;
  for (int i = 0; i < 8 && salt != 0; ++i) {
    h = (h ^ ((salt >> (8 * i)) & 0xff)) * kPrime;
  }
  for (unsigned char c : text) h = (h ^ c) * kPrime;
  return h;
}

std::string name_hash_suffix(std::string_view original, std::uint64_t salt) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::uint64_t h = stable_name_hash(original, salt);
  const auto folded = static_cast<std::uint32_t>(h ^ (h >> 32));
  std::string out = "_";
  for (int shift = 28; shift >= 0; shift -= 4) out += kHex[(folded >> shift) & 0xf];
  return out;
}

std::string fit_with_suffix(std::string_view base, std::string_view suffix,
                            const ToolRules& rules) {
  const std::size_t max = limit(rules);
  std::string out(base.substr(0, max == std::string::npos ? base.size() : max - suffix.size()));
  out += suffix;
  return out;
}

std::string rewrite_tool_name(std::string_view original, const ToolRules& rules) {
  std::string out;
  out.reserve(original.size() + 1);
  for (std::size_t i = 0; i < original.size();) {
    const auto c = static_cast<unsigned char>(original[i++]);
    if (allowed(c, rules)) {
      out += static_cast<char>(c);
      continue;
    }
    out += '_';
    // One '_' per UTF-8 character, not per byte: "café" → "caf_", not "caf__".
    if (c >= 0xC0) {
      while (i < original.size() && (static_cast<unsigned char>(original[i]) & 0xC0) == 0x80) ++i;
    }
  }
  if (out.empty()) out = "_";
  if (rules.name_must_start_with_letter_or_underscore &&
      !good_start(static_cast<unsigned char>(out.front()))) {
    out.insert(out.begin(), '_');
  }
  if (out.size() > limit(rules)) return fit_with_suffix(out, name_hash_suffix(original), rules);
  return out;
}

}  // namespace gw::tool_schema
