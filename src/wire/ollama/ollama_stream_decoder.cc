// OllamaStreamDecoder (see ollama_stream_decoder.h).
#include "wire/ollama/ollama_stream_decoder.h"

#include <utility>

namespace gw::ollama {

Status OllamaStreamDecoder::fail(Error error) {
  failed_ = error;
  return error;
}

Status OllamaStreamDecoder::drain(std::vector<StreamEvent>& out) {
  Status status;
  for (const std::string& line : lines_) {
    if (Status s = chunks_.decode(line, out); !s) {
      status = fail(std::move(s).error());
      break;
    }
  }
  lines_.clear();
  return status;
}

Status OllamaStreamDecoder::feed(std::string_view bytes, std::vector<StreamEvent>& out) {
  if (failed_) return *failed_;
  Status framed = ndjson_.feed(bytes, lines_);
  // The lines completed before an over-long one still count.
  if (Status s = drain(out); !s) return s;
  if (!framed) return fail(std::move(framed).error());
  return {};
}

Status OllamaStreamDecoder::finish(std::vector<StreamEvent>& out) {
  if (failed_) return *failed_;
  if (Status s = ndjson_.finish(lines_); !s) {
    lines_.clear();
    return fail(std::move(s).error());
  }
  if (Status s = drain(out); !s) return s;
  if (!chunks_.done()) {
    return fail(Error::make(ErrorKind::provider_stream_interrupted,
                            "stream ended before Ollama's done:true line"));
  }
  return {};
}

}  // namespace gw::ollama
