// Deterministic text helpers for the mock provider (see mock_text.h).
#include "mock/mock_text.h"

#include <algorithm>

namespace gw::mock {
namespace {

bool is_continuation(unsigned char byte) {
  return (byte & 0xC0U) == 0x80U;
}

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

// Byte offsets of every code point start, plus text.size() at the end.
std::vector<std::size_t> code_point_offsets(std::string_view text) {
  std::vector<std::size_t> offsets;
  offsets.reserve(text.size() + 1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_continuation(static_cast<unsigned char>(text[i]))) offsets.push_back(i);
  }
  offsets.push_back(text.size());
  return offsets;
}

}  // namespace

std::uint64_t fnv1a64(std::string_view data) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string hex64(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[value & 0xFU];
    value >>= 4;
  }
  return out;
}

std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return !is_continuation(static_cast<unsigned char>(c));
  }));
}

std::string_view utf8_prefix(std::string_view text, std::size_t max_chars) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_continuation(static_cast<unsigned char>(text[i]))) continue;
    if (seen == max_chars) return text.substr(0, i);
    ++seen;
  }
  return text;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;   // leading whitespace
    while (i < text.size() && !is_space(text[i])) ++i;  // the word itself
    words.emplace_back(text.substr(start, i - start));
    start = i;
  }
  // Trailing whitespace after the last word belongs to that word.
  if (words.size() > 1 && !words.back().empty() &&
      std::all_of(words.back().begin(), words.back().end(), is_space)) {
    words[words.size() - 2] += words.back();
    words.pop_back();
  }
  return words;
}

std::vector<std::string> split_even(std::string_view text, std::size_t pieces) {
  std::vector<std::string> out;
  if (text.empty() || pieces == 0) return out;
  const auto offsets = code_point_offsets(text);
  const std::size_t chars = offsets.size() - 1;
  pieces = std::min(pieces, chars);
  out.reserve(pieces);
  for (std::size_t i = 0; i < pieces; ++i) {
    const std::size_t from = offsets[i * chars / pieces];
    const std::size_t to = offsets[(i + 1) * chars / pieces];
    out.emplace_back(text.substr(from, to - from));
  }
  return out;
}

std::vector<std::string> split_chunks(std::string_view text, std::size_t requested) {
  if (text.empty()) return {};
  auto words = split_words(text);
  const std::size_t count = words.size();
  const std::size_t wanted = requested == 0 ? std::min(kDefaultChunks, count) : requested;
  if (wanted == count) return words;
  if (wanted > count) return split_even(text, wanted);
  std::vector<std::string> chunks;
  chunks.reserve(wanted);
  for (std::size_t i = 0; i < wanted; ++i) {
    std::string chunk;
    for (std::size_t w = i * count / wanted; w < (i + 1) * count / wanted; ++w) chunk += words[w];
    chunks.push_back(std::move(chunk));
  }
  return chunks;
}

std::int64_t tokens_for_chars(std::size_t chars) {
  return std::max<std::int64_t>(1, static_cast<std::int64_t>((chars + 3) / 4));
}

}  // namespace gw::mock
