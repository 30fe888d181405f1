// One live smoke call: build the canonical request, send it the way the chat pipeline sends an
// attempt, and check the answer (text for chat and stream, a get_weather call with JSON object
// arguments for the tool scenario).
#include "main/smoke_calls.h"

#include <chrono>
#include <memory>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "api/request_id.h"
#include "wire/json_read.h"
#include "wire/tool_schema/tool_schema.h"

namespace gw {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxBody = 4 * 1024 * 1024;
constexpr std::size_t kMaxErrorBody = 1024 * 1024;
// Room for models that think before they answer (gemini-2.5-flash does by default) while
// still capping what a smoke round can cost.
constexpr std::int64_t kMaxTokens = 512;
constexpr std::string_view kToolName = "get_weather";

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// The answer came back but is not what the scenario asked for.
Error check_failed(std::string message) {
  return Error::make(ErrorKind::provider_bad_response, std::move(message), "smoke_check_failed");
}

std::string_view finish_name(FinishReason f) {
  switch (f) {
    case FinishReason::stop:
      return "stop";
    case FinishReason::length:
      return "length";
    case FinishReason::tool_calls:
      return "tool_calls";
    case FinishReason::content_filter:
      return "content_filter";
    case FinishReason::error:
      return "error";
    case FinishReason::unset:
      break;
  }
  return "unset";
}

ChatRequest user_request(std::string prompt) {
  ChatRequest r;
  Message m;
  m.role = Role::user;
  m.content.push_back(ContentBlock::make_text(std::move(prompt)));
  r.messages.push_back(std::move(m));
  r.max_tokens = kMaxTokens;
  return r;
}

Status check_text(const ChatResponse& response) {
  for (const auto& block : response.content) {
    if (block.type == BlockType::text && !block.text.empty()) return Status{};
  }
  return check_failed(
      "the answer has no text (finish: " + std::string(finish_name(response.finish)) + ")");
}

Status check_tool_call(const ChatResponse& response) {
  for (const auto& block : response.content) {
    if (block.type != BlockType::tool_use) continue;
    if (block.name != kToolName) {
      return check_failed("the tool call names \"" + block.name + "\", not " +
                          std::string(kToolName));
    }
    boost::system::error_code ec;
    json::value args = json::parse(block.arguments, ec);
    if (ec || !args.is_object()) {
      return check_failed("the get_weather arguments are not a JSON object: " + block.arguments);
    }
    if (!json_string_field(args.get_object(), "city").empty()) return Status{};
    return check_failed("the get_weather arguments have no string \"city\": " + block.arguments);
  }
  return check_failed("no tool call came back although get_weather was forced (finish: " +
                      std::string(finish_name(response.finish)) + ")");
}

// The request as the provider accepts it, plus the tool renames to undo (as the pipeline).
struct Prepared {
  UpstreamRequest upstream;
  tool_schema::ToolNameMap names;
  std::string request_id;  // one id for encode and the client's x-request-id
};

Result<Prepared> prepare(const SmokeLink& link, const ChatRequest& request) {
  Prepared p;
  auto compiled =
      tool_schema::compile_request(request, link.adapter->capabilities().tools, p.names);
  if (!compiled) return std::move(compiled).error();
  const ChatRequest& effective = compiled->has_value() ? **compiled : request;
  p.request_id = generate_request_id();
  EncodeContext ctx;
  ctx.request_id = p.request_id;
  ctx.now = std::chrono::system_clock::now();
  auto encoded = link.adapter->encode(effective, link.model, ctx);
  if (!encoded) return std::move(encoded).error();
  p.upstream = std::move(encoded).value();
  return p;
}

// Sends and reads the head; a non-2xx answer becomes the provider's typed error.
asio::awaitable<Result<std::unique_ptr<http::UpstreamExchange>>> open(SmokeLink link,
                                                                      UpstreamRequest upstream,
                                                                      std::string request_id) {
  http::UpstreamCall call;
  call.endpoint = link.endpoint;
  call.request = std::move(upstream);
  call.timeouts = link.timeouts;
  call.request_id = std::move(request_id);
  auto opened = co_await link.client->send(std::move(call));
  if (!opened) co_return std::move(opened).error();
  auto ex = std::move(opened).value();
  if (ex->status() >= 200 && ex->status() < 300) co_return ex;
  auto body = co_await ex->read_all(kMaxErrorBody);
  std::string text = body ? std::move(body).value() : std::string();
  Error e = link.adapter->decode_error(ex->status(), ex->header_lookup(), text);
  if (e.upstream_status == 0) e.upstream_status = ex->status();
  co_return e;
}

asio::awaitable<SmokeCallResult> unary_call(SmokeLink link, ChatRequest request, bool want_tool) {
  SmokeCallResult out;
  auto prepared = prepare(link, request);
  if (!prepared) {
    out.error = std::move(prepared).error();
    co_return out;
  }
  const auto sent = Clock::now();
  auto opened = co_await open(link, std::move(prepared->upstream), prepared->request_id);
  if (!opened) {
    out.latency_ms = ms_since(sent);
    out.error = std::move(opened).error();
    co_return out;
  }
  auto ex = std::move(opened).value();
  auto body = co_await ex->read_all(kMaxBody);
  out.latency_ms = ms_since(sent);
  if (!body) {
    out.error = std::move(body).error();
    co_return out;
  }
  auto response = link.adapter->decode_response(*body);
  if (!response) {
    out.error = std::move(response).error();
    co_return out;
  }
  if (!prepared->names.empty()) tool_schema::restore_names(*response, prepared->names);
  out.usage = response->usage;
  Status checked = want_tool ? check_tool_call(*response) : check_text(*response);
  if (!checked) out.error = std::move(checked).error();
  co_return out;
}

bool is_content(const StreamEvent& e) {
  return e.type == StreamEvent::Type::text_delta || e.type == StreamEvent::Type::reasoning_delta ||
         e.type == StreamEvent::Type::tool_call_start ||
         e.type == StreamEvent::Type::tool_call_delta;
}

asio::awaitable<SmokeCallResult> stream_call(SmokeLink link, ChatRequest request) {
  SmokeCallResult out;
  auto prepared = prepare(link, request);
  if (!prepared) {
    out.error = std::move(prepared).error();
    co_return out;
  }
  const auto sent = Clock::now();
  auto opened = co_await open(link, std::move(prepared->upstream), prepared->request_id);
  if (!opened) {
    out.latency_ms = ms_since(sent);
    out.error = std::move(opened).error();
    co_return out;
  }
  auto ex = std::move(opened).value();
  auto decoder = link.adapter->make_stream_decoder();
  std::vector<StreamEvent> events;
  bool finished = false;
  bool saw_text = false;
  FinishReason finish = FinishReason::unset;
  while (!finished) {
    auto piece = co_await ex->read_some();
    Status st = decoder->take(std::move(piece), events, finished);
    for (const auto& e : events) {
      if (!out.ttft_ms && is_content(e)) out.ttft_ms = ms_since(sent);
      if (e.type == StreamEvent::Type::text_delta && !e.text.empty()) saw_text = true;
      if (e.type == StreamEvent::Type::finish) finish = e.finish;
      if (e.type == StreamEvent::Type::usage) out.usage = e.usage;
    }
    events.clear();
    if (!st) {
      out.error = std::move(st).error();
      break;
    }
  }
  out.latency_ms = ms_since(sent);
  if (!out.error && !saw_text) {
    out.error = check_failed(
        "the stream carried no text (finish: " + std::string(finish_name(finish)) + ")");
  }
  co_return out;
}

}  // namespace

