// The Ollama dialect of the mock provider (see mock_ollama.h). Default error sentences are the
// ones Ollama itself writes (test/fixtures/providers/ollama/ and its server source).
#include "mock/mock_ollama.h"

#include <memory>
#include <string>
#include <utility>
#include <variant>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "mock/mock_json.h"
#include "mock/mock_openai_request.h"
#include "mock/mock_plan.h"
#include "mock/mock_text.h"
#include "wire/ollama/ollama_chunk_encoder.h"
#include "wire/ollama/ollama_error.h"
#include "wire/ollama/ollama_request.h"
#include "wire/ollama/ollama_response.h"
#include "wire/ollama/ollama_time.h"

namespace gw::mock {
namespace {

namespace json = boost::json;

constexpr std::string_view kJsonType = "application/json; charset=utf-8";
constexpr std::string_view kNdjsonType = "application/x-ndjson";
constexpr std::string_view kFallbackModel = "mock-llama";

MockReply render_error(int status, std::string_view message) {
  MockReply reply;
  reply.status = status;
  reply.headers.emplace_back("content-type", std::string(kJsonType));
  reply.body = ollama::encode_error_body(message);
  return reply;
}

// How Ollama names a model in its messages: "registry.ollama.ai/library/llama3.2:latest".
std::string qualified_model(std::string_view model) {
  std::string out = "registry.ollama.ai/";
  if (model.find('/') == std::string_view::npos) out += "library/";
  out += model;
  const std::size_t slash = out.rfind('/');
  if (out.find(':', slash) == std::string::npos) out += ":latest";
  return out;
}

// The sentence Ollama typically sends with `status` (used when a fault gives no body).
std::string default_fault_message(int status, std::string_view model) {
  if (model.empty()) model = kFallbackModel;
  switch (status) {
    case 400:
      return qualified_model(model) + " does not support tools";
    case 401:
      return "unauthorized";
    case 404:
      return "model '" + std::string(model) + "' not found, try pulling it first";
    case 500:
      return "llama runner process has terminated: signal: killed";
    case 503:
      return "server busy, please try again.  maximum pending requests exceeded";
    default:
      return "Mock provider injected HTTP " + std::to_string(status) + ".";
  }
}

StreamScript stream_script(const MockPlan& plan, const MockFault& fault) {
  const auto chunks = static_cast<std::size_t>(fault.chunks.value_or(0));
  const MockEvents events = plan_events(plan, "", chunks, !fault.no_usage.value_or(false));
  ollama::OllamaChunkEncoder encoder(plan.model, kMockCreated);
  StreamScript s = script_from_events(
      events, encoder, std::make_shared<ollama::OllamaChunkEncoder>(plan.model, kMockCreated));
  s.malformed = "{\"model\": broken json\n";
  s.error = ollama::encode_error_body(
                "an error was encountered while running the model: unexpected EOF") +
            "\n";
  return s;
}

class OllamaExchange final : public MockExchange {
 public:
  explicit OllamaExchange(const http::Request& request) {
    Result<ChatRequest> decoded = ollama::decode_chat_request(request.body);
    if (!decoded) {
      invalid_ = render_error(400, decoded.error().message);
      return;
    }
    model_ = decoded->model;
    stream_ = decoded->stream;
    auto planned = plan_chat(*decoded, request.body);
    if (auto* e = std::get_if<MockError>(&planned)) {
      invalid_ = render_error(e->status, e->message);
    } else {
      plan_ = std::move(std::get<MockPlan>(planned));
    }
  }

  const std::string& model() const override { return model_; }
  bool stream() const override { return stream_; }
  const std::optional<MockReply>& invalid() const override { return invalid_; }

  MockReply fault_reply(const MockFault& fault) const override {
    const int status = fault.status.value_or(200);
    MockReply reply = render_error(status, default_fault_message(status, model_));
    if (fault.body) reply.body = *fault.body;
    return reply;
  }

  MockReply reply(const MockFault& fault) const override {
    MockReply reply;
    if (stream_) {
      reply.headers.emplace_back("content-type", std::string(kNdjsonType));
      reply.stream = stream_script(plan_, fault);
    } else {
      ChatResponse response = plan_response(plan_, "");
      response.usage.present = !fault.no_usage.value_or(false);
      reply.headers.emplace_back("content-type", std::string(kJsonType));
      reply.body = ollama::encode_chat_response(response, plan_.model);
    }
    return reply;
  }

 private:
  std::string model_;
  bool stream_ = true;  // Ollama's default, also for a body it cannot read
  MockPlan plan_;
  std::optional<MockReply> invalid_;
};

// GET /api/tags: the locally "pulled" models, in Ollama's layout with fixed values.
std::string tags_body() {
  json::array models;
  for (const char* name : {"mock-llama:latest", "mock-llama-mini:latest"}) {
    const std::string hash = hex64(fnv1a64(name));
    models.push_back(json::object{
        {"name", name},
        {"model", name},
        {"modified_at", ollama::format_created_at(kMockCreated)},
        {"size", 0},
        {"digest", hash + hash + hash + hash},  // Ollama digests are 64 hex digits (sha256)
        {"details", json::object{{"parent_model", ""},
                                 {"format", "gguf"},
                                 {"family", "llama"},
                                 {"families", json::array{"llama"}},
                                 {"parameter_size", "0B"},
                                 {"quantization_level", "Q4_K_M"}}}});
  }
  return json_compact(json::object{{"models", std::move(models)}});
}

}  // namespace

bool OllamaMockDialect::serves(std::string_view method, std::string_view path) const {
  return method == "POST" && path == "/api/chat";
}

std::unique_ptr<MockExchange> OllamaMockDialect::open(const http::Request& request) const {
  return std::make_unique<OllamaExchange>(request);
}

std::optional<MockReply> OllamaMockDialect::side_reply(const http::Request& request) const {
  if (request.method != "GET" || request.path() != "/api/tags") return std::nullopt;
  MockReply reply;
  reply.headers.emplace_back("content-type", std::string(kJsonType));
  reply.body = tags_body();
  return reply;
}

MockReply OllamaMockDialect::error_reply(const MockError& error) const {
  return render_error(error.status, error.message);
}

}  // namespace gw::mock
