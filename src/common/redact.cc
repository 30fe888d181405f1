#include "common/redact.h"

namespace gw {
namespace {

constexpr std::size_t kMinRun = 8;

// Length of the longest prefix of `text` that occurs somewhere in `secret`.
std::size_t longest_match(std::string_view text, std::string_view secret) {
  std::size_t best = 0;
  for (std::size_t s = 0; s + best < secret.size(); ++s) {
    std::size_t n = 0;
    while (n < text.size() && s + n < secret.size() && text[n] == secret[s + n]) ++n;
    if (n > best) best = n;
  }
  return best;
}

}  // namespace

bool redact_secret(std::string& text, std::string_view secret) {
  if (secret.size() < kMinRun || text.size() < kMinRun) return false;
  std::string out;
  bool changed = false;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t n = longest_match(std::string_view(text).substr(i), secret);
    if (n >= kMinRun) {
      out.append(kRedacted);
      i += n;
      changed = true;
    } else {
      out.push_back(text[i]);
      ++i;
    }
  }
  if (changed) text = std::move(out);
  return changed;
}

}  // namespace gw