std::string_view name(SmokeScenario scenario) {
  switch (scenario) {
    case SmokeScenario::chat:
      return "chat";
    case SmokeScenario::stream:
      return "stream";
    case SmokeScenario::tool:
      return "tool";
  }
  return "?";
}

ChatRequest smoke_chat_request() {
  return user_request("Reply with one short sentence: what colour is the sky on a clear day?");
}

ChatRequest smoke_stream_request() {
  ChatRequest r = user_request("Count from one to five in words, separated by commas.");
  r.stream = true;
  r.include_usage = true;
  return r;
}

ChatRequest smoke_tool_request() {
  ChatRequest r = user_request("What is the weather in Paris right now? Use the tool.");
  ToolSpec tool;
  tool.name = std::string(kToolName);
  tool.description = "Current weather for a city.";
  tool.parameters = json::object{
      {"type", "object"},
      {"properties",
       json::object{{"city", json::object{{"type", "string"}, {"description", "City name"}}}}},
      {"required", json::array{"city"}},
  };
  r.tools.push_back(std::move(tool));
  r.tool_choice.mode = ToolChoice::Mode::named;
  r.tool_choice.name = std::string(kToolName);
  return r;
}

asio::awaitable<SmokeCallResult> run_smoke_call(SmokeScenario scenario, SmokeLink link) {
  SmokeCallResult result;
  switch (scenario) {
    case SmokeScenario::chat:
      result = co_await unary_call(link, smoke_chat_request(), false);
      break;
    case SmokeScenario::stream:
      result = co_await stream_call(link, smoke_stream_request());
      break;
    case SmokeScenario::tool:
      result = co_await unary_call(link, smoke_tool_request(), true);
      break;
  }
  co_return result;
}

}  // namespace gw
