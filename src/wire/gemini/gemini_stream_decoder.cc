// Gemini SSE stream → canonical events (see gemini_stream_decoder.h).
#include "wire/gemini/gemini_stream_decoder.h"

#include <utility>

#include "wire/gemini/gemini_error.h"
#include "wire/gemini/gemini_fields.h"
#include "wire/json_read.h"

namespace gw::gemini {

namespace json = boost::json;

Status GeminiStreamDecoder::fail(Error error) {
  failed_ = error;
  return error;
}

void GeminiStreamDecoder::content(const json::object& response, std::vector<StreamEvent>& out) {
  std::optional<GeminiCandidate> candidate = read_candidate(response);
  if (!candidate) return;
  for (GeminiPart& part : candidate->parts) {
    StreamEvent e;
    switch (part.kind) {
      case GeminiPart::Kind::text:
      case GeminiPart::Kind::thought:
        if (part.text.empty()) continue;  // a signature-only part: no delta to send
        e.type = part.kind == GeminiPart::Kind::text ? StreamEvent::Type::text_delta
                                                     : StreamEvent::Type::reasoning_delta;
        e.text = std::move(part.text);
        out.push_back(std::move(e));
        break;
      case GeminiPart::Kind::function_call: {
        const int index = calls_++;
        e.type = StreamEvent::Type::tool_call_start;
        e.index = index;
        e.id = part.id.empty() ? "call_" + std::to_string(index) : std::move(part.id);
        e.name = std::move(part.name);
        out.push_back(std::move(e));
        StreamEvent args;
        args.type = StreamEvent::Type::tool_call_delta;
        args.index = index;
        args.text = std::move(part.arguments);
        out.push_back(std::move(args));
        break;
      }
    }
  }
  if (candidate->finish_reason.empty()) return;
  FinishReason reason = parse_finish_reason(candidate->finish_reason);
  if (reason == FinishReason::unset) return;
  if (reason == FinishReason::stop && calls_ > 0) reason = FinishReason::tool_calls;
  StreamEvent fin;
  fin.type = StreamEvent::Type::finish;
  fin.finish = reason;
  out.push_back(std::move(fin));
  if (usage_.present) {
    StreamEvent usage;
    usage.type = StreamEvent::Type::usage;
    usage.usage = usage_;
    out.push_back(std::move(usage));
  }
  finished_ = true;
}

Status GeminiStreamDecoder::record(std::string_view data, std::vector<StreamEvent>& out) {
  if (data.empty()) return {};
  Result<json::value> parsed = parse_json(data, ErrorKind::provider_bad_response);
  if (!parsed) {
    Error e = std::move(parsed).error();
    e.message = "stream record is not valid JSON: " + e.message;
    return e;
  }
  const json::object* root = parsed->if_object();
  if (root == nullptr) {
    return Error::make(ErrorKind::provider_bad_response, "stream record is not a JSON object");
  }
  if (json_field(*root, "error") != nullptr) return decode_error_value(0, *parsed);
  if (finished_) return {};
  if (std::optional<Error> blocked = prompt_blocked(*root); blocked && !read_candidate(*root)) {
    return std::move(*blocked);
  }
  if (!started_) {
    StreamEvent start;
    start.type = StreamEvent::Type::start;
    start.id = std::string(json_string_field(*root, "responseId"));
    start.name = std::string(json_string_field(*root, "modelVersion"));
    out.push_back(std::move(start));
    started_ = true;
  }
  if (const json::object* usage = json_object_field(*root, "usageMetadata")) {
    usage_ = decode_usage(*usage);
  }
  content(*root, out);
  return {};
}

Status GeminiStreamDecoder::drain(std::vector<StreamEvent>& out) {
  Status status;
  for (const SseEvent& ev : events_) {
    if (Status s = record(ev.data, out); !s) {
      status = fail(std::move(s).error());
      break;
    }
  }
  events_.clear();
  return status;
}

Status GeminiStreamDecoder::feed(std::string_view bytes, std::vector<StreamEvent>& out) {
  if (failed_) return *failed_;
  if (Status s = sse_.feed(bytes, events_); !s) {
    events_.clear();
    return fail(std::move(s).error());
  }
  return drain(out);
}

Status GeminiStreamDecoder::finish(std::vector<StreamEvent>& out) {
  if (failed_) return *failed_;
  if (Status s = sse_.finish(events_); !s) {
    events_.clear();
    return fail(std::move(s).error());
  }
  if (Status s = drain(out); !s) return s;
  if (!finished_) {
    return fail(Error::make(ErrorKind::provider_stream_interrupted,
                            "stream ended before a record with a finishReason"));
  }
  return {};
}

}  // namespace gw::gemini
