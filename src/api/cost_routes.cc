#include "api/cost_routes.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <boost/json.hpp>

#include "api/ledger_await.h"
#include "api/openai/openai_dialect.h"
#include "api/request_id.h"
#include "common/percent_decode.h"
#include "cost/calendar.h"
#include "cost/cost_query.h"
#include "cost/cost_report.h"
#include "cost/cost_time.h"
#include "cost/pricing.h"
#include "observability/gateway_metrics.h"
#include "observability/log.h"
#include "wire/json_read.h"

namespace gw {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr std::string_view kSummary = "/v1/cost/summary";
constexpr std::string_view kReport = "/v1/cost/report";
constexpr std::string_view kTrack = "/v1/cost/track";

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Error invalid(std::string message, std::string param, std::string code = "invalid_parameter") {
  Error e = Error::make(ErrorKind::caller_invalid_request, std::move(message), std::move(code));
  e.param = std::move(param);
  return e;
}

Error forbidden(std::string message, std::string code) {
  return Error::make(ErrorKind::caller_forbidden, std::move(message), std::move(code));
}

// A fixed label set for gateway_cost_api_errors_total.
std::string_view reason_label(const Error& e) {
  if (e.code == "ledger_unavailable") return "ledger_unavailable";
  if (e.code == "missing_scope") return "scope";
  switch (e.kind) {
    case ErrorKind::caller_unauthenticated:
      return "unauthenticated";
    case ErrorKind::caller_forbidden:
      return "forbidden";
    case ErrorKind::caller_method_not_allowed:
      return "method_not_allowed";
    case ErrorKind::caller_not_found:
      return "not_found";
    case ErrorKind::caller_invalid_request:
    case ErrorKind::caller_payload_too_large:
      return e.code == "invalid_body" || e.code == "invalid_json" || e.code == "json_too_deep"
                 ? "invalid_body"
                 : "invalid_parameter";
    default:
      return "internal";
  }
}

// name=value pairs of the query string, percent-decoded ('+' is a space). The Gemini-style
// `key` credential is not a query parameter here.
Result<cost::QueryParams> query_params(std::string_view query) {
  cost::QueryParams out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    std::string name = percent_decode(part.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    std::replace(value.begin(), value.end(), '+', ' ');
    value = percent_decode(value);
    if (name == "key") continue;
    if (out.contains(name)) {
      return invalid("parameter \"" + name.substr(0, 32) + "\" is given twice", name);
    }
    out.emplace(std::move(name), std::move(value));
  }
  return out;
}

struct QueryClock {
  std::int64_t now = 0;
  std::int64_t offset = 0;
};

QueryClock clock_for(const CostRouteOptions& options) {
  QueryClock c;
  c.now = now_ms();
  if (options.state && options.state->config) {
    auto tz = cost::TimeZone::load(options.state->config->cost.timezone);
    if (tz) c.offset = tz->offset_ms(c.now);
  }
  return c;
}

// A non-admin key may name only its own personas; without a persona filter it sees them all.
Status check_persona_filter(const Identity& identity, const std::string& persona) {
  if (identity.key->admin || persona.empty()) return {};
  const auto& mine = identity.key->personas;
  if (std::find(mine.begin(), mine.end(), persona) == mine.end()) {
    return forbidden("this key may read only the cost of its own personas",
                     "persona_not_permitted");
  }
  return {};
}

asio::awaitable<Result<std::vector<cost::CostEvent>>> read_events(const Identity& identity,
                                                                  cost::LedgerService& ledger,
                                                                  cost::EventFilter filter) {
  auto events = co_await ledger_events(ledger, std::move(filter));
  if (!events) {
    GW_LOG_WARN("cost API: ledger read failed: {}", events.error().message);
    co_return ledger_unavailable_error();
  }
  if (!identity.key->admin) keep_personas(*events, identity.key->personas);
  co_return events;
}

asio::awaitable<Result<Reply>> summary(const http::Request& request, const Identity& identity,
                                       cost::LedgerService& ledger,
                                       const CostRouteOptions& options) {
  auto params = query_params(request.query());
  if (!params) co_return std::move(params).error();
  const QueryClock clock = clock_for(options);
  auto query = parse_cost_query(*params, cost::QueryKind::summary, clock.now, clock.offset);
  if (!query) co_return std::move(query).error();
  if (Status s = check_persona_filter(identity, query->persona); !s) co_return s.error();
  auto filter = read_filter(*query, cost::QueryKind::summary, clock.now, clock.offset);
  auto events = co_await read_events(identity, ledger, std::move(filter));
  if (!events) co_return std::move(events).error();
  cost::SummaryOptions so;
  so.utc_offset_ms = clock.offset;
  if (options.state && options.state->config) {
    so.anomaly_multiple = options.state->config->cost.anomaly_multiple;
  }
  auto s = cost::summarize(*events, query->from_ms, query->to_ms, clock.now, so);
  co_return Reply{200, "application/json", json::serialize(cost::to_json(s))};
}

asio::awaitable<Result<Reply>> report(const http::Request& request, const Identity& identity,
                                      cost::LedgerService& ledger,
                                      const CostRouteOptions& options) {
  auto params = query_params(request.query());
  if (!params) co_return std::move(params).error();
  const QueryClock clock = clock_for(options);
  auto query = parse_cost_query(*params, cost::QueryKind::report, clock.now, clock.offset);
  if (!query) co_return std::move(query).error();
  if (Status s = check_persona_filter(identity, query->persona); !s) co_return s.error();
  auto filter = read_filter(*query, cost::QueryKind::report, clock.now, clock.offset);
  auto events = co_await read_events(identity, ledger, std::move(filter));
  if (!events) co_return std::move(events).error();
  auto r = cost::report(*events, query->group_by, query->bucket, query->from_ms, query->to_ms,
                        clock.offset);
  if (query->format == "csv") co_return Reply{200, "text/csv; charset=utf-8", cost::to_csv(r)};
  co_return Reply{200, "application/json", json::serialize(cost::to_json(r))};
}

// ---- POST /v1/cost/track ---------------------------------------------------------------------

Result<std::int64_t> count_field(const json::object& body, std::string_view name, bool required) {
  const json::value* v = json_field(body, name);
  if (v == nullptr) {
    if (required) return invalid(std::string(name) + " is required", std::string(name));
    return std::int64_t{0};
  }
  auto n = json_to_int64(*v);
  if (!n || *n < 0) {
    return invalid(std::string(name) + " must be a non-negative integer", std::string(name));
  }
  return *n;
}

Result<std::string> string_field(const json::object& body, std::string_view name, bool required) {
  const json::value* v = json_field(body, name);
  if (v == nullptr) {
    if (required) return invalid(std::string(name) + " is required", std::string(name));
    return std::string();
  }
  if (!v->is_string() || v->get_string().empty() || v->get_string().size() > 256) {
    return invalid(std::string(name) + " must be a non-empty string of at most 256 characters",
                   std::string(name));
  }
  return std::string(v->get_string());
}

// The event a track body describes; the caller settles it.
Result<cost::CostEvent> tracked_event(const json::object& body, const Identity& identity,
                                      const CostRouteOptions& options, std::int64_t now) {
  cost::CostEvent e;
  e.attempt = 1;
  e.settlement_reason = "tracked";
  e.outcome = "ok";
  e.key_name = identity.key->name;

  auto rid = string_field(body, "request_id", false);
  if (!rid) return std::move(rid).error();
  e.request_id = rid->empty() ? generate_request_id() : std::move(rid).value();
  if (!is_acceptable_request_id(e.request_id)) {
    return invalid("request_id must be 1-128 characters of [A-Za-z0-9._:-]", "request_id");
  }
  e.ledger_key = cost::tracked_ledger_key(e.key_name, e.request_id);
  auto persona = string_field(body, "persona", false);
  if (!persona) return std::move(persona).error();
  e.persona = persona->empty() ? identity.persona->name : std::move(persona).value();
  if (!identity.key->admin) {
    const auto& mine = identity.key->personas;
    if (std::find(mine.begin(), mine.end(), e.persona) == mine.end()) {
      return forbidden("this key may track cost only for its own personas",
                       "persona_not_permitted");
    }
  }
  const PersonaConfig* pc = nullptr;
  if (options.state && options.state->config) {
    auto it = options.state->config->personas.find(e.persona);
    if (it != options.state->config->personas.end()) pc = &it->second;
  }
  if (e.persona == identity.persona->name) pc = identity.persona;
  e.team = !identity.key->team.empty() ? identity.key->team : (pc ? pc->team : "");
  e.project = !identity.key->project.empty() ? identity.key->project : (pc ? pc->project : "");

  auto provider = string_field(body, "provider", true);
  if (!provider) return std::move(provider).error();
  e.provider = std::move(provider).value();
  auto model = string_field(body, "model", true);
  if (!model) return std::move(model).error();
  e.model = std::move(model).value();

  const std::pair<std::string_view, std::int64_t*> counts[] = {
      {"input_tokens", &e.input_tokens},
      {"output_tokens", &e.output_tokens},
      {"cache_read_tokens", &e.cache_read_tokens},
      {"cache_write_tokens", &e.cache_write_tokens},
      {"reasoning_tokens", &e.reasoning_tokens}};
  for (const auto& [name, slot] : counts) {
    auto n = count_field(body, name, name == "input_tokens" || name == "output_tokens");
    if (!n) return std::move(n).error();
    *slot = *n;
  }

  e.ts_ms = now;
  if (const json::value* ts = json_field(body, "ts")) {
    if (ts->is_string()) {
      auto parsed = cost::parse_rfc3339(ts->get_string(), "ts");
      if (!parsed) return std::move(parsed).error();
      e.ts_ms = *parsed;
    } else if (auto ms = json_to_int64(*ts); ms && *ms >= 0) {
      e.ts_ms = *ms;
    } else {
      return invalid("ts must be an RFC 3339 time or Unix milliseconds", "ts");
    }
  }

  if (const json::value* usd = json_field(body, "cost_usd")) {
    if (!usd->is_number()) return invalid("cost_usd must be a number", "cost_usd");
    const double dollars = usd->to_number<double>();
    if (!(dollars >= 0) || dollars > 1e9) {
      return invalid("cost_usd must be between 0 and 1e9", "cost_usd");
    }
    e.cost_nanos = std::llround(dollars * 1e9);
    e.price_version = "tracked";
    return e;
  }
  // Priced from the table: a configured provider instance's prices first, then the adapter type.
  const std::string date = cost::format_rfc3339(e.ts_ms).substr(0, 10);
  const ModelPrice* price = nullptr;
  static const Result<PriceTable> list_prices = load_list_prices();
  if (options.state) {
    if (const auto* rt = options.state->provider(e.provider))
      price = options.state->price(*rt, e.model);
    if (price == nullptr) price = options.state->prices.find(e.provider, e.model, date);
  } else if (list_prices) {
    price = list_prices->find(e.provider, e.model, date);
  }
  if (price == nullptr) {
    return invalid("no price is known for " + e.provider + "/" + e.model + "; send cost_usd",
                   "cost_usd");
  }
  Usage usage;
  usage.input_tokens = e.input_tokens;
  usage.output_tokens = e.output_tokens;
  usage.cache_read_tokens = e.cache_read_tokens;
  usage.cache_write_tokens = e.cache_write_tokens;
  usage.reasoning_tokens = e.reasoning_tokens;
  usage.present = true;
  auto nanos = cost_nanos(usage, *price);
  if (!nanos) return invalid("the token counts are too large to price", "input_tokens");
  e.cost_nanos = *nanos;
  e.price_version = price->version();
  return e;
}

asio::awaitable<Result<Reply>> track(const http::Request& request, const Identity& identity,
                                     cost::LedgerService& ledger, const CostRouteOptions& options) {
  auto parsed = parse_json(request.body, ErrorKind::caller_invalid_request);
  if (!parsed) co_return std::move(parsed).error();
  if (!parsed->is_object()) {
    co_return invalid("the body must be a JSON object", "", "invalid_body");
  }
  auto event = tracked_event(parsed->get_object(), identity, options, now_ms());
  if (!event) co_return std::move(event).error();
  const std::string rid = event->request_id;
  const std::int64_t nanos = event->cost_nanos;
  auto settled = co_await ledger_settle(ledger, std::move(event).value());
  if (!settled) {
    GW_LOG_WARN("cost API: tracking {} failed: {}", rid, settled.error().message);
    co_return ledger_unavailable_error();
  }
  const bool recorded = settled->recorded;
  json::object out;
  out["recorded"] = recorded;
  out["request_id"] = rid;
  if (recorded) {
    out["cost_usd"] = cost::usd_number(nanos);
    out["cost_nanos"] = nanos;
  }
  co_return Reply{recorded ? 201 : 200, "application/json", json::serialize(out)};
}

Status check_access(const http::Request& request, const Identity& identity, bool write) {
  std::string_view path = request.path();
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (write ? request.method != "POST" : !get) {
    return Error::make(ErrorKind::caller_method_not_allowed,
                       std::string("use ") + (write ? "POST" : "GET") + " for " + std::string(path),
                       "method_not_allowed");
  }
  const std::string_view scope = write ? "cost:write" : "cost:read";
  if (!key_allows(*identity.key, scope)) {
    return forbidden("this key lacks the scope \"" + std::string(scope) + "\"", "missing_scope");
  }
  return {};
}

}  // namespace

