#include "http/upstream_client.h"

#include <charconv>
#include <deque>
#include <optional>
#include <unordered_map>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "observability/gateway_metrics.h"

namespace gw::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;

namespace {

// Parsed body bytes handed to the caller per read, and the socket read size: Beast sizes a read
// by the flat_buffer's free capacity (512 bytes when it is empty), so the buffer is reserved up
// front — a 6 KB upstream stream then arrives in one recv, not twelve.
constexpr std::size_t kReadChunk = 8 * 1024;
constexpr std::size_t kSocketRead = 8 * 1024;
constexpr std::size_t kMaxIdlePerHost = 64;
constexpr auto kMaxIdleAge = std::chrono::seconds(50);
constexpr std::size_t kMaxResponseHeaderBytes = 64 * 1024;

ssl::context& tls_context() {
  static ssl::context* ctx = [] {
    auto* c = new ssl::context(ssl::context::tls_client);
    c->set_default_verify_paths();
    c->set_verify_mode(ssl::verify_peer);
    c->set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                   ssl::context::no_tlsv1_1);
    return c;
  }();
  return *ctx;
}

Error transport_error(ErrorKind kind, std::string message, std::string code) {
  Error e = Error::make(kind, std::move(message), std::move(code));
  return e;
}

}  // namespace

// ----------------------------------------------------------------------------- connection

class UpstreamConnection {
 public:
  UpstreamConnection(asio::any_io_executor ex, bool tls, UpstreamClient* owner, std::string key)
      : owner_(owner), key_(std::move(key)) {
    if (tls) {
      tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, tls_context());
    } else {
      plain_ = std::make_unique<beast::tcp_stream>(ex);
    }
    body_.resize(kReadChunk);
    buffer_.reserve(kSocketRead);
  }

  beast::tcp_stream& tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }
  bool is_tls() const { return tls_ != nullptr; }

  template <typename F>
  auto with_stream(F&& f) {
    return tls_ ? f(*tls_) : f(*plain_);
  }

  void close() {
    boost::system::error_code ec;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    tcp().socket().close(ec);
  }

  UpstreamClient* owner_;
  std::string key_;
  std::unique_ptr<beast::tcp_stream> plain_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::response_parser<bhttp::buffer_body>> parser_;
  std::string body_;  // pre-reserved read buffer
  std::string request_bytes_;
  Clock::time_point idle_since_{};
  bool reused_ = false;
};

// ----------------------------------------------------------------------------- pool

struct UpstreamClient::Pool {
  std::unordered_map<std::string, std::deque<std::unique_ptr<UpstreamConnection>>> idle;
  std::size_t count = 0;
};

UpstreamClient::UpstreamClient(asio::any_io_executor executor)
    : executor_(std::move(executor)), pool_(std::make_unique<Pool>()) {}

UpstreamClient::~UpstreamClient() {
  gateway_metrics().upstream_connections.add(-static_cast<std::int64_t>(pool_->count));
}

UpstreamClient& UpstreamClient::for_this_thread(asio::any_io_executor executor) {
  thread_local std::unique_ptr<UpstreamClient> client;
  if (!client) client = std::make_unique<UpstreamClient>(std::move(executor));
  return *client;
}

std::size_t UpstreamClient::idle_connections() const {
  return pool_->count;
}

void UpstreamClient::release(std::unique_ptr<UpstreamConnection> conn) {
  auto& list = pool_->idle[conn->key_];
  if (list.size() >= kMaxIdlePerHost) {
    conn->close();
    return;
  }
  conn->idle_since_ = Clock::now();
  conn->reused_ = true;
  list.push_back(std::move(conn));
  ++pool_->count;
  gateway_metrics().upstream_connections.add(1);
}

