#include "api/ledger_await.h"

#include <memory>

#include <boost/asio.hpp>

namespace gw {

namespace asio = boost::asio;

namespace {

// Submits through `submit(callback)` and resumes the coroutine on its own executor with the
// callback's value. The handler is held in a shared_ptr because std::function needs a copyable
// callable and Asio's handlers are move-only.
template <typename T, typename Submit>
asio::awaitable<T> await_on_ledger(Submit& submit) {
  auto initiate = [submit](auto handler) mutable {
    auto ex = asio::get_associated_executor(handler);
    auto held = std::make_shared<decltype(handler)>(std::move(handler));
    submit([held, ex](T value) mutable {
      asio::post(ex, [held, value = std::move(value)]() mutable { (*held)(std::move(value)); });
    });
  };
  // GCC 12: await into a named local, never `co_return co_await`.
  T value = co_await asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
      std::move(initiate), asio::use_awaitable);
  co_return value;
}

}  // namespace

asio::awaitable<Result<cost::ReserveResult>> ledger_reserve(cost::LedgerService& ledger,
                                                            const cost::Reservation& r) {
  // GCC 12 destroys temporaries of a co_await expression twice: the submitter is a named local.
  auto submit = [&ledger, r](auto done) mutable { ledger.reserve(std::move(r), done); };
  auto result = co_await await_on_ledger<Result<cost::ReserveResult>>(submit);
  co_return result;
}

asio::awaitable<Result<cost::Settlement>> ledger_settle(cost::LedgerService& ledger,
                                                        const cost::CostEvent& e) {
  auto submit = [&ledger, e](auto done) mutable { ledger.settle(std::move(e), done); };
  auto result = co_await await_on_ledger<Result<cost::Settlement>>(submit);
  co_return result;
}

asio::awaitable<Status> ledger_set_limit(cost::LedgerService& ledger, const cost::BudgetWindow& w) {
  auto submit = [&ledger, w](auto done) mutable { ledger.set_limit(std::move(w), done); };
  auto result = co_await await_on_ledger<Status>(submit);
  co_return result;
}

asio::awaitable<Result<std::vector<cost::CostEvent>>> ledger_events(
    cost::LedgerService& ledger, const cost::EventFilter& filter) {
  using R = Result<std::vector<cost::CostEvent>>;
  auto submit = [&ledger, filter](auto done) mutable {
    ledger.read([filter, done](cost::Ledger& l) mutable { done(l.events(filter)); });
  };
  auto result = co_await await_on_ledger<R>(submit);
  co_return result;
}

}  // namespace gw
