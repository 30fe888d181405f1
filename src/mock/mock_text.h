// Deterministic text helpers shared by every mock-provider dialect: body hashing for ids, UTF-8
// aware truncation and splitting (stream chunks, tool-argument fragments) and the token estimate.
// Everything here is a pure function of its input, which is what makes mock output reproducible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gw::mock {

// Content is split into this many stream chunks when the text has at least as many words.
inline constexpr std::size_t kDefaultChunks = 20;

// 64-bit FNV-1a: tiny, stable across platforms and plenty for telling request bodies apart.
std::uint64_t fnv1a64(std::string_view data);
// 16 lower-case hex digits.
std::string hex64(std::uint64_t value);

// Number of UTF-8 code points (continuation bytes are not counted).
std::size_t utf8_length(std::string_view text);
// The first `max_chars` code points of `text`, never cutting a multi-byte sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t max_chars);

// Words with their leading whitespace attached ("Mock", " reply", " to:"), the way model
// tokenizers stream them; concatenating the pieces gives back `text` exactly.
std::vector<std::string> split_words(std::string_view text);

// `text` cut into `pieces` nearly equal runs of code points (fewer when the text is shorter).
std::vector<std::string> split_even(std::string_view text, std::size_t pieces);

// Stream chunks for `text`. `requested` 0 means the default: kDefaultChunks when the text has
// that many words, else one chunk per word. Fewer chunks than words group whole words evenly;
// more chunks than words split by code points. Concatenation always gives back `text`.
std::vector<std::string> split_chunks(std::string_view text, std::size_t requested);

// The mock's token estimate: ceil(chars / 4), at least 1.
std::int64_t tokens_for_chars(std::size_t chars);

}  // namespace gw::mock
