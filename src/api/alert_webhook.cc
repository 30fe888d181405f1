#include "api/alert_webhook.h"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json/serialize.hpp>

#include "http/endpoint.h"
#include "http/upstream_client.h"
#include "observability/gateway_metrics.h"
#include "observability/log.h"

namespace gw {
namespace {

namespace asio = boost::asio;

constexpr std::chrono::milliseconds kTimeout{5000};
constexpr std::size_t kMaxReplyBytes = 64 * 1024;

void failed(const cost::Alert& alert, std::string_view why) {
  gateway_metrics().alert_failures.inc();
  GW_LOG_WARN("alert webhook: {} alert for {} {} not delivered: {}", alert.kind, alert.scope,
              alert.window, why);
}

asio::awaitable<void> deliver(asio::any_io_executor executor, std::string url, cost::Alert alert) {
  auto endpoint = http::Endpoint::parse(url);
  if (!endpoint) {
    failed(alert, "invalid webhook URL");
    co_return;
  }
  http::UpstreamCall call;
  call.endpoint = &endpoint.value();
  call.request.method = "POST";
  call.request.path = endpoint->prefix.empty() ? "/" : endpoint->prefix;
  if (auto q = url.find('?'); q != std::string::npos) call.request.path += url.substr(q);
  call.request.headers.emplace_back("content-type", "application/json");
  call.request.body = boost::json::serialize(cost::alert_json(alert));
  call.timeouts.connect = kTimeout;
  call.timeouts.first_byte = kTimeout;
  call.timeouts.idle = kTimeout;
  call.timeouts.total = kTimeout;
  call.deadline = http::Clock::now() + kTimeout;
  auto& client = http::UpstreamClient::for_this_thread(executor);
  auto sent = co_await client.send(std::move(call));
  if (!sent) {
    failed(alert, sent.error().message);
    co_return;
  }
  auto exchange = std::move(sent).value();
  auto reply = co_await exchange->read_all(kMaxReplyBytes);
  if (!reply) {
    failed(alert, reply.error().message);
    co_return;
  }
  if (exchange->status() < 200 || exchange->status() >= 300) {
    failed(alert, "status " + std::to_string(exchange->status()));
    co_return;
  }
  GW_LOG_INFO("alert webhook: delivered {} alert for {} {}", alert.kind, alert.scope, alert.window);
}

}  // namespace

void post_alert(asio::any_io_executor executor, std::string url, cost::Alert alert) {
  if (url.empty()) return;
  asio::co_spawn(executor, deliver(executor, std::move(url), std::move(alert)),
                 [](const std::exception_ptr& ex) {
                   if (!ex) return;
                   gateway_metrics().alert_failures.inc();
                   GW_LOG_WARN("alert webhook: delivery failed with an exception");
                 });
}

}  // namespace gw
