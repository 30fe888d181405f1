// The request path of one chat call, whatever the client's dialect (DESIGN.md §2):
// route (persona → ordered targets) → provider encode → upstream → provider decode → dialect
// encode → client. Nothing reaches the client before the first upstream event decodes (the
// commit point); before it a failed attempt may fall back to the next target, after it a failure
// becomes a terminal error record in the client's dialect.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "api/auth.h"
#include "api/gateway_state.h"
#include "http/response_writer.h"
#include "model/chat.h"
#include "spi/dialect.h"

namespace gw {

// What happened, for the access log, metrics and the request log.
struct ChatOutcome {
  std::string provider;
  std::string model;
  int attempts = 0;
  int status = 0;           // status sent to the client
  int upstream_status = 0;  // last upstream HTTP status
  std::string error_kind;   // empty on success
  Usage usage;
  double ttfb_ms = 0;  // upstream first byte of the serving attempt
  bool stream = false;
  bool client_gone = false;
  // Every attempt or chain member that did not serve, "provider/model[#credential]=reason",
  // comma-separated (x-gateway-fallbacks, the access log).
  std::string fallbacks;
};

class RequestCost;

struct ChatCall {
  std::shared_ptr<const GatewayState> state;  // held for the whole request (reload safety)
  Identity identity;
  const Dialect* dialect = nullptr;
  ChatRequest request;
  std::string request_id;
  http::ResponseWriter* writer = nullptr;
  ChatOutcome* outcome = nullptr;
  RequestCost* cost = nullptr;  // budgets, metering and the cost ledger; null: none
};

boost::asio::awaitable<void> run_chat(ChatCall call);

// Called on each worker thread when the drain grace expires: every chat still running there has
// its upstream exchange cancelled and ends with a terminal `draining` error (an in-band record
// once streaming), never a silent cut.
void cut_chats_for_drain();

// Writes an error in the dialect's envelope with the taxonomy's status and headers
// (x-request-id, x-gateway-error-kind, Retry-After when known). Counts gateway_errors_total.
boost::asio::awaitable<void> send_error(http::ResponseWriter& writer, const Dialect& dialect,
                                        const Error& error, const std::string& request_id,
                                        ChatOutcome* outcome);

}  // namespace gw
