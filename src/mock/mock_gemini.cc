// The Gemini dialect of the mock provider (see mock_gemini.h): the request goes through the
// gateway's Gemini ingress decoder, the plan through the Gemini response and stream encoders, and
// faults get the bodies Google sends (the recorded fixtures where there is one).
#include "mock/mock_gemini.h"

#include <memory>
#include <string>
#include <utility>
#include <variant>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "common/percent_decode.h"
#include "mock/mock_json.h"
#include "mock/mock_openai_request.h"
#include "mock/mock_plan.h"
#include "mock/mock_text.h"
#include "wire/gemini/gemini_request.h"
#include "wire/gemini/gemini_response.h"
#include "wire/gemini/gemini_stream_encoder.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

constexpr std::string_view kGenerate = ":generateContent";
constexpr std::string_view kStream = ":streamGenerateContent";

// The model and method of …/models/{model}:{method}; empty model when the path has none.
struct ModelPath {
  std::string model;
  std::string_view method;  // "generateContent", "streamGenerateContent", or empty
};

ModelPath parse_model_path(std::string_view path) {
  ModelPath out;
  const std::size_t at = path.rfind("/models/");
  if (at == std::string_view::npos) return out;
  std::string_view rest = path.substr(at + 8);
  const std::size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos) {
    out.method = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  if (rest.find('/') != std::string_view::npos) return ModelPath{};
  out.model = percent_decode(rest);
  return out;
}

HeaderList gemini_headers(std::string content_type) {
  return {{"content-type", std::move(content_type)},
          {"vary", "Origin"},
          {"vary", "X-Origin"},
          {"vary", "Referer"},
          {"server-timing", "gfet4t7; dur=1"}};
}

// The google.rpc.Code name Google pairs with an HTTP status.
std::string_view status_name(int status) {
  switch (status) {
    case 400:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 409:
      return "ABORTED";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 499:
      return "CANCELLED";
    case 501:
      return "UNIMPLEMENTED";
    case 503:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
  }
}

bool is_status_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
  }
  return true;
}

json::object error_object(int status, std::string_view message, std::string_view status_text,
                          json::array details = {}) {
  json::object inner;
  inner["code"] = status;
  inner["message"] = message;
  inner["status"] = status_text;
  if (!details.empty()) inner["details"] = std::move(details);
  return json::object{{"error", std::move(inner)}};
}

MockReply render_error(int status, const json::object& body) {
  MockReply reply;
  reply.status = status;
  reply.headers = gemini_headers("application/json; charset=UTF-8");
  reply.body = json_pretty(body);
  return reply;
}

