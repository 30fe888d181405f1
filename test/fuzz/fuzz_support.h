// Helpers shared by the libFuzzer targets: an invariant check that aborts (libFuzzer reports the
// abort with the input that caused it) and input-derived split points, so every crash reproduces
// from its input file alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#define GW_FUZZ_CHECK(cond, what)                                                              \
  do {                                                                                         \
    if (!(cond)) {                                                                             \
      std::fprintf(stderr, "invariant violated at %s:%d: %s (%s)\n", __FILE__, __LINE__, what, \
                   #cond);                                                                     \
      std::abort();                                                                            \
    }                                                                                          \
  } while (false)

namespace gw::fuzz {

// FNV-1a: a cheap, deterministic digest of the input to derive parameters from.
inline std::uint64_t digest(std::string_view in) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : in) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Sorted cut offsets that split `in` into chunks of 1..97 bytes whose lengths follow the data.
inline std::vector<std::size_t> data_derived_cuts(std::string_view in, std::uint64_t seed) {
  std::vector<std::size_t> cuts;
  std::size_t at = 0;
  std::uint64_t len = 1 + seed % 97;
  while (at + len < in.size()) {
    at += len;
    cuts.push_back(at);
    len = 1 + (len * 31 + static_cast<unsigned char>(in[at])) % 97;
  }
  return cuts;
}

// Feeds `in` to `feed` cut at `cuts` (sorted); stops at the first failed call. Returns whether
// every call succeeded.
template <typename Feed>
bool feed_pieces(std::string_view in, const std::vector<std::size_t>& cuts, Feed&& feed) {
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    if (!feed(in.substr(from, cut - from))) return false;
    from = cut;
  }
  return feed(in.substr(from));
}

}  // namespace gw::fuzz
