#include "api/gateway_handler.h"

#include <chrono>
#include <optional>

#include <boost/asio.hpp>

#include "api/admin_keys_routes.h"
#include "api/admission.h"
#include "api/anthropic/anthropic_dialect.h"
#include "api/blocking_work.h"
#include "api/chat_pipeline.h"
#include "api/cost_routes.h"
#include "api/gemini/gemini_dialect.h"
#include "api/ingress_routes.h"
#include "api/openai/openai_dialect.h"
#include "api/request_cost.h"
#include "api/request_id.h"
#include "common/json_text.h"
#include "common/time_format.h"
#include "keys/key_store.h"
#include "observability/gateway_metrics.h"
#include "observability/log.h"
#include "routing/router.h"
#include "routing/upstream_health.h"

namespace gw {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// Route labels are a fixed set so a client cannot grow metric cardinality.
std::string_view route_label(std::string_view path, const IngressDialects& dialects) {
  static constexpr std::string_view kRoutes[] = {"/v1/models", "/healthz",        "/readyz",
                                                 "/metrics",   "/admin/breakers", "/admin/keys"};
  for (auto r : kRoutes) {
    if (path == r) return r;
  }
  if (is_admin_keys_path(path)) return "/admin/keys/{id}";
  if (is_cost_route(path)) return path;  // the three fixed /v1/cost/* paths
  if (auto chat = match_chat_route(path, dialects)) return chat->label;
  return "other";
}

struct RequestScope {
  std::string request_id;
  std::string ledger_key;  // chat requests: ledger_key_for(request_id, …)
  Clock::time_point start = Clock::now();
  std::string persona;
  std::string key_name;
  std::string team;
  std::string project;
  ChatOutcome outcome;
};

void append_field(std::string& line, std::string_view name, std::string_view value) {
  line.append(",\"");
  line.append(name);
  line.append("\":\"");
  json_escape_append(line, value);
  line.push_back('"');
}

void append_number(std::string& line, std::string_view name, std::int64_t value) {
  line.append(",\"");
  line.append(name);
  line.append("\":");
  line.append(std::to_string(value));
}

// Authenticates and names the caller in the request's record (persona, key label, team, project).
Result<Identity> identify(const http::Request& request, const Config& config,
                          const keys::KeyStore* store, RequestScope& scope) {
  auto identity = authenticate(request, config, store);
  if (!identity) return identity;
  scope.persona = identity->persona->name;
  scope.key_name = identity->key->name;
  scope.team = identity->key->team.empty() ? identity->persona->team : identity->key->team;
  scope.project =
      identity->key->project.empty() ? identity->persona->project : identity->key->project;
  return identity;
}

// identify() for the /admin endpoints: a key without role admin is refused (403 admin_only).
Result<Identity> identify_admin(const http::Request& request, const Config& config,
                                const keys::KeyStore* store, RequestScope& scope) {
  auto identity = identify(request, config, store, scope);
  if (identity && !identity->key->admin) {
    return Error::make(ErrorKind::caller_forbidden, "this endpoint needs a key with role \"admin\"",
                       "admin_only");
  }
  return identity;
}

HeaderList basic_headers(std::string_view content_type, const std::string& request_id) {
  HeaderList h;
  h.emplace_back("content-type", std::string(content_type));
  h.emplace_back("x-request-id", request_id);
  return h;
}

}  // namespace

struct GatewayHandler::Impl {
  GatewayHandlerDeps deps;
  OpenAIDialect openai;
  AnthropicDialect anthropic;
  GeminiDialect gemini;
  IngressDialects dialects{&openai, &anthropic, &gemini};

  asio::awaitable<void> chat(http::Request& request, http::ResponseWriter& writer,
                             RequestScope& scope, const ChatRoute& route);
  asio::awaitable<void> models(http::Request& request, http::ResponseWriter& writer,
                               RequestScope& scope);
  asio::awaitable<void> breakers(http::Request& request, http::ResponseWriter& writer,
                                 RequestScope& scope);
  asio::awaitable<void> admin_keys(http::Request& request, http::ResponseWriter& writer,
                                   RequestScope& scope);
  asio::awaitable<void> cost(http::Request& request, http::ResponseWriter& writer,
                             RequestScope& scope);
  void record(const http::Request& request, RequestScope& scope);
};

GatewayHandler::GatewayHandler(GatewayHandlerDeps deps) : impl_(std::make_unique<Impl>()) {
  impl_->deps = std::move(deps);
}