bool is_cost_route(std::string_view path) {
  return path == kSummary || path == kReport || path == kTrack;
}

Error ledger_unavailable_error() {
  return Error::make(ErrorKind::gateway_unavailable, "the cost ledger is unavailable",
                     "ledger_unavailable");
}

asio::awaitable<void> send_cost_error(http::ResponseWriter& writer, const Error& error,
                                      const std::string& request_id, ChatOutcome* outcome) {
  static const OpenAIDialect openai;
  gateway_metrics().cost_api_errors.counter({std::string(reason_label(error))}).inc();
  co_await send_error(writer, openai, error, request_id, outcome);
}

asio::awaitable<void> serve_cost_route(const http::Request& request, http::ResponseWriter& writer,
                                       const Identity& identity, cost::LedgerService& ledger,
                                       const std::string& request_id,
                                       const CostRouteOptions& options) {
  const std::string_view path = request.path();
  const bool write = path == kTrack;
  Result<Reply> reply = Reply{};
  if (Status access = check_access(request, identity, write); !access) {
    reply = access.error();
  } else if (path == kSummary) {
    reply = co_await summary(request, identity, ledger, options);
  } else if (path == kReport) {
    reply = co_await report(request, identity, ledger, options);
  } else {
    reply = co_await track(request, identity, ledger, options);
  }
  if (!reply) {
    co_await send_cost_error(writer, reply.error(), request_id, options.outcome);
    co_return;
  }
  if (options.outcome) options.outcome->status = reply->status;
  HeaderList headers;
  headers.emplace_back("content-type", reply->content_type);
  headers.emplace_back("x-request-id", request_id);
  headers.emplace_back("cache-control", "no-store");
  co_await writer.send(reply->status, std::move(headers), std::move(reply->body));
}

}  // namespace gw
