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
      r.add("gateway_http_requests_in_flight", "Requests being handled now", Type::gauge).gauge({}),
      r.add("gateway_upstream_connections_idle", "Idle pooled upstream connections", Type::gauge)
          .gauge({}),
  };
  return m;
}

}  // namespace gw