// test/fixtures/providers/gemini/error-400-api-key-invalid.json (Gemini answers a bad key 400).
json::object api_key_invalid(int status) {
  const std::string_view message = "API key not valid. Please pass a valid API key.";
  return error_object(
      status, message, "INVALID_ARGUMENT",
      json::array{json::object{
                      {"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                      {"reason", "API_KEY_INVALID"},
                      {"domain", "googleapis.com"},
                      {"metadata", json::object{{"service", "generativelanguage.googleapis.com"}}}},
                  json::object{{"@type", "type.googleapis.com/google.rpc.LocalizedMessage"},
                               {"locale", "en-US"},
                               {"message", message}},
                  json::object{{"@type", "type.googleapis.com/google.rpc.DebugInfo"},
                               {"detail", "Invalid API key: key1234"}}});
}

// test/fixtures/providers/gemini/error-429-resource-exhausted.json.
json::object rate_limited() {
  return error_object(
      429, "You exceeded your current quota, please check your plan.", "RESOURCE_EXHAUSTED",
      json::array{
          json::object{{"@type", "type.googleapis.com/google.rpc.QuotaFailure"},
                       {"violations",
                        json::array{json::object{
                            {"quotaId", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}}}}},
          json::object{{"@type", "type.googleapis.com/google.rpc.RetryInfo"},
                       {"retryDelay", "34.4s"}}});
}

// The body Gemini typically sends with `status`: the fixtures for 429 and 503, Google's
// standard texts for the other common codes.
json::object default_fault_body(int status, std::string_view model) {
  switch (status) {
    case 400:
      // Google's standard text; the API_KEY_INVALID fixture (a 400 too) is what a bad key gets
      // (the mock answers it when x-goog-api-key is missing, and a fault body can ask for it).
      return error_object(400, "Request contains an invalid argument.", "INVALID_ARGUMENT");
    case 401:
      return error_object(401,
                          "Request had invalid authentication credentials. Expected OAuth 2 "
                          "access token, login cookie or other valid authentication credential. "
                          "See https://developers.google.com/identity/sign-in/web/devconsole-"
                          "project.",
                          "UNAUTHENTICATED");
    case 403:
      return error_object(403,
                          "Method doesn't allow unregistered callers (callers without "
                          "established identity). Please use API Key or other form of API "
                          "consumer identity to call this API.",
                          "PERMISSION_DENIED");
    case 404:
      return error_object(404,
                          "models/" + std::string(model) +
                              " is not found for API version v1beta, or is not supported for "
                              "generateContent. Call ListModels to see the list of available "
                              "models and their supported methods.",
                          "NOT_FOUND");
    case 429:
      return rate_limited();
    case 500:
      return error_object(500,
                          "An internal error has occurred. Please retry or report in "
                          "https://developers.generativeai.google/guide/troubleshooting",
                          "INTERNAL");
    case 503:  // test/fixtures/providers/gemini/error-503-overloaded.json
      return error_object(503, "The model is overloaded. Please try again later.", "UNAVAILABLE");
    case 504:
      return error_object(504, "Deadline expired before operation could complete.",
                          "DEADLINE_EXCEEDED");
    default:
      return error_object(status, "Mock provider injected HTTP " + std::to_string(status) + ".",
                          status_name(status));
  }
}

std::string in_band_error() {
  return "data: " +
         json_compact(error_object(500,
                                   "An internal error has occurred. Please retry or report in "
                                   "https://developers.generativeai.google/guide/troubleshooting",
                                   "INTERNAL")) +
         "\r\n\r\n";
}

class GeminiExchange final : public MockExchange {
 public:
  explicit GeminiExchange(const http::Request& request) {
    const ModelPath path = parse_model_path(request.path());
    model_ = path.model;
    stream_ = path.method == kStream.substr(1);
    // Google checks the key first, and a missing or bad key is a 400 there, not a 401.
    if (request.header("x-goog-api-key").empty() &&
        request.target.find("key=") == std::string::npos) {
      invalid_ = render_error(400, api_key_invalid(400));
      return;
    }
    Result<ChatRequest> decoded =
        gemini::decode_generate_request(request.body, IngressContext{model_, stream_});
    if (!decoded) {
      invalid_ = render_error(400, error_object(400, decoded.error().message, "INVALID_ARGUMENT"));
      return;
    }
    auto planned = plan_chat(decoded.value(), request.body, "call_mock");
    if (auto* e = std::get_if<MockError>(&planned)) {
      invalid_ =
          render_error(e->status, error_object(e->status, e->message, status_name(e->status)));
      return;
    }
    plan_ = std::move(std::get<MockPlan>(planned));
  }

  const std::string& model() const override { return model_; }
  bool stream() const override { return stream_; }
  const std::optional<MockReply>& invalid() const override { return invalid_; }

  MockReply fault_reply(const MockFault& fault) const override {
    const int status = fault.status.value_or(200);
    MockReply reply = render_error(status, default_fault_body(status, model_));
    if (fault.body) reply.body = *fault.body;
    return reply;
  }

  MockReply reply(const MockFault& fault) const override {
    const std::string id = "mock" + plan_.hash;
    const bool with_usage = !fault.no_usage.value_or(false);
    MockReply reply;
    if (!stream_) {
      ChatResponse response = plan_response(plan_, id);
      response.usage.present = with_usage;
      reply.headers = gemini_headers("application/json; charset=UTF-8");
      // Google pretty-prints unary answers, 2-space indent, like its errors.
      reply.body = json_pretty(json::parse(gemini::encode_generate_response(response, model_)));
      return reply;
    }
    StreamStart start;
    start.id = id;
    start.model = model_;
    start.created = kMockCreated;
    start.include_usage = true;
    const MockEvents events =
        plan_events(plan_, id, static_cast<std::size_t>(fault.chunks.value_or(0)), with_usage);
    gemini::GeminiStreamEncoder encoder(start);
    reply.headers = gemini_headers("text/event-stream");
    reply.stream =
        script_from_events(events, encoder, std::make_shared<gemini::GeminiStreamEncoder>(start));
    reply.stream->malformed = "data: {\"candidates\": [{\"content\": broken json\r\n\r\n";
    reply.stream->error = in_band_error();
    return reply;
  }

 private:
  std::string model_;
  bool stream_ = false;
  MockPlan plan_;
  std::optional<MockReply> invalid_;
};

json::object model_info(std::string_view name) {
  return json::object{{"name", "models/" + std::string(name)},
                      {"version", "001"},
                      {"displayName", name},
                      {"description", "Mock Gemini model"},
                      {"inputTokenLimit", 1048576},
                      {"outputTokenLimit", 8192},
                      {"supportedGenerationMethods",
                       json::array{"generateContent", "streamGenerateContent", "countTokens"}},
                      {"temperature", 1},
                      {"topP", 0.95},
                      {"topK", 40},
                      {"maxTemperature", 2}};
}

}  // namespace

bool GeminiMockDialect::serves(std::string_view method, std::string_view path) const {
  return method == "POST" && path.find("/models/") != std::string_view::npos &&
         (path.ends_with(kGenerate) || path.ends_with(kStream));
}

std::unique_ptr<MockExchange> GeminiMockDialect::open(const http::Request& request) const {
  return std::make_unique<GeminiExchange>(request);
}

std::optional<MockReply> GeminiMockDialect::side_reply(const http::Request& request) const {
  if (request.method != "GET") return std::nullopt;
  const std::string_view path = request.path();
  MockReply reply;
  reply.headers = gemini_headers("application/json; charset=UTF-8");
  if (path.ends_with("/v1beta/models") || path.ends_with("/v1/models")) {
    json::array models;
    for (const char* id : {"mock-gemini", "mock-gemini-flash"}) models.push_back(model_info(id));
    reply.body = json_pretty(json::object{{"models", std::move(models)}});
    return reply;
  }
  const ModelPath model = parse_model_path(path);
  if (model.model.empty() || !model.method.empty() ||
      (path.find("/v1beta/models/") == std::string_view::npos &&
       path.find("/v1/models/") == std::string_view::npos)) {
    return std::nullopt;
  }
  reply.body = json_pretty(model_info(model.model));
  return reply;
}

MockReply GeminiMockDialect::error_reply(const MockError& error) const {
  const std::string_view status =
      is_status_name(error.type) ? std::string_view(error.type) : status_name(error.status);
  return render_error(error.status, error_object(error.status, error.message, status));
}

}  // namespace gw::mock
