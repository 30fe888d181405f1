// The Bedrock dialect of the mock provider (see mock_bedrock.h). Fault bodies are the recorded
// ones where test/fixtures/providers/bedrock/ has them (400, 429), Bedrock's documented exception
// texts for the other common statuses.
#include "mock/mock_bedrock.h"

#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "common/percent_decode.h"
#include "http/framing/eventstream_writer.h"
#include "mock/mock_plan.h"
#include "mock/mock_text.h"
#include "wire/bedrock/bedrock_error.h"
#include "wire/bedrock/bedrock_request.h"
#include "wire/bedrock/bedrock_response.h"
#include "wire/bedrock/bedrock_stream_encoder.h"

namespace gw::mock {
namespace {

constexpr std::string_view kConverse = "/converse";
constexpr std::string_view kConverseStream = "/converse-stream";
constexpr std::int64_t kMockLatencyMs = 1;  // metrics.latencyMs; fixed so output is reproducible

// The model and operation of …/model/{modelId}/converse[-stream]; empty model when the path is
// not one.
struct ConversePath {
  std::string model;
  bool stream = false;
};

ConversePath parse_path(std::string_view path) {
  ConversePath out;
  if (path.ends_with(kConverseStream)) {
    out.stream = true;
    path.remove_suffix(kConverseStream.size());
  } else if (path.ends_with(kConverse)) {
    path.remove_suffix(kConverse.size());
  } else {
    return {};
  }
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == path.size()) return {};
  if (!path.substr(0, slash).ends_with("/model")) return {};
  out.model = percent_decode(path.substr(slash + 1));
  return out;
}

// x-amzn-requestid: a UUID-shaped id derived from the body hash (deterministic, like all output).
std::string request_id(std::string_view hash) {
  const std::string first = hex64(fnv1a64(hash));
  const std::string hex = first + hex64(fnv1a64(first));  // 32 hex digits
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

HeaderList bedrock_headers(std::string content_type, std::string_view hash) {
  return {{"content-type", std::move(content_type)}, {"x-amzn-requestid", request_id(hash)}};
}

MockReply render_error(int status, std::string_view exception, std::string body,
                       std::string_view hash) {
  MockReply reply;
  reply.status = status;
  reply.headers = bedrock_headers("application/json", hash);
  reply.headers.emplace_back("x-amzn-errortype", bedrock::errortype_header(exception));
  reply.body = std::move(body);
  return reply;
}

constexpr std::string_view kInternalError =
    "The system encountered an unexpected error during processing. Try your request again.";

// The body Bedrock typically sends with `status`.
std::string default_fault_body(int status) {
  switch (status) {
    case 400:  // test/fixtures/providers/bedrock/error-400-validation.json
      return R"({"message":"The provided model identifier is invalid."})";
    case 401:
    case 403:
      return bedrock::error_body(status == 401
                                     ? "The security token included in the request is invalid."
                                     : "You don't have access to the model with the specified "
                                       "model ID.");
    case 408:
      return bedrock::error_body(
          "Model has timed out in processing the request. Try your request again.");
    case 429:  // test/fixtures/providers/bedrock/error-429-throttling.json
      return R"({"__type":"ThrottlingException","message":"Rate exceeded"})";
    case 500:
      return bedrock::error_body(kInternalError);
    case 503:
      return bedrock::error_body("Bedrock is unable to process your request.");
    default:
      return bedrock::error_body("Mock provider injected HTTP " + std::to_string(status) + ".");
  }
}

bool authorized(const http::Request& request) {
  const std::string_view auth = request.header("authorization");
  return auth.starts_with("AWS4-HMAC-SHA256 Credential=") || auth.starts_with("Bearer ");
}

std::string stream_message(std::string_view message_type, std::string_view type_header,
                           std::string_view type, std::string_view payload) {
  Result<std::string> bytes =
      encode_eventstream_message({{std::string(type_header), std::string(type)},
                                  {":content-type", "application/json"},
                                  {":message-type", std::string(message_type)}},
                                 payload);
  return bytes ? bytes.value() : std::string();
}

class BedrockExchange final : public MockExchange {
 public:
  explicit BedrockExchange(const http::Request& request) {
    const ConversePath path = parse_path(request.path());
    model_ = path.model;
    stream_ = path.stream;
    hash_ = hex64(fnv1a64(request.body));
    if (!authorized(request)) {
      invalid_ = render_error(403, "MissingAuthenticationTokenException",
                              bedrock::error_body("Missing Authentication Token"), hash_);
      return;
    }
    Result<ChatRequest> decoded = bedrock::decode_converse_request(request.body, model_, stream_);
    if (!decoded) {
      invalid_ = render_error(400, "ValidationException",
                              bedrock::error_body(decoded.error().message), hash_);
      return;
    }
    auto planned = plan_chat(decoded.value(), request.body, "tooluse_mock");
    if (auto* e = std::get_if<MockError>(&planned)) {
      invalid_ = render_error(e->status, bedrock::exception_for_status(e->status),
                              bedrock::error_body(e->message), hash_);
      return;
    }
    plan_ = std::move(std::get<MockPlan>(planned));
  }

  const std::string& model() const override { return model_; }
  bool stream() const override { return stream_; }
  const std::optional<MockReply>& invalid() const override { return invalid_; }

  MockReply fault_reply(const MockFault& fault) const override {
    const int status = fault.status.value_or(200);
    return render_error(status, bedrock::exception_for_status(status),
                        fault.body ? *fault.body : default_fault_body(status), hash_);
  }

  MockReply reply(const MockFault& fault) const override {
    const bool with_usage = !fault.no_usage.value_or(false);
    MockReply reply;
    if (!stream_) {
      ChatResponse response = plan_response(plan_, "");
      response.usage.present = with_usage;
      reply.headers = bedrock_headers("application/json", hash_);
      reply.body = bedrock::encode_converse_response(response, kMockLatencyMs);
      return reply;
    }
    const MockEvents events =
        plan_events(plan_, "", static_cast<std::size_t>(fault.chunks.value_or(0)), with_usage);
    bedrock::BedrockStreamEncoder encoder(kMockLatencyMs);
    reply.headers = bedrock_headers("application/vnd.amazon.eventstream", hash_);
    reply.stream = script_from_events(
        events, encoder, std::make_shared<bedrock::BedrockStreamEncoder>(kMockLatencyMs));
    // Valid framing (both CRCs right) around a payload that is not JSON.
    reply.stream->malformed = stream_message("event", ":event-type", "contentBlockDelta",
                                             R"({"contentBlockIndex":0,"delta": broken)");
    reply.stream->error = stream_message("exception", ":exception-type", "internalServerException",
                                         bedrock::error_body(kInternalError));
    return reply;
  }

 private:
  std::string model_;
  bool stream_ = false;
  std::string hash_;
  MockPlan plan_;
  std::optional<MockReply> invalid_;
};

bool names_exception(std::string_view type) {
  return type.size() > 9 && type.ends_with("Exception");
}

}  // namespace

bool BedrockMockDialect::serves(std::string_view method, std::string_view path) const {
  return method == "POST" && !parse_path(path).model.empty();
}

std::unique_ptr<MockExchange> BedrockMockDialect::open(const http::Request& request) const {
  return std::make_unique<BedrockExchange>(request);
}

std::optional<MockReply> BedrockMockDialect::side_reply(const http::Request& /*request*/) const {
  return std::nullopt;
}

MockReply BedrockMockDialect::error_reply(const MockError& error) const {
  const std::string_view exception = names_exception(error.type)
                                         ? std::string_view(error.type)
                                         : bedrock::exception_for_status(error.status);
  return render_error(error.status, exception, bedrock::error_body(error.message), "");
}

}  // namespace gw::mock