namespace {

template <typename Stream>
asio::awaitable<boost::system::error_code> write_request(Stream& s, const std::string& bytes) {
  auto [ec, n] =
      co_await asio::async_write(s, asio::buffer(bytes), asio::as_tuple(asio::use_awaitable));
  co_return ec;
}

template <typename Stream>
asio::awaitable<boost::system::error_code> read_head(
    Stream& s, beast::flat_buffer& buf, bhttp::response_parser<bhttp::buffer_body>& p) {
  auto [ec, n] = co_await bhttp::async_read_header(s, buf, p, asio::as_tuple(asio::use_awaitable));
  co_return ec;
}

template <typename Stream>
asio::awaitable<std::pair<boost::system::error_code, std::size_t>> read_body(
    Stream& s, beast::flat_buffer& buf, bhttp::response_parser<bhttp::buffer_body>& p, char* data,
    std::size_t size) {
  p.get().body().data = data;
  p.get().body().size = size;
  auto [ec, n] = co_await bhttp::async_read_some(s, buf, p, asio::as_tuple(asio::use_awaitable));
  if (ec == bhttp::error::need_buffer) ec = {};
  co_return std::pair{ec, size - p.get().body().size};
}

void build_request_bytes(const Endpoint& ep, const UpstreamRequest& req,
                         const std::string& request_id, std::string& out) {
  out.clear();
  out.reserve(req.body.size() + 512);
  out.append(req.method);
  out.push_back(' ');
  out.append(ep.prefix);
  out.append(req.path.empty() || req.path.front() != '/' ? "/" : "");
  out.append(req.path);
  out.append(" HTTP/1.1\r\nhost: ");
  out.append(ep.host_header);
  out.append("\r\ncontent-length: ");
  out.append(std::to_string(req.body.size()));
  out.append("\r\nuser-agent: execution-platform/0.1\r\n");
  if (!request_id.empty()) {
    out.append("x-request-id: ");
    out.append(request_id);
    out.append("\r\n");
  }
  for (const auto& [name, value] : req.headers) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(req.body);
}

bool is_stale_connection_error(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace

asio::awaitable<Result<std::unique_ptr<UpstreamExchange>>> UpstreamClient::send(UpstreamCall call) {
  const Endpoint& ep = *call.endpoint;
  const auto start = Clock::now();
  Clock::time_point deadline = std::min(call.deadline, start + call.timeouts.total);

  for (int attempt = 0; attempt < 2; ++attempt) {
    // Take an idle connection, or open one.
    std::unique_ptr<UpstreamConnection> conn;
    auto& list = pool_->idle[ep.pool_key];
    while (!list.empty()) {
      auto c = std::move(list.back());
      list.pop_back();
      --pool_->count;
      gateway_metrics().upstream_connections.add(-1);
      if (Clock::now() - c->idle_since_ < kMaxIdleAge && c->tcp().socket().is_open()) {
        conn = std::move(c);
        break;
      }
      c->close();
    }
    if (!conn) {
      conn = std::make_unique<UpstreamConnection>(executor_, ep.tls, this, ep.pool_key);
      tcp::resolver resolver(executor_);
      auto connect_deadline = std::min(deadline, Clock::now() + call.timeouts.connect);
      asio::steady_timer resolve_timer(executor_, connect_deadline);
      // Resolve under the connect timeout (a DNS server that never answers must not hang us).
      using namespace asio::experimental::awaitable_operators;
      auto resolved = co_await (resolver.async_resolve(ep.host, std::to_string(ep.port),
                                                       asio::as_tuple(asio::use_awaitable)) ||
                                resolve_timer.async_wait(asio::as_tuple(asio::use_awaitable)));
      if (resolved.index() == 1) {
        co_return transport_error(ErrorKind::provider_timeout, "upstream name resolution timed out",
                                  "connect_timeout");
      }
      auto [rec, results] = std::get<0>(resolved);
      if (rec) {
        co_return transport_error(ErrorKind::provider_unavailable,
                                  "cannot resolve upstream host " + ep.host, "resolve_failed");
      }
      conn->tcp().expires_at(connect_deadline);
      auto [cec, cep] =
          co_await conn->tcp().async_connect(results, asio::as_tuple(asio::use_awaitable));
      if (cec) {
        if (cec == beast::error::timeout) {
          co_return transport_error(ErrorKind::provider_timeout, "upstream connect timed out",
                                    "connect_timeout");
        }
        co_return transport_error(ErrorKind::provider_unavailable,
                                  "cannot connect to upstream " + ep.host + ": " + cec.message(),
                                  "connect_failed");
      }
      boost::system::error_code ig;
      conn->tcp().socket().set_option(tcp::no_delay(true), ig);
      if (conn->tls_) {
        SSL* native = conn->tls_->native_handle();
        SSL_set_tlsext_host_name(native, ep.host.c_str());
        SSL_set1_host(native, ep.host.c_str());
        auto [hec] = co_await conn->tls_->async_handshake(ssl::stream_base::client,
                                                          asio::as_tuple(asio::use_awaitable));
        if (hec) {
          if (hec == beast::error::timeout) {
            co_return transport_error(ErrorKind::provider_timeout,
                                      "upstream TLS handshake timed out", "connect_timeout");
          }
          co_return transport_error(ErrorKind::provider_unavailable,
                                    "TLS handshake with " + ep.host + " failed: " + hec.message(),
                                    "tls_error");
        }
      }
    }

    const bool reused = conn->reused_;
    build_request_bytes(ep, call.request, call.request_id, conn->request_bytes_);
    conn->tcp().expires_at(std::min(deadline, Clock::now() + call.timeouts.first_byte));
    auto wec =
        co_await conn->with_stream([&](auto& s) { return write_request(s, conn->request_bytes_); });
    if (wec) {
      conn->close();
      if (reused && is_stale_connection_error(wec))
        continue;  // the server closed an idle connection
      if (wec == beast::error::timeout) {
        co_return transport_error(ErrorKind::provider_timeout, "upstream write timed out",
                                  "first_byte_timeout");
      }
      co_return transport_error(ErrorKind::provider_unavailable,
                                "upstream write failed: " + wec.message(), "connection_failed");
    }
    conn->parser_.emplace();
    conn->parser_->header_limit(kMaxResponseHeaderBytes);
    conn->parser_->body_limit(boost::none);
    auto hec = co_await conn->with_stream(
        [&](auto& s) { return read_head(s, conn->buffer_, *conn->parser_); });
    if (hec) {
      conn->close();
      if (reused && is_stale_connection_error(hec) && conn->buffer_.size() == 0) continue;
      if (hec == beast::error::timeout) {
        co_return transport_error(ErrorKind::provider_timeout,
                                  "upstream sent no response within the first-byte timeout",
                                  "first_byte_timeout");
      }
      if (is_stale_connection_error(hec)) {
        co_return transport_error(ErrorKind::provider_unavailable,
                                  "upstream closed the connection before answering",
                                  "connection_closed");
      }
      co_return transport_error(ErrorKind::provider_bad_response,
                                "malformed upstream response: " + hec.message(), "bad_http");
    }
    const auto& msg = conn->parser_->get();
    std::vector<Header> headers;
    headers.reserve(16);
    for (const auto& f : msg) {
      Header h;
      h.name.assign(f.name_string().data(), f.name_string().size());
      for (auto& c : h.name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      h.value.assign(f.value().data(), f.value().size());
      headers.push_back(std::move(h));
    }
    auto ex = std::make_unique<UpstreamExchange>(std::move(conn), deadline, call.timeouts.idle);
    ex->set_head(static_cast<int>(msg.result_int()), std::move(headers));
    co_return ex;
  }
  co_return transport_error(ErrorKind::provider_unavailable, "upstream closed the connection",
                            "connection_closed");
}

// ----------------------------------------------------------------------------- exchange

UpstreamExchange::UpstreamExchange(std::unique_ptr<UpstreamConnection> conn,
                                   Clock::time_point deadline, std::chrono::milliseconds idle)
    : conn_(std::move(conn)), deadline_(deadline), idle_(idle) {
  if (conn_->parser_->is_done()) done_ = true;
}

UpstreamExchange::~UpstreamExchange() {
  if (!conn_) return;
  bool reusable = done_ && !failed_ && conn_->parser_ && conn_->parser_->keep_alive() &&
                  conn_->buffer_.size() == 0;
  conn_->parser_.reset();
  if (reusable) {
    conn_->tcp().expires_never();
    auto* owner = conn_->owner_;
    owner->release(std::move(conn_));
  } else {
    conn_->close();
  }
}

std::string_view UpstreamExchange::header(std::string_view lower_name) const {
  for (const auto& h : headers_) {
    if (h.name == lower_name) return h.value;
  }
  return {};
}

HeaderLookup UpstreamExchange::header_lookup() const {
  return [this](std::string_view name) { return header(name); };
}

void UpstreamExchange::cancel() {
  failed_ = true;
  if (conn_) conn_->close();
}

asio::awaitable<Result<std::string_view>> UpstreamExchange::read_some() {
  auto r1 = co_await read_some(Clock::now() + idle_);
  co_return r1;
}

asio::awaitable<Result<std::string_view>> UpstreamExchange::read_some(
    Clock::time_point idle_deadline) {
  if (done_) co_return std::string_view{};
  if (failed_) {
    co_return Error::make(ErrorKind::provider_stream_interrupted, "upstream read after failure",
                          "connection_closed");
  }
  auto& c = *conn_;
  const bool total_bound = deadline_ <= idle_deadline;
  c.tcp().expires_at(std::min(idle_deadline, deadline_));
  auto [ec, n] = co_await c.with_stream(
      [&](auto& s) { return read_body(s, c.buffer_, *c.parser_, c.body_.data(), c.body_.size()); });
  if (ec) {
    failed_ = true;
    c.close();
    if (ec == beast::error::timeout) {
      co_return Error::make(ErrorKind::provider_timeout,
                            total_bound ? "upstream exceeded the total deadline"
                                        : "upstream sent no data within the idle timeout",
                            total_bound ? "deadline_exceeded" : "idle_timeout");
    }
    co_return Error::make(ErrorKind::provider_stream_interrupted,
                          "upstream connection failed mid-body: " + ec.message(),
                          "connection_closed");
  }
  if (c.parser_->is_done()) done_ = true;
  if (n == 0 && !done_) {
    // A chunk boundary with no payload: read again.
    auto r2 = co_await read_some(idle_deadline);
    co_return r2;
  }
  co_return std::string_view(c.body_.data(), n);
}

asio::awaitable<Result<std::string>> UpstreamExchange::read_all(std::size_t max_bytes) {
  std::string out;
  while (!done_) {
    auto piece = co_await read_some();
    if (!piece) co_return std::move(piece).error();
    if (out.size() + piece->size() > max_bytes) {
      cancel();
      co_return Error::make(ErrorKind::provider_bad_response,
                            "upstream body exceeds the size limit", "upstream_body_too_large");
    }
    out.append(piece->data(), piece->size());
  }
  co_return out;
}

}  // namespace gw::http
