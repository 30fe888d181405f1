// The Anthropic dialect of the mock provider (see mock_anthropic.h): plans with plan_chat and
// renders with wire/anthropic's response and stream encoders, so the mock speaks exactly what
// the gateway's Anthropic ingress speaks; errors use Anthropic's envelope and headers as
// recorded in test/fixtures/providers/anthropic/manifest.json.
#include "mock/mock_anthropic.h"

#include <memory>
#include <string>
#include <utility>
#include <variant>

#include <boost/json/object.hpp>

#include "common/json_text.h"
#include "mock/mock_openai_request.h"
#include "mock/mock_plan.h"
#include "mock/mock_text.h"
#include "wire/anthropic/anthropic_request.h"
#include "wire/anthropic/anthropic_response.h"
#include "wire/anthropic/anthropic_stream_encoder.h"
#include "wire/json_read.h"
#include "wire/json_write.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

constexpr std::string_view kStreamContentType = "text/event-stream; charset=utf-8";

// Anthropic's SDKs retry when x-should-retry says so; the API sets it for these statuses.
bool should_retry(int status) {
  return status == 408 || status == 409 || status == 429 || status >= 500;
}

HeaderList anthropic_headers(std::string_view content_type, const std::string& hash, int status) {
  HeaderList h{{"content-type", std::string(content_type)}, {"request-id", "req_mock" + hash}};
  if (status >= 400) h.emplace_back("x-should-retry", should_retry(status) ? "true" : "false");
  return h;
}

void add_rate_limit_headers(HeaderList& headers, bool exhausted) {
  headers.emplace_back("anthropic-ratelimit-requests-limit", "50");
  headers.emplace_back("anthropic-ratelimit-requests-remaining", exhausted ? "0" : "49");
  headers.emplace_back("anthropic-ratelimit-requests-reset", "2023-11-14T22:13:21Z");
  headers.emplace_back("anthropic-ratelimit-tokens-limit", "40000");
  headers.emplace_back("anthropic-ratelimit-tokens-remaining", exhausted ? "0" : "39000");
  headers.emplace_back("anthropic-ratelimit-tokens-reset", "2023-11-14T22:13:21Z");
}

// The envelope field order of the recorded 429 and 529 bodies: type, error, request_id.
std::string error_body(std::string_view type, std::string_view message, const std::string& hash) {
  std::string out = R"({"type":"error","error":{"type":)";
  json_quote_append(out, type);
  out.append(R"(,"message":)");
  json_quote_append(out, message);
  out.append(R"(},"request_id":)");
  json_quote_append(out, "req_mock" + hash);
  out.push_back('}');
  return out;
}

