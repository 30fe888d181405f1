// The OpenAI dialect of the mock provider (see mock_openai.h): renders planned answers as
// chat.completion bodies and chat.completion.chunk SSE records in the layout of the recorded
// fixtures, and OpenAI's pretty-printed error envelopes. Azure OpenAI's paths are served too,
// with Azure's own key check and envelope for what Azure refuses before the model runs.
#include "mock/mock_openai.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "common/percent_decode.h"
#include "mock/mock_json.h"
#include "mock/mock_openai_request.h"
#include "mock/mock_text.h"
#include "wire/json_read.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

json::value null_if_empty(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

HeaderList openai_headers(std::string content_type) {
  return {{"content-type", std::move(content_type)},
          {"openai-version", "2020-10-01"},
          {"openai-processing-ms", "1"},
          {"access-control-expose-headers", "X-Request-ID"}};
}

void add_rate_limit_headers(HeaderList& headers, bool exhausted) {
  headers.emplace_back("x-ratelimit-limit-requests", "10000");
  headers.emplace_back("x-ratelimit-limit-tokens", "30000000");
  headers.emplace_back("x-ratelimit-remaining-requests", exhausted ? "0" : "9999");
  headers.emplace_back("x-ratelimit-remaining-tokens", exhausted ? "0" : "29999000");
  headers.emplace_back("x-ratelimit-reset-requests", exhausted ? "1s" : "6ms");
  headers.emplace_back("x-ratelimit-reset-tokens", exhausted ? "1s" : "2ms");
}

std::string error_body(const MockError& e) {
  json::object inner;
  inner["message"] = e.message;
  inner["type"] = e.type;
  inner["param"] = null_if_empty(e.param);
  inner["code"] = null_if_empty(e.code);
  json::object outer;
  outer["error"] = std::move(inner);
  return json_pretty(outer);
}

MockReply render_error(const MockError& e) {
  MockReply reply;
  reply.status = e.status;
  reply.headers = openai_headers("application/json");
  reply.body = error_body(e);
  return reply;
}

// The body OpenAI typically sends with `status` (used when a fault gives no body of its own).
MockError default_fault_error(int status, const OpenAiChat* chat) {
  const std::string model = chat != nullptr && !chat->model.empty() ? chat->model : "gpt-4o";
  const std::string req_id = chat != nullptr ? "req_mock" + chat->hash : "req_mock";
  switch (status) {
    case 400:
      return {400,
              "This model's maximum context length is 128000 tokens. However, your messages "
              "resulted in 130000 tokens. Please reduce the length of the messages.",
              "invalid_request_error", "context_length_exceeded", "messages"};
    case 401:
      return {401,
              "Incorrect API key provided: sk-mock**************************ck00. You can find "
              "your API key at https://platform.openai.com/account/api-keys.",
              "invalid_request_error", "invalid_api_key", ""};
    case 402:  // spent credit: what OpenAI sends when billing is exhausted (never retried)
      return {402, "You exceeded your current quota, please check your plan and billing details.",
              "insufficient_quota", "insufficient_quota", ""};
    case 403:
      return {403, "Country, region, or territory not supported", "request_forbidden",
              "unsupported_country_region_territory", ""};
    case 404:
      return {404, "The model `" + model + "` does not exist or you do not have access to it.",
              "invalid_request_error", "model_not_found", ""};
    case 429:
      return {429,
              "Rate limit reached for " + model +
                  " in organization org-mock on requests per min (RPM): Limit 60, Used 60, "
                  "Requested 1. Please try again in 1s. Visit "
                  "https://platform.openai.com/account/rate-limits to learn more.",
              "requests", "rate_limit_exceeded", ""};
    case 500:
      return {500,
              "The server had an error processing your request. Sorry about that! You can retry "
              "your request, or contact us through our help center at help.openai.com if you "
              "keep seeing this error. (Please include the request ID " +
                  req_id + " in your email.)",
              "server_error", "", ""};
    case 503:
    case 529:
      return {status, "The server is overloaded or not ready yet.", "server_error", "", ""};
    default:
      return {status, "Mock provider injected HTTP " + std::to_string(status) + ".",
              status >= 500 ? "server_error" : "invalid_request_error", "", ""};
  }
}

json::object usage_json(const OpenAiChat& chat) {
  json::object prompt_details;
  prompt_details["cached_tokens"] = 0;
  prompt_details["audio_tokens"] = 0;
  json::object completion_details;
  completion_details["reasoning_tokens"] = 0;
  completion_details["audio_tokens"] = 0;
  completion_details["accepted_prediction_tokens"] = 0;
  completion_details["rejected_prediction_tokens"] = 0;
  json::object usage;
  usage["prompt_tokens"] = chat.prompt_tokens;
  usage["completion_tokens"] = chat.completion_tokens;
  usage["total_tokens"] = chat.prompt_tokens + chat.completion_tokens;
  usage["prompt_tokens_details"] = std::move(prompt_details);
  usage["completion_tokens_details"] = std::move(completion_details);
  return usage;
}

std::string completion_body(const OpenAiChat& chat, bool with_usage) {
  json::object message;
  message["role"] = "assistant";
  if (chat.calls.empty()) {
    message["content"] = chat.content;
  } else {
    message["content"] = nullptr;
    json::array calls;
    for (const auto& c : chat.calls) {
      json::object fn;
      fn["name"] = c.name;
      fn["arguments"] = c.arguments;
      json::object call;
      call["id"] = c.id;
      call["type"] = "function";
      call["function"] = std::move(fn);
      calls.push_back(std::move(call));
    }
    message["tool_calls"] = std::move(calls);
  }
  message["refusal"] = nullptr;
  message["annotations"] = json::array();

  json::object choice;
  choice["index"] = 0;
  choice["message"] = std::move(message);
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = chat.calls.empty() ? "stop" : "tool_calls";

  json::object body;
  body["id"] = chat.id;
  body["object"] = "chat.completion";
  body["created"] = kMockCreated;
  body["model"] = chat.model;
  body["choices"] = json::array{std::move(choice)};
  if (with_usage) body["usage"] = usage_json(chat);
  body["service_tier"] = "default";
  body["system_fingerprint"] = "fp_mock";
  return json_pretty(body);
}

// Frames chat.completion.chunk records; the constant head of every chunk is built once.
class ChunkWriter {
 public:
  explicit ChunkWriter(const OpenAiChat& chat) : usage_null_(chat.include_usage) {
    head_ = R"(data: {"id":)" + json_quote(chat.id) +
            R"(,"object":"chat.completion.chunk","created":)" + std::to_string(kMockCreated) +
            R"(,"model":)" + json_quote(chat.model) +
            R"(,"service_tier":"default","system_fingerprint":"fp_mock","choices":[)";
  }

  std::string delta(std::string_view delta_json, std::string_view finish_reason = "null") const {
    std::string out;
    out.reserve(head_.size() + delta_json.size() + 96);
    out += head_;
    out += R"({"index":0,"delta":)";
    out += delta_json;
    out += R"(,"logprobs":null,"finish_reason":)";
    out += finish_reason;
    out += "}]";
    if (usage_null_) out += R"(,"usage":null)";
    out += "}\n\n";
    return out;
  }

  std::string content(std::string_view text) const {
    return delta(R"({"content":)" + json_quote(text) + "}");
  }

  std::string usage(const json::object& usage) const {
    return head_ + R"(],"usage":)" + json_compact(usage) + "}\n\n";
  }

 private:
  std::string head_;
  bool usage_null_;
};

StreamScript stream_script(const OpenAiChat& chat, const MockFault& fault) {
  const ChunkWriter w(chat);
  StreamScript s;
  const auto requested = static_cast<std::size_t>(fault.chunks.value_or(0));

  if (chat.calls.empty()) {
    s.lead.push_back(w.delta(R"({"role":"assistant","content":"","refusal":null})"));
    for (const auto& piece : split_chunks(chat.content, requested)) {
      s.content.push_back(w.content(piece));
    }
  } else {
    // As recorded (chat-stream-parallel-tools.sse): the role chunk has content null, each call
    // opens with id/type/name and empty arguments, then only index + argument fragments follow.
    s.lead.push_back(w.delta(R"({"role":"assistant","content":null})"));
    for (std::size_t i = 0; i < chat.calls.size(); ++i) {
      const auto& c = chat.calls[i];
      const std::string index = std::to_string(i);
      s.content.push_back(w.delta(R"({"tool_calls":[{"index":)" + index + R"(,"id":)" +
                                  json_quote(c.id) + R"(,"type":"function","function":{"name":)" +
                                  json_quote(c.name) + R"(,"arguments":""}}]})"));
      const std::size_t pieces = requested == 0 ? kArgumentFragments : requested;
      for (const auto& frag : split_even(c.arguments, pieces)) {
        s.content.push_back(w.delta(R"({"tool_calls":[{"index":)" + index +
                                    R"(,"function":{"arguments":)" + json_quote(frag) + "}}]}"));
      }
    }
  }

  s.trail.push_back(w.delta("{}", chat.calls.empty() ? R"("stop")" : R"("tool_calls")"));
  if (chat.include_usage && !fault.no_usage.value_or(false)) {
    s.trail.push_back(w.usage(usage_json(chat)));
  }
  s.trail.emplace_back("data: [DONE]\n\n");

  // Endless streams cycle through the words of the reply text.
  auto words = std::make_shared<const std::vector<std::string>>(
      split_words(chat.content.empty() ? std::string_view(" mock") : chat.content));
  s.endless = [w, words](std::size_t i) { return w.content((*words)[i % words->size()]); };
  s.malformed = "data: {\"id\": broken json\n\n";
  s.error =
      "data: " +
      json_compact(json::object{
          {"error", json::object{{"message",
                                  "The server had an error while processing your request. Sorry "
                                  "about that!"},
                                 {"type", "server_error"},
                                 {"param", nullptr},
                                 {"code", nullptr}}}}) +
      "\n\n";
  return s;
}

class OpenAiExchange final : public MockExchange {
 public:
  // A request refused before planning (Azure's missing key or api-version).
  explicit OpenAiExchange(MockReply rejected) : invalid_(std::move(rejected)) {}

  explicit OpenAiExchange(std::variant<OpenAiChat, MockError> planned) {
    if (auto* e = std::get_if<MockError>(&planned)) {
      invalid_ = render_error(*e);
    } else {
      chat_ = std::move(std::get<OpenAiChat>(planned));
    }
  }

  const std::string& model() const override { return chat_.model; }
  bool stream() const override { return chat_.stream; }
  const std::optional<MockReply>& invalid() const override { return invalid_; }

  MockReply fault_reply(const MockFault& fault) const override {
    const int status = fault.status.value_or(200);
    const OpenAiChat* chat = invalid_ ? nullptr : &chat_;
    MockReply reply = render_error(default_fault_error(status, chat));
    if (fault.body) reply.body = *fault.body;
    if (status == 429) add_rate_limit_headers(reply.headers, true);
    return reply;
  }

  MockReply reply(const MockFault& fault) const override {
    MockReply reply;
    if (chat_.stream) {
      reply.headers = openai_headers("text/event-stream; charset=utf-8");
      reply.headers.emplace_back("cache-control", "no-cache");
      reply.stream = stream_script(chat_, fault);
    } else {
      reply.headers = openai_headers("application/json");
      reply.body = completion_body(chat_, !fault.no_usage.value_or(false));
    }
    add_rate_limit_headers(reply.headers, false);
    return reply;
  }

 private:
  OpenAiChat chat_;
  std::optional<MockReply> invalid_;
};

// Azure OpenAI serves the same wire format at /openai/deployments/{deployment}/chat/completions
// ?api-version=… and at the v1 surface /openai/v1/chat/completions (model in the body).
constexpr std::string_view kAzureDeployments = "/openai/deployments/";
constexpr std::string_view kAzureV1 = "/openai/v1/chat/completions";

MockReply azure_error(int status, std::string_view message) {
  MockReply reply;
  reply.status = status;
  reply.headers = {{"content-type", "application/json"}};
  reply.body = json_compact(json::object{
      {"error", json::object{{"code", std::to_string(status)}, {"message", message}}}});
  return reply;
}

// The deployment named by an Azure deployments path; nullopt for any other path.
std::optional<std::string> azure_deployment(std::string_view path) {
  const std::size_t at = path.find(kAzureDeployments);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = path.substr(at + kAzureDeployments.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  return percent_decode(rest.substr(0, slash));
}

// Azure's deployments path needs no model in the body: the deployment answers.
std::string with_model(const std::string& body, const std::string& deployment) {
  Result<json::value> parsed = parse_json(body, ErrorKind::caller_invalid_request);
  if (!parsed || !parsed->is_object()) return body;  // planning reports the problem
  const json::object& o = parsed->get_object();
  if (const json::value* m = o.if_contains("model"); m != nullptr && !m->is_null()) return body;
  json::object out{{"model", deployment}};
  for (const auto& kv : o) {
    if (kv.key() != "model") out.emplace(kv.key(), kv.value());
  }
  return json_compact(out);
}

std::unique_ptr<MockExchange> open_azure(const http::Request& request,
                                         const std::optional<std::string>& deployment) {
  // Azure takes its key in api-key, or an Entra ID token as Authorization: Bearer.
  if (request.header("api-key").empty() && request.header("authorization").empty()) {
    return std::make_unique<OpenAiExchange>(azure_error(
        401,
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to "
        "provide a valid key for an active subscription and use a correct regional API "
        "endpoint for your resource."));
  }
  if (!deployment) return std::make_unique<OpenAiExchange>(plan_openai_chat(request.body));
  if (request.query().find("api-version=") == std::string_view::npos) {
    return std::make_unique<OpenAiExchange>(azure_error(404, "Resource not found"));
  }
  return std::make_unique<OpenAiExchange>(plan_openai_chat(with_model(request.body, *deployment)));
}

std::string models_body() {
  json::array data;
  for (const char* id : {"mock-gpt", "mock-gpt-mini"}) {
    data.push_back(json::object{
        {"id", id}, {"object", "model"}, {"created", kMockCreated}, {"owned_by", "mock"}});
  }
  return json_pretty(json::object{{"object", "list"}, {"data", std::move(data)}});
}

}  // namespace

bool OpenAiMockDialect::serves(std::string_view method, std::string_view path) const {
  return method == "POST" && ends_with(path, "/chat/completions");
}

std::unique_ptr<MockExchange> OpenAiMockDialect::open(const http::Request& request) const {
  const std::string_view path = request.path();
  std::optional<std::string> deployment = azure_deployment(path);
  if (deployment || ends_with(path, kAzureV1)) return open_azure(request, deployment);
  return std::make_unique<OpenAiExchange>(plan_openai_chat(request.body));
}

std::optional<MockReply> OpenAiMockDialect::side_reply(const http::Request& request) const {
  // Gemini's model list (/v1beta/models) belongs to the Gemini dialect.
  if (request.method != "GET" || !ends_with(request.path(), "/models") ||
      request.path().starts_with("/v1beta/")) {
    return std::nullopt;
  }
  MockReply reply;
  reply.headers = openai_headers("application/json");
  reply.body = models_body();
  return reply;
}

MockReply OpenAiMockDialect::error_reply(const MockError& error) const {
  return render_error(error);
}

}  // namespace gw::mock
