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
asio::awaitable<T> await_on_ledger(Submit submit) {
  auto initiate = [submit = std::move(submit)](auto handler) mutable {
    auto ex = asio::get_associated_executor(handler);
    auto held = std::make_shared<decltype(handler)>(std::move(handler));
    submit([held, ex](T value) mutable {
      asio::post(ex, [held, value = std::move(value)]() mutable { (*held)(std::move(value)); });
    });
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(T)>(
      std::move(initiate), asio::use_awaitable);
}

}  // namespace

asio::awaitable<Result<cost::ReserveResult>> ledger_reserve(cost::LedgerService& ledger,
                                                            cost::Reservation r) {
  auto result = co_await await_on_ledger<Result<cost::ReserveResult>>(
      [&ledger, r = std::move(r)](auto done) mutable { ledger.reserve(std::move(r), done); });
  co_return result;
}

asio::awaitable<Result<bool>> ledger_settle(cost::LedgerService& ledger, cost::CostEvent e) {
  auto result = co_await await_on_ledger<Result<bool>>(
      [&ledger, e = std::move(e)](auto done) mutable { ledger.settle(std::move(e), done); });
  co_return result;
}

asio::awaitable<Status> ledger_set_limit(cost::LedgerService& ledger, cost::BudgetWindow w) {
  auto result = co_await await_on_ledger<Status>(
      [&ledger, w = std::move(w)](auto done) mutable { ledger.set_limit(std::move(w), done); });
  co_return result;
}

asio::awaitable<Result<std::vector<cost::CostEvent>>> ledger_events(cost::LedgerService& ledger,
                                                                    cost::EventFilter filter) {
  using R = Result<std::vector<cost::CostEvent>>;
  auto result = co_await await_on_ledger<R>([&ledger, filter](auto done) mutable {
    ledger.read([filter, done](cost::Ledger& l) { done(l.events(filter)); });
  });
  co_return result;
}

asio::awaitable<Result<std::vector<cost::BudgetState>>> ledger_budgets(cost::LedgerService& ledger,
                                                                       std::string scope_prefix) {
  using R = Result<std::vector<cost::BudgetState>>;
  auto result = co_await await_on_ledger<R>([&ledger, scope_prefix](auto done) mutable {
    ledger.read([scope_prefix, done](cost::Ledger& l) { done(l.budgets(scope_prefix)); });
  });
  co_return result;
}

}  // namespace gw