std::string_view type_for_status(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

MockReply render_error(int status, std::string_view type, std::string_view message,
                       const std::string& hash) {
  MockReply reply;
  reply.status = status;
  reply.headers = anthropic_headers("application/json", hash, status);
  reply.body = error_body(type, message, hash);
  return reply;
}

// The message Anthropic typically sends with `status` (when a fault gives no body of its own).
std::string default_message(int status, const std::string& model) {
  switch (status) {
    case 400:
      return "prompt is too long: 200001 tokens > 200000 maximum";
    case 401:
      return "invalid x-api-key";
    case 403:
      return "Your API key does not have permission to use the specified resource.";
    case 404:
      return "model: " + (model.empty() ? std::string("claude-mock") : model);
    case 413:
      return "Request exceeds the maximum allowed number of bytes.";
    case 429:
      return "This request would exceed the rate limit for your organization (mock) of 50 "
             "requests per minute. For details, refer to: "
             "https://docs.claude.com/en/api/rate-limits. You can see the response headers for "
             "current usage. Please reduce the prompt length or the maximum tokens requested, or "
             "try again later.";
    case 500:
      return "Internal server error";
    case 504:
      return "Request timed out";
    case 529:
      return "Overloaded";
    default:
      return "Mock provider injected HTTP " + std::to_string(status) + ".";
  }
}

// The body without its usage object (the no-usage fault); numbers keep their written form.
std::string without_usage(const std::string& body) {
  Result<json::value> parsed = parse_json(body, ErrorKind::gateway_internal);
  if (!parsed || !parsed->is_object()) return body;
  parsed->as_object().erase("usage");
  return gw::json_compact(*parsed);
}

StreamScript stream_script(const MockPlan& plan, const std::string& id, const MockFault& fault) {
  const bool with_usage = !fault.no_usage.value_or(false);
  StreamStart start;
  start.id = id;
  start.model = plan.model;
  start.created = kMockCreated;
  start.include_usage = with_usage;
  const MockEvents events =
      plan_events(plan, id, static_cast<std::size_t>(fault.chunks.value_or(0)), with_usage);

  // The endless encoder continues where the content left off (same block numbering).
  auto endless = std::make_shared<anthropic::AnthropicStreamEncoder>(start, with_usage);
  std::string discard;
  for (const auto* part : {&events.lead, &events.content}) {
    for (const auto& e : *part) endless->event(e, discard);
  }
  anthropic::AnthropicStreamEncoder encoder(start, with_usage);
  StreamScript s = script_from_events(events, encoder, std::move(endless));
  // The API pings right after message_start.
  s.lead.emplace_back("event: ping\ndata: {\"type\": \"ping\"}\n\n");
  s.malformed = "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", broken\n\n";
  // The documented mid-stream failure (messages-stream-overloaded-error.sse).
  s.error =
      "event: error\ndata: "
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"
      "\n\n";
  return s;
}

class AnthropicExchange final : public MockExchange {
 public:
  // A rejected request: the reply is ready, nothing is planned.
  AnthropicExchange(std::string hash, MockReply invalid)
      : hash_(std::move(hash)), invalid_(std::move(invalid)) {}
  AnthropicExchange(std::string hash, MockPlan plan, bool stream)
      : hash_(std::move(hash)), plan_(std::move(plan)), stream_(stream), id_("msg_mock" + hash_) {}

  const std::string& model() const override { return plan_.model; }
  bool stream() const override { return stream_; }
  const std::optional<MockReply>& invalid() const override { return invalid_; }

  MockReply fault_reply(const MockFault& fault) const override {
    const int status = fault.status.value_or(200);
    MockReply reply =
        render_error(status, type_for_status(status), default_message(status, plan_.model), hash_);
    if (fault.body) reply.body = *fault.body;
    if (status == 429) add_rate_limit_headers(reply.headers, true);
    if (status == 529) reply.headers.emplace_back("cache-control", "no-store, no-cache");
    return reply;
  }

  MockReply reply(const MockFault& fault) const override {
    MockReply reply;
    if (stream_) {
      reply.headers = anthropic_headers(kStreamContentType, hash_, 200);
      reply.headers.emplace_back("cache-control", "no-cache");
      reply.stream = stream_script(plan_, id_, fault);
    } else {
      reply.headers = anthropic_headers("application/json", hash_, 200);
      reply.body = anthropic::encode_messages_response(plan_response(plan_, id_), plan_.model);
      if (fault.no_usage.value_or(false)) reply.body = without_usage(reply.body);
    }
    add_rate_limit_headers(reply.headers, false);
    return reply;
  }

 private:
  std::string hash_;
  MockPlan plan_;
  bool stream_ = false;
  std::string id_;
  std::optional<MockReply> invalid_;
};

}  // namespace

bool AnthropicMockDialect::serves(std::string_view method, std::string_view path) const {
  return method == "POST" && path.ends_with("/v1/messages");
}

std::unique_ptr<MockExchange> AnthropicMockDialect::open(const http::Request& request) const {
  std::string hash = hex64(fnv1a64(request.body));
  auto reject = [&hash](int status, std::string_view type, std::string_view message) {
    MockReply reply = render_error(status, type, message, hash);
    return std::make_unique<AnthropicExchange>(hash, std::move(reply));
  };
  if (request.header("anthropic-version").empty()) {
    return reject(400, "invalid_request_error", "anthropic-version: header is required");
  }
  Result<ChatRequest> decoded = anthropic::decode_messages_request(request.body);
  if (!decoded) return reject(400, "invalid_request_error", decoded.error().message);
  auto planned = plan_chat(*decoded, request.body, "toolu_mock");
  if (auto* e = std::get_if<MockError>(&planned)) return reject(e->status, e->type, e->message);
  const bool stream = decoded->stream;
  return std::make_unique<AnthropicExchange>(std::move(hash),
                                             std::move(std::get<MockPlan>(planned)), stream);
}

std::optional<MockReply> AnthropicMockDialect::side_reply(const http::Request& /*request*/) const {
  return std::nullopt;
}

MockReply AnthropicMockDialect::error_reply(const MockError& error) const {
  const std::string_view type = error.type.empty() ? type_for_status(error.status) : error.type;
  return render_error(error.status, type, error.message, "");
}

}  // namespace gw::mock
