// X-Request-ID: a client's id is kept when it is safe to echo and log (1–128 chars of
// [A-Za-z0-9._:-]); otherwise a fresh one is generated ("req_" + 24 hex digits).
#pragma once

#include <string>
#include <string_view>

namespace gw {

bool is_acceptable_request_id(std::string_view id);
std::string generate_request_id();
std::string request_id_for(std::string_view client_supplied);
// The gateway's own id for a request, its key in the ledger, the rate limiter and the request
// log: the request id when the gateway generated it, else a fresh one, since a client may send
// the same X-Request-ID on two requests (ADR 0014).
std::string ledger_key_for(std::string_view request_id, std::string_view client_supplied);

}  // namespace gw