GatewayHandler::~GatewayHandler() = default;

asio::awaitable<void> GatewayHandler::handle(http::Request& request, http::ResponseWriter& writer) {
  RequestScope scope;
  scope.request_id = request_id_for(request.header("x-request-id"));
  gateway_metrics().in_flight.add(1);
  std::string_view path = request.path();
  const bool is_get = request.method == "GET" || request.method == "HEAD";

  auto chat_route = match_chat_route(path, impl_->dialects);
  if (chat_route && chat_route->known_method) {
    if (request.method != "POST") {
      Error e = Error::make(ErrorKind::caller_method_not_allowed,
                            "use POST for " + std::string(chat_route->label), "method_not_allowed");
      co_await send_error(writer, *chat_route->dialect, e, scope.request_id, &scope.outcome);
    } else {
      co_await impl_->chat(request, writer, scope, *chat_route);
    }
  } else if (path == "/v1/models" && is_get) {
    co_await impl_->models(request, writer, scope);
  } else if (path == "/admin/breakers" && (is_get || request.method == "DELETE")) {
    co_await impl_->breakers(request, writer, scope);
  } else if (is_admin_keys_path(path)) {
    co_await impl_->admin_keys(request, writer, scope);
  } else if (is_cost_route(path)) {
    co_await impl_->cost(request, writer, scope);
  } else if (path == "/healthz" && is_get) {
    scope.outcome.status = 200;
    auto headers = basic_headers("application/json", scope.request_id);
    std::string body = R"({"status":"ok"})";
    co_await writer.send(200, std::move(headers), std::move(body));
  } else if (path == "/readyz" && is_get) {
    bool ready = !impl_->deps.ready || impl_->deps.ready();
    scope.outcome.status = ready ? 200 : 503;
    auto headers = basic_headers("application/json", scope.request_id);
    std::string body = ready ? R"({"status":"ready"})" : R"({"status":"not_ready"})";
    co_await writer.send(scope.outcome.status, std::move(headers), std::move(body));
  } else if (path == "/metrics" && is_get) {
    scope.outcome.status = 200;
    auto headers = basic_headers("text/plain; version=0.0.4; charset=utf-8", scope.request_id);
    std::string body = metrics::global().expose();
    co_await writer.send(200, std::move(headers), std::move(body));
  } else {
    const bool known = route_label(path, impl_->dialects) != "other";
    std::string shown(path.substr(0, 200));
    Error e = known
                  ? Error::make(ErrorKind::caller_method_not_allowed,
                                "method " + request.method + " is not allowed for " + shown,
                                "method_not_allowed")
                  : Error::make(ErrorKind::caller_not_found,
                                "Invalid URL (" + request.method.substr(0, 16) + " " + shown + ")",
                                "unknown_url");
    co_await send_error(writer, dialect_for_path(path, impl_->dialects), e, scope.request_id,
                        &scope.outcome);
  }
  gateway_metrics().in_flight.add(-1);
  impl_->record(request, scope);
}

asio::awaitable<void> GatewayHandler::reject(const Error& error, const http::Request& request,
                                             http::ResponseWriter& writer) {
  RequestScope scope;
  scope.request_id = request_id_for(request.header("x-request-id"));
  co_await send_error(writer, dialect_for_path(request.path(), impl_->dialects), error,
                      scope.request_id, &scope.outcome);
  impl_->record(request, scope);
}

