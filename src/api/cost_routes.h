// The cost API: GET /v1/cost/summary, GET /v1/cost/report (JSON or CSV) and POST /v1/cost/track
// (events from outside the gateway). The figures come from cost/cost_report, so the CLI prints
// the same. Access: an admin key reads everything; any other key reads only its own personas'
// events, and tracks only for them. Key scopes "cost:read" / "cost:write" are honoured (no
// scopes = all). Errors use the OpenAI envelope and count gateway_cost_api_errors_total{reason}.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "api/auth.h"
#include "api/chat_pipeline.h"
#include "api/gateway_state.h"
#include "cost/ledger_service.h"
#include "http/request.h"
#include "http/response_writer.h"

namespace gw {

bool is_cost_route(std::string_view path);

struct CostRouteOptions {
  // Config (time zone, anomaly multiple) and prices; null: UTC, defaults and the list prices.
  std::shared_ptr<const GatewayState> state;
  ChatOutcome* outcome = nullptr;  // gets the status sent, for the access log; may be null
};

boost::asio::awaitable<void> serve_cost_route(const http::Request& request,
                                              http::ResponseWriter& writer,
                                              const Identity& identity, cost::LedgerService& ledger,
                                              const std::string& request_id,
                                              const CostRouteOptions& options = {});

// An error of the cost API (authentication, no ledger, …) in the OpenAI envelope, counted in
// gateway_cost_api_errors_total{reason}.
boost::asio::awaitable<void> send_cost_error(http::ResponseWriter& writer, const Error& error,
                                             const std::string& request_id, ChatOutcome* outcome);

// The 503 answered when the gateway runs without a ledger or the ledger cannot be read.
Error ledger_unavailable_error();

}  // namespace gw
