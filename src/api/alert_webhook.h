// Delivers a cost alert (budget threshold, budget exhausted, anomaly) to the configured webhook
// (`cost.alert_webhook`): one JSON POST through the gateway's upstream HTTP client, 5 s for the
// whole exchange, fire-and-forget. A failure is logged and counted
// (gateway_alert_webhook_failures_total), never thrown and never retried.
#pragma once

#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "cost/cost_alerts.h"

namespace gw {

// Spawns the POST on `executor` (a worker's io_context: it uses that thread's upstream pool) and
// returns at once. An empty url does nothing.
void post_alert(boost::asio::any_io_executor executor, std::string url, cost::Alert alert);

}  // namespace gw