asio::awaitable<void> GatewayHandler::Impl::chat(http::Request& request,
                                                 http::ResponseWriter& writer, RequestScope& scope,
                                                 const ChatRoute& route) {
  const Dialect& dialect = *route.dialect;
  auto state = deps.state->get();
  auto identity = identify(request, *state->config, deps.keys, scope);
  if (!identity) {
    co_await send_error(writer, dialect, identity.error(), scope.request_id, &scope.outcome);
    co_return;
  }
  if (!key_allows(*identity->key, "chat")) {
    Error e = Error::make(ErrorKind::caller_forbidden, "this key lacks the \"chat\" scope",
                          "scope_not_permitted");
    co_await send_error(writer, dialect, e, scope.request_id, &scope.outcome);
    co_return;
  }
  // Shed before any work: a full gateway or persona answers 503 + Retry-After at once.
  const Config& config = *state->config;
  auto ticket = admit_request(config.server.max_in_flight, identity->persona->name,
                              identity->persona->max_in_flight);
  if (!ticket) {
    co_await send_error(writer, dialect, ticket.error(), scope.request_id, &scope.outcome);
    co_return;
  }
  auto decoded = dialect.decode_request(request.body, route.context());
  if (!decoded) {
    co_await send_error(writer, dialect, decoded.error(), scope.request_id, &scope.outcome);
    co_return;
  }
  scope.ledger_key = ledger_key_for(scope.request_id, request.header("x-request-id"));
  ChatCall call;
  call.state = std::move(state);
  call.identity = *identity;
  call.dialect = &dialect;
  call.request = std::move(decoded).value();
  call.request_id = scope.request_id;
  call.writer = &writer;
  call.outcome = &scope.outcome;
  // The request's money: rate limits now, a reservation per attempt, settlement before the end.
  CostDeps cost_deps{deps.ledger, deps.rate_limiter, !config.redis_url.empty()};
  CostParty party{scope.persona, scope.team, scope.project, scope.key_name};
  // call.identity holds a stored key alive for the whole request.
  if (call.identity.stored) party.stored_key_budget = &call.identity.stored->budget;
  RequestCost cost(*call.state, cost_deps, {scope.request_id, scope.ledger_key}, std::move(party),
                   call.request);
  call.cost = &cost;  // run_chat admits it once the route is known
  co_await run_chat(std::move(call));
  co_await cost.finish();
}

asio::awaitable<void> GatewayHandler::Impl::models(http::Request& request,
                                                   http::ResponseWriter& writer,
                                                   RequestScope& scope) {
  auto state = deps.state->get();
  auto identity = identify(request, *state->config, deps.keys, scope);
  if (!identity) {
    co_await send_error(writer, openai, identity.error(), scope.request_id, &scope.outcome);
    co_return;
  }
  std::string body = R"({"object":"list","data":[)";
  bool first = true;
  for (const auto& route : allowed_routes(*identity->persona)) {
    if (route.ends_with("/*")) continue;  // a pattern, not a model (still listed in 404 messages)
    if (!first) body.push_back(',');
    first = false;
    body.append(R"({"id":")");
    json_escape_append(body, route);
    auto slash = route.find('/');
    body.append(R"(","object":"model","created":0,"owned_by":")");
    json_escape_append(body, slash == std::string::npos ? identity->persona->primary.provider
                                                        : route.substr(0, slash));
    body.append("\"}");
  }
  body.append("]}");
  scope.outcome.status = 200;
  auto headers = basic_headers("application/json", scope.request_id);
  co_await writer.send(200, std::move(headers), std::move(body));
}

// GET /admin/breakers: every upstream's breaker and cooling state. DELETE forgets them all (an
// operator who fixed a credential or an upstream need not wait out its cooldown). Admin keys only.
asio::awaitable<void> GatewayHandler::Impl::breakers(http::Request& request,
                                                     http::ResponseWriter& writer,
                                                     RequestScope& scope) {
  auto state = deps.state->get();
  auto identity = identify_admin(request, *state->config, deps.keys, scope);
  if (!identity) {
    co_await send_error(writer, openai, identity.error(), scope.request_id, &scope.outcome);
    co_return;
  }
  scope.outcome.status = 200;
  auto headers = basic_headers("application/json", scope.request_id);
  if (request.method == "DELETE") {
    const std::size_t n = upstream_health().clear();
    GW_LOG_INFO("admin key {} reset the health of {} upstreams", identity->key->name, n);
    co_await writer.send(200, std::move(headers), R"({"reset":)" + std::to_string(n) + "}");
    co_return;
  }
  co_await writer.send(200, std::move(headers), upstream_health().snapshot_json());
}

// /admin/keys…: gateway keys created at run time (admin_keys_routes.h). Admin keys only.
asio::awaitable<void> GatewayHandler::Impl::admin_keys(http::Request& request,
                                                       http::ResponseWriter& writer,
                                                       RequestScope& scope) {
  auto state = deps.state->get();
  auto identity = identify_admin(request, *state->config, deps.keys, scope);
  if (!identity) {
    co_await send_error(writer, openai, identity.error(), scope.request_id, &scope.outcome);
    co_return;
  }
  // The key store may be the PostgreSQL ledger database: its round trips stay off the I/O thread.
  std::optional<Result<AdminReply>> answered;
  co_await run_blocking([&] {
    answered.emplace(serve_admin_keys(request, deps.keys, *state->config, keys::unix_now_ms()));
  });
  Result<AdminReply>& reply = *answered;
  if (!reply) {
    co_await send_error(writer, openai, reply.error(), scope.request_id, &scope.outcome);
    co_return;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    GW_LOG_INFO("admin key {} {} {} -> {}", identity->key->name, request.method, request.path(),
                reply->status);
  }
  scope.outcome.status = reply->status;
  auto headers = basic_headers("application/json", scope.request_id);
  headers.emplace_back("cache-control", "no-store");
  co_await writer.send(reply->status, std::move(headers), std::move(reply->body));
}

