// Coroutine faces of the LedgerService: each submits its operation and resumes the calling
// coroutine on its own executor when the ledger's thread has committed it. Defined in the .cc so
// the Asio machinery stays out of this header.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/result.h"
#include "cost/ledger.h"
#include "cost/ledger_service.h"

namespace gw {

boost::asio::awaitable<Result<cost::ReserveResult>> ledger_reserve(cost::LedgerService& ledger,
                                                                   const cost::Reservation& r);
boost::asio::awaitable<Result<cost::Settlement>> ledger_settle(cost::LedgerService& ledger,
                                                               const cost::CostEvent& e);
boost::asio::awaitable<Status> ledger_set_limit(cost::LedgerService& ledger,
                                                const cost::BudgetWindow& w);
// Reads on the reader connection.
boost::asio::awaitable<Result<std::vector<cost::CostEvent>>> ledger_events(
    cost::LedgerService& ledger, const cost::EventFilter& filter);

}  // namespace gw
