#include "observability/gateway_metrics.h"

namespace gw {

GatewayMetrics& gateway_metrics() {
  using metrics::Type;
  auto& r = metrics::global();
  static GatewayMetrics m{
      r.add("gateway_http_requests_total", "HTTP requests answered, by route, status and provider",
            Type::counter, {"route", "status", "provider"}),
      r.add("gateway_http_request_duration_seconds",
            "Time from request received to last response byte written", Type::histogram,
            {"route", "status", "provider"}),
      r.add("gateway_upstream_request_duration_seconds",
            "Time from upstream request sent to upstream body complete", Type::histogram,
            {"provider", "status"}),
      r.add("gateway_upstream_first_byte_seconds",
            "Time from upstream request sent to response headers received", Type::histogram,
            {"provider"}),
      r.add("gateway_errors_total", "Errors answered or emitted, by error kind", Type::counter,
            {"kind"}),
      r.add("gateway_config_reloads_total", "Config reload attempts by result", Type::counter,
            {"result"}),
      r.add("gateway_stream_events_total", "Canonical stream events relayed to clients",
            Type::counter, {"provider"}),
      r.add("gateway_upstream_attempts_total",
            "Upstream attempts by outcome (ok, or the error kind that ended them)", Type::counter,
            {"provider", "outcome"}),
      r.add("gateway_retries_total", "Retries of the same target, by the error that caused them",
            Type::counter, {"provider", "reason"}),
      r.add("gateway_fallbacks_total",
            "Targets or credentials left behind for the next one, by reason", Type::counter,
            {"provider", "reason"}),
      r.add("gateway_breaker_state",
            "Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open", Type::gauge,
            {"provider", "model", "credential"}),
      r.add("gateway_breaker_transitions_total", "Circuit breaker state changes", Type::counter,
            {"provider", "model", "to"}),
      r.add("gateway_retry_budget_exhausted_total",
            "Retries refused because the upstream's retry budget was spent", Type::counter,
            {"provider"}),
      r.add("gateway_credential_cooling_total",
            "Credentials put to rest (rate limited, rejected, out of quota)", Type::counter,
            {"provider", "reason"}),
      r.add("gateway_shed_total",
            "Requests refused locally with 503/429 and Retry-After, by what was full or down",
            Type::counter, {"scope"}),
      r.add("gateway_stream_keepalives_total",
            "SSE keepalive comments sent to clients while the upstream was silent", Type::counter)
          .counter({}),
      r.add("gateway_client_write_timeouts_total",
            "Streams cut because the client stopped reading past the write timeout", Type::counter)
          .counter({}),
      r.add("gateway_http_requests_in_flight", "Requests being handled now", Type::gauge).gauge({}),
      r.add("gateway_upstream_connections_idle", "Idle pooled upstream connections", Type::gauge)
          .gauge({}),
      r.add("gateway_cost_api_errors_total", "Cost API requests answered with an error, by reason",
            Type::counter, {"reason"}),
      r.add("gateway_alert_webhook_failures_total",
            "Budget or anomaly alerts the webhook did not accept (error, timeout or non-2xx)",
            Type::counter)
          .counter({}),
      r.add("gateway_cost_refusals_total",
            "Requests refused by a budget, a rate limit, a missing price or an unavailable ledger "
            "or rate-limit store, by reason",
            Type::counter, {"reason"}),
      r.add("gateway_ledger_operations_total",
            "Ledger reservations and settlements by result (admitted, refused, recorded, "
            "duplicate, error)",
            Type::counter, {"op", "result"}),
      r.add("gateway_ledger_commits_total",
            "Ledger writer transactions (group commits), by whether they waited for the disk",
            Type::counter, {"synced"}),
      r.add("gateway_ledger_batched_operations_total",
            "Operations the ledger writer committed; divided by gateway_ledger_commits_total it "
            "is the mean batch size",
            Type::counter)
          .counter({}),
      r.add("gateway_ledger_syncs_total",
            "WAL fdatasyncs that made committed settlements durable (SQLite ledger), by result",
            Type::counter, {"result"}),
      r.add("gateway_ledger_spool_total",
            "Settlements spooled locally while the PostgreSQL ledger was unreachable, and "
            "spooled settlements replayed into it since",
            Type::counter, {"event"}),
      r.add("gateway_budget_stream_cuts_total",
            "Streams ended at their reservation because the budget had no more room", Type::counter)
          .counter({}),
      r.add("gateway_rate_limit_stream_cuts_total",
            "Streams ended because the request used what its tokens_per_min or cost_per_min "
            "admission charged",
            Type::counter)
          .counter({}),
      r.add("gateway_spend_nanodollars_total", "Settled cost in nano-dollars, by provider",
            Type::counter, {"provider"}),
  };
  return m;
}

}  // namespace gw
