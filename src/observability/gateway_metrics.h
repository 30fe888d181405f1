// Every gateway metric, declared once with its help text (after Envoy's stats lists). Error
// paths increment gateway_errors_total{kind}; tests assert these counters.
#pragma once

#include "observability/metrics.h"

namespace gw {

struct GatewayMetrics {
  metrics::Family& requests;         // gateway_http_requests_total{route,status,provider}
  metrics::Family& request_seconds;  // gateway_http_request_duration_seconds{route,status,provider}
  metrics::Family& upstream_seconds;  // gateway_upstream_request_duration_seconds{provider,status}
  metrics::Family& upstream_ttfb_seconds;    // gateway_upstream_first_byte_seconds{provider}
  metrics::Family& errors;                   // gateway_errors_total{kind}
  metrics::Family& config_reloads;           // gateway_config_reloads_total{result}
  metrics::Family& stream_events;            // gateway_stream_events_total{provider}
  metrics::Family& upstream_attempts;        // gateway_upstream_attempts_total{provider,outcome}
  metrics::Family& retries;                  // gateway_retries_total{provider,reason}
  metrics::Family& fallbacks;                // gateway_fallbacks_total{provider,reason}
  metrics::Family& breaker_state;            // gateway_breaker_state{provider,model,credential}
  metrics::Family& breaker_transitions;      // gateway_breaker_transitions_total{provider,model,to}
  metrics::Family& retry_budget_exhausted;   // gateway_retry_budget_exhausted_total{provider}
  metrics::Family& credential_cooling;       // gateway_credential_cooling_total{provider,reason}
  metrics::Family& shed;                     // gateway_shed_total{scope}
  metrics::Counter& stream_keepalives;       // gateway_stream_keepalives_total
  metrics::Counter& client_write_timeouts;   // gateway_client_write_timeouts_total
  metrics::Gauge& in_flight;                 // gateway_http_requests_in_flight
  metrics::Gauge& upstream_connections;      // gateway_upstream_connections_idle
  metrics::Family& cost_api_errors;          // gateway_cost_api_errors_total{reason}
  metrics::Counter& alert_failures;          // gateway_alert_webhook_failures_total
  metrics::Family& cost_refusals;            // gateway_cost_refusals_total{reason}
  metrics::Family& ledger_operations;        // gateway_ledger_operations_total{op,result}
  metrics::Family& ledger_commits;           // gateway_ledger_commits_total{synced}
  metrics::Counter& ledger_batched;          // gateway_ledger_batched_operations_total
  metrics::Family& ledger_syncs;             // gateway_ledger_syncs_total{result}
  metrics::Family& ledger_spool;             // gateway_ledger_spool_total{event}
  metrics::Counter& budget_stream_cuts;      // gateway_budget_stream_cuts_total
  metrics::Counter& rate_limit_stream_cuts;  // gateway_rate_limit_stream_cuts_total
  metrics::Family& spend_nanos;              // gateway_spend_nanodollars_total{provider}
};

GatewayMetrics& gateway_metrics();

}  // namespace gw
