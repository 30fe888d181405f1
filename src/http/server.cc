#include "http/server.h"

#include <array>
#include <charconv>
#include <future>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/thread_name.h"
#include "http/connection_cap.h"
#include "http/session_writer.h"
#include "observability/gateway_metrics.h"
#include "observability/log.h"

namespace gw::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

struct Server::Worker {
  asio::io_context ioc{1};
  std::unique_ptr<tcp::acceptor> acceptor;
  // Keeps run() alive while the acceptor is closed during a drain.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
};

// What sessions need of their server, without exposing Server's internals in a header.
struct SessionAccess {
  static std::atomic<std::size_t>& in_flight(Server& s) { return s.in_flight_; }
  static bool draining(const Server& s) { return s.draining_.load(std::memory_order_relaxed); }
  static const ServerLimits& limits(const Server& s) { return s.options_.limits; }
  static Handler& handler(Server& s) { return *s.handler_; }
};

namespace {

Result<tcp::endpoint> parse_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Error::make(ErrorKind::gateway_internal, "listen address must be host:port: " + listen);
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  auto ps = std::string_view(listen).substr(colon + 1);
  auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
  if (ec != std::errc{} || p != ps.data() + ps.size() || port > 65535) {
    return Error::make(ErrorKind::gateway_internal, "bad port in listen address: " + listen);
  }
  if (host.empty() || host == "*") host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code aec;
  auto addr = asio::ip::make_address(host, aec);
  if (aec) return Error::make(ErrorKind::gateway_internal, "bad host in listen address: " + listen);
  return tcp::endpoint(addr, static_cast<unsigned short>(port));
}

Error limit_error(const beast::error_code& ec) {
  if (ec == bhttp::error::header_limit) {
    return Error::make(ErrorKind::caller_headers_too_large, "request headers exceed the size limit",
                       "headers_too_large");
  }
  if (ec == bhttp::error::body_limit) {
    return Error::make(ErrorKind::caller_payload_too_large, "request body exceeds the size limit",
                       "body_too_large");
  }
  if (ec == beast::error::timeout) {
    return Error::make(ErrorKind::caller_timeout, "request was not received in time",
                       "request_timeout");
  }
  return Error::make(ErrorKind::caller_invalid_request, "malformed HTTP request: " + ec.message(),
                     "bad_http");
}

void collect_head(const bhttp::request_parser<bhttp::string_body>& parser, Request& out) {
  const auto& msg = parser.get();
  out.method = std::string(msg.method_string());
  out.target = std::string(msg.target());
  out.headers.clear();
  out.headers.reserve(16);
  for (const auto& f : msg) {
    Header h;
    h.name.assign(f.name_string().data(), f.name_string().size());
    for (auto& c : h.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    h.value.assign(f.value().data(), f.value().size());
    out.headers.push_back(std::move(h));
  }
}

constexpr std::string_view kInternalErrorBody =
    R"({"error":{"message":"internal error","type":"api_error","param":null,"code":"gateway_internal"}})";

// Lingering close (nginx's lingering_close): after an early error answer (413, 408) the client
// may still be sending its body. Closing with unread data makes the kernel answer with a reset
// that can destroy our response before the client reads it, so stop sending, drain what keeps
// arriving for a short while (bounded in time and bytes), then close.
asio::awaitable<void> linger_close(beast::tcp_stream& stream) {
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  stream.expires_after(std::chrono::milliseconds(1000));
  std::array<char, 16 * 1024> sink;
  std::size_t drained = 0;
  while (drained < 8 * 1024 * 1024) {
    auto [rec, n] =
        co_await stream.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
    if (rec) break;
    drained += n;
  }
  stream.expires_never();
}

asio::awaitable<void> run_session(tcp::socket socket, Server& server) {
  const ServerLimits& limits = SessionAccess::limits(server);
  Handler& handler = SessionAccess::handler(server);
  beast::tcp_stream stream(std::move(socket));
  boost::system::error_code ignored;
  stream.socket().set_option(tcp::no_delay(true), ignored);
  beast::flat_buffer buffer(16 * 1024);
  std::string remote;
  std::string address;
  {
    auto ep = stream.socket().remote_endpoint(ignored);
    if (!ignored) {
      address = ep.address().to_string();
      remote = address + ":" + std::to_string(ep.port());
    }
  }
  // One address may hold only so many connections: past the cap, a short 503 and close.
  auto slot = open_connection_slot(address, limits.max_connections_per_ip);
  if (!slot) {
    static const std::string kTooMany = [] {
      const std::string body =
          R"({"error":{"message":"too many connections from this address","type":"api_error",)"
          R"("param":null,"code":"too_many_connections"}})";
      return "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
             "retry-after: 1\r\nconnection: close\r\ncontent-length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    }();
    gateway_metrics().shed.counter({"per_ip"}).inc();
    stream.socket().non_blocking(true, ignored);
    stream.socket().write_some(asio::buffer(kTooMany), ignored);
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return;
  }
  SessionWriter writer(stream, limits.write_timeout);

  for (;;) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    Request request;
    request.remote = remote;

    // Idle keep-alive wait: until the first byte of the next request arrives.
    if (buffer.size() == 0) {
      stream.expires_after(limits.idle_timeout);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4 * 1024),
                                                     asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;  // closed, reset or idle: nothing to answer
      buffer.commit(n);
    }
    stream.expires_after(limits.header_timeout);
    auto [hec, hn] = co_await bhttp::async_read_header(stream, buffer, parser,
                                                       asio::as_tuple(asio::use_awaitable));
    if (hec) {
      if (hec == bhttp::error::end_of_stream || hec == asio::error::connection_reset) co_return;
      if (parser.is_header_done()) collect_head(parser, request);
      writer.reset(false);
      co_await handler.reject(limit_error(hec), request, writer);
      co_await linger_close(stream);
      co_return;
    }
    collect_head(parser, request);
    const bool keep_alive = parser.get().keep_alive();

    if (parser.get()[bhttp::field::expect] == "100-continue") {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      bool continued = co_await writer.write_raw(kContinue);
      if (!continued) co_return;
    }
    // Body: each read must arrive within body_timeout of the previous one.
    while (!parser.is_done()) {
      stream.expires_after(limits.body_timeout);
      auto [bec, bn] = co_await bhttp::async_read_some(stream, buffer, parser,
                                                       asio::as_tuple(asio::use_awaitable));
      if (bec) {
        if (bec == bhttp::error::end_of_stream || bec == asio::error::connection_reset) co_return;
        writer.reset(false);
        co_await handler.reject(limit_error(bec), request, writer);
        co_await linger_close(stream);
        co_return;
      }
    }
    stream.expires_never();
    request.body = std::move(parser.get().body());

    auto& in_flight = SessionAccess::in_flight(server);
    in_flight.fetch_add(1, std::memory_order_relaxed);
    writer.reset(keep_alive && !SessionAccess::draining(server));
    bool threw = false;
    try {
      co_await handler.handle(request, writer);
    } catch (const std::exception& e) {
      // A handler bug must not take the worker down: answer 500 (or cut the stream) and count it.
      GW_LOG_ERROR("handler threw: {}", e.what());
      threw = true;
    }
    if (threw) {
      if (!writer.committed()) {
        HeaderList headers;
        headers.emplace_back("content-type", "application/json");
        std::string body(kInternalErrorBody);
        co_await writer.send(500, std::move(headers), std::move(body));
      } else {
        writer.abort();
      }
    }
    in_flight.fetch_sub(1, std::memory_order_relaxed);
    if (!writer.keep_alive() || writer.aborted() || SessionAccess::draining(server)) {
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      co_return;
    }
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, Server& server) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      // EMFILE and friends: back off briefly instead of spinning.
      asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), run_session(std::move(socket), server), asio::detached);
  }
}

}  // namespace

