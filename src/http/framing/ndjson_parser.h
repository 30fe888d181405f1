// Incremental newline-delimited JSON framing (Ollama's native streams): splits on '\n', strips a
// trailing '\r', skips blank lines, caps one line's size. Input may be split at any byte.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace gw {

class NdjsonParser {
 public:
  // The cap counts a line's bytes without its "\n" or "\r\n" terminator; it is checked while the
  // line is still arriving, so a peer that never sends a newline cannot grow the buffer past it.
  static constexpr std::size_t kDefaultMaxLineBytes = 4 * 1024 * 1024;

  explicit NdjsonParser(std::size_t max_line_bytes = kDefaultMaxLineBytes);

  // Appends each complete line (without its terminator) to `out`. Returns provider_bad_response
  // when a line grows past the cap; the parser then fails every further call.
  Status feed(std::string_view bytes, std::vector<std::string>& out);
  // End of input: a last line without '\n' is emitted. Afterwards the parser is back at the start.
  Status finish(std::vector<std::string>& out);

 private:
  Status fail();
  void emit(std::string_view line, std::vector<std::string>& out) const;

  std::size_t max_line_bytes_;
  std::string line_;  // the unterminated tail of the previous feed()
  bool failed_ = false;
};

}  // namespace gw
