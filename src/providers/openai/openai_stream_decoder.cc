#include "providers/openai/openai_stream_decoder.h"

#include <utility>

#include "wire/json_read.h"
#include "wire/openai/openai_error.h"

namespace gw {

Status OpenAIStreamDecoder::fail(Error error) {
  failed_ = error;
  return error;
}

Status OpenAIStreamDecoder::drain(std::vector<StreamEvent>& out) {
  Status status;
  for (SseEvent& ev : events_) {
    if (chunks_.done()) break;  // nothing after [DONE] counts
    if (ev.event == "error") {
      // An error record whatever its data looks like; a JSON body may name the cause.
      Result<boost::json::value> body = parse_json(ev.data, ErrorKind::provider_bad_response);
      status = fail(body ? openai::decode_upstream_error_value(0, body.value())
                         : openai::decode_upstream_error_value(0, boost::json::value()));
      break;
    }
    if (Status s = chunks_.decode(ev.data, out); !s) {
      status = fail(std::move(s).error());
      break;
    }
  }
  events_.clear();
  return status;
}

Status OpenAIStreamDecoder::feed(std::string_view bytes, std::vector<StreamEvent>& out) {
  if (failed_) return *failed_;
  if (Status s = sse_.feed(bytes, events_); !s) {
    events_.clear();
    return fail(std::move(s).error());
  }
  return drain(out);
}

Status OpenAIStreamDecoder::finish(std::vector<StreamEvent>& out) {
  if (failed_) return *failed_;
  if (Status s = sse_.finish(events_); !s) {
    events_.clear();
    return fail(std::move(s).error());
  }
  if (Status s = drain(out); !s) return s;
  if (!chunks_.done()) {
    return fail(Error::make(ErrorKind::provider_stream_interrupted, "stream ended before [DONE]"));
  }
  return {};
}

}  // namespace gw