Server::Server(ServerOptions options, std::shared_ptr<Handler> handler)
    : options_(std::move(options)), handler_(std::move(handler)) {}

Server::~Server() {
  stop();
}

Status Server::start() {
  auto ep = parse_listen(options_.listen);
  if (!ep) return ep.error();
  int n = options_.workers > 0 ? options_.workers
                               : static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  tcp::endpoint endpoint = *ep;
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    w->acceptor = std::make_unique<tcp::acceptor>(w->ioc);
    boost::system::error_code ec;
    w->acceptor->open(endpoint.protocol(), ec);
    if (!ec) w->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      int one = 1;
      if (::setsockopt(w->acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) !=
          0) {
        ec = boost::system::error_code(errno, boost::system::system_category());
      }
    }
    if (!ec) w->acceptor->bind(endpoint, ec);
    if (!ec) w->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Error::make(ErrorKind::gateway_internal,
                         "cannot listen on " + options_.listen + ": " + ec.message());
    }
    // Port 0: the first acceptor picks the port; the others share it through SO_REUSEPORT.
    endpoint.port(w->acceptor->local_endpoint().port());
    w->guard.emplace(w->ioc.get_executor());
    workers_.push_back(std::move(w));
  }
  port_ = endpoint.port();
  for (auto& w : workers_) {
    asio::co_spawn(w->ioc, accept_loop(*w->acceptor, *this), asio::detached);
    Worker* worker = w.get();
    threads_.emplace_back([this, worker, n = threads_.size()] {
      name_this_thread(("gw-io-" + std::to_string(n)).c_str());
      if (worker_init_) worker_init_(worker->ioc);
      for (;;) {
        try {
          worker->ioc.run();
          break;
        } catch (const std::exception& e) {
          GW_LOG_ERROR("worker loop: unhandled exception: {}", e.what());
        }
      }
    });
  }
  return {};
}

std::string Server::address() const {
  auto ep = parse_listen(options_.listen);
  std::string host = ep ? ep->address().to_string() : "127.0.0.1";
  if (host == "0.0.0.0") host = "127.0.0.1";
  return host + ":" + std::to_string(port_);
}

std::size_t Server::drain(std::chrono::milliseconds grace, std::function<void()> at_deadline,
                          std::chrono::milliseconds cut_grace) {
  draining_.store(true);
  // Close every acceptor on its own thread and wait for it, so new connections are refused
  // before this returns to waiting on in-flight requests.
  std::vector<std::future<void>> closed;
  for (auto& w : workers_) {
    auto done = std::make_shared<std::promise<void>>();
    closed.push_back(done->get_future());
    asio::post(w->ioc, [worker = w.get(), done] {
      boost::system::error_code ec;
      worker->acceptor->close(ec);
      done->set_value();
    });
  }
  for (auto& f : closed) f.wait_for(std::chrono::seconds(5));
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::size_t cut = in_flight();
  if (cut > 0 && at_deadline) {
    for (auto& w : workers_) asio::post(w->ioc, at_deadline);
    auto cut_deadline = std::chrono::steady_clock::now() + cut_grace;
    while (in_flight() > 0 && std::chrono::steady_clock::now() < cut_deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  stop();
  return cut;
}

void Server::stop() {
  if (stopped_.exchange(true)) return;
  for (auto& w : workers_) {
    w->guard.reset();
    w->ioc.stop();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  for (auto& w : workers_) {
    boost::system::error_code ec;
    if (w->acceptor) w->acceptor->close(ec);
  }
}

}  // namespace gw::http
