// NDJSON framing: memchr for '\n', complete lines are emitted straight from the caller's bytes;
// only a line that straddles two feeds is copied into the carry-over buffer first.
#include "http/framing/ndjson_parser.h"

#include <cstring>

namespace gw {
namespace {

// JSON's insignificant whitespace; a line of nothing else carries no value.
bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

NdjsonParser::NdjsonParser(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

Status NdjsonParser::fail() {
  failed_ = true;
  return Error::make(ErrorKind::provider_bad_response,
                     "NDJSON line exceeds " + std::to_string(max_line_bytes_) + " bytes",
                     "ndjson_line_too_large");
}

void NdjsonParser::emit(std::string_view line, std::vector<std::string>& out) const {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!is_blank(line)) out.emplace_back(line);
}

Status NdjsonParser::feed(std::string_view bytes, std::vector<std::string>& out) {
  if (failed_) return fail();
  const char* const begin = bytes.data();
  const std::size_t n = bytes.size();
  std::size_t pos = 0;
  while (pos < n) {
    const void* p = std::memchr(begin + pos, '\n', n - pos);
    if (p == nullptr) {
      // One byte over the cap is tolerated only while it is a '\r' that a following '\n' would
      // turn into the terminator; whatever comes next decides.
      const std::size_t len = line_.size() + (n - pos);
      if (len > max_line_bytes_ && !(len - 1 == max_line_bytes_ && begin[n - 1] == '\r')) {
        return fail();
      }
      line_.append(begin + pos, n - pos);
      return {};
    }
    const auto eol = static_cast<std::size_t>(static_cast<const char*>(p) - begin);
    std::string_view line(begin + pos, eol - pos);
    if (!line_.empty()) {
      if (line_.size() + line.size() - 1 > max_line_bytes_) return fail();
      line_.append(line);
      line = line_;
    }
    const std::size_t content = line.size() - (!line.empty() && line.back() == '\r' ? 1 : 0);
    if (content > max_line_bytes_) return fail();
    emit(line, out);
    line_.clear();
    pos = eol + 1;
  }
  return {};
}

Status NdjsonParser::finish(std::vector<std::string>& out) {
  if (failed_) return fail();
  if (!line_.empty()) {
    // feed() already bounded the tail: at most the cap plus a final '\r', which emit() strips.
    emit(line_, out);
    line_.clear();
  }
  return {};
}

}  // namespace gw