// /v1/cost/summary, /v1/cost/report, /v1/cost/track (cost_routes.h): any key, its own figures.
asio::awaitable<void> GatewayHandler::Impl::cost(http::Request& request,
                                                 http::ResponseWriter& writer,
                                                 RequestScope& scope) {
  auto state = deps.state->get();
  auto identity = identify(request, *state->config, deps.keys, scope);
  if (!identity) {
    co_await send_cost_error(writer, identity.error(), scope.request_id, &scope.outcome);
    co_return;
  }
  if (deps.ledger == nullptr) {
    co_await send_cost_error(writer, ledger_unavailable_error(), scope.request_id, &scope.outcome);
    co_return;
  }
  CostRouteOptions options{state, &scope.outcome};
  co_await serve_cost_route(request, writer, *identity, *deps.ledger, scope.request_id, options);
}

void GatewayHandler::Impl::record(const http::Request& request, RequestScope& scope) {
  const auto duration = std::chrono::duration<double>(Clock::now() - scope.start).count();
  const ChatOutcome& o = scope.outcome;
  std::string route(route_label(request.path(), dialects));
  std::string status = std::to_string(o.status);
  auto& m = gateway_metrics();
  m.requests.counter({route, status, o.provider}).inc();
  m.request_seconds.histogram({route, status, o.provider}).observe(duration);

  if (deps.access_log && deps.access_log->enabled()) {
    std::string line;
    line.reserve(384);
    line.append("{\"ts\":\"");
    line.append(utc_timestamp());
    line.push_back('"');
    append_field(line, "request_id", scope.request_id);
    append_field(line, "method", request.method);
    append_field(line, "path", request.path());
    append_number(line, "status", o.status);
    line.append(",\"duration_ms\":");
    line.append(std::to_string(duration * 1000.0));
    if (!scope.persona.empty()) append_field(line, "persona", scope.persona);
    if (!scope.key_name.empty()) append_field(line, "key", scope.key_name);
    if (!o.provider.empty()) {
      append_field(line, "provider", o.provider);
      append_field(line, "model", o.model);
      append_number(line, "attempts", o.attempts);
      append_number(line, "upstream_status", o.upstream_status);
      line.append(o.stream ? ",\"stream\":true" : ",\"stream\":false");
      append_number(line, "input_tokens", o.usage.input_tokens);
      append_number(line, "output_tokens", o.usage.output_tokens);
    }
    if (!o.error_kind.empty()) append_field(line, "error_kind", o.error_kind);
    if (!o.fallbacks.empty()) append_field(line, "fallbacks", o.fallbacks);
    if (o.client_gone) line.append(",\"client_gone\":true");
    line.push_back('}');
    deps.access_log->write(line);
  }

  // Chat labels: the two fixed paths and the Gemini method labels ("…:generateContent").
  const bool chat_route = route == "/v1/chat/completions" || route == "/v1/messages" ||
                          route.find(':') != std::string::npos;
  if (deps.request_log && chat_route && !scope.persona.empty()) {
    storage::RequestRecord r;
    r.request_id = scope.request_id;
    r.ledger_key = scope.ledger_key;
    r.attempt = o.attempts > 0 ? o.attempts : 1;
    r.ts_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    r.persona = scope.persona;
    r.key_name = scope.key_name;
    r.team = scope.team;
    r.project = scope.project;
    r.provider = o.provider;
    r.model = o.model;
    r.route = route;
    r.status = o.status;
    r.error_kind = o.error_kind;
    r.stream = o.stream;
    r.input_tokens = o.usage.input_tokens;
    r.output_tokens = o.usage.output_tokens;
    r.cache_read_tokens = o.usage.cache_read_tokens;
    r.cache_write_tokens = o.usage.cache_write_tokens;
    r.reasoning_tokens = o.usage.reasoning_tokens;
    r.duration_ms = duration * 1000.0;
    r.ttfb_ms = o.ttfb_ms;
    deps.request_log->submit(std::move(r));
  }
}

}  // namespace gw
