#include "http/session_writer.h"

#include <boost/asio.hpp>

#include "http/status_text.h"
#include "observability/gateway_metrics.h"

namespace gw::http {

namespace asio = boost::asio;

namespace {

void append_hex(std::string& out, std::size_t n) {
  char buf[20];
  int i = 20;
  do {
    buf[--i] = "0123456789abcdef"[n & 0xf];
    n >>= 4;
  } while (n != 0);
  out.append(buf + i, buf + 20);
}

}  // namespace

void SessionWriter::append_head(int status, const HeaderList& headers) {
  out_.append("HTTP/1.1 ");
  out_.append(std::to_string(status));
  out_.push_back(' ');
  out_.append(status_text(status));
  out_.append("\r\n");
  for (const auto& [name, value] : headers) {
    out_.append(name);
    out_.append(": ");
    out_.append(value);
    out_.append("\r\n");
  }
  out_.append(keep_alive_ ? "connection: keep-alive\r\n" : "connection: close\r\n");
}

asio::awaitable<bool> SessionWriter::write_raw(std::string_view data) {
  if (aborted_) co_return false;
  auto& sock = stream_.socket();
  // Most writes fit the socket buffer: try once without suspending.
  boost::system::error_code ec;
  if (!non_blocking_) {
    sock.non_blocking(true, ec);  // an ioctl: once per connection, not per write
    non_blocking_ = !ec;
  }
  std::size_t done = 0;
  if (non_blocking_) {
    done = sock.write_some(asio::buffer(data), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec = {};
      done = 0;
    }
    if (ec) {
      aborted_ = true;
      co_return false;
    }
  }
  if (done < data.size()) {
    stream_.expires_after(write_timeout_);
    auto [wec, n] = co_await asio::async_write(stream_, asio::buffer(data.substr(done)),
                                               asio::as_tuple(asio::use_awaitable));
    stream_.expires_never();
    if (wec) {
      // A client that stopped reading: cut it (the caller then closes its upstream).
      if (wec == boost::beast::error::timeout) gateway_metrics().client_write_timeouts.inc();
      aborted_ = true;
      co_return false;
    }
  }
  co_return true;
}

asio::awaitable<bool> SessionWriter::send(int status, HeaderList headers, std::string body) {
  out_.clear();
  append_head(status, headers);
  out_.append("content-length: ");
  out_.append(std::to_string(body.size()));
  out_.append("\r\n\r\n");
  committed_ = true;
  if (out_.size() + body.size() <= 64 * 1024) {
    out_.append(body);
    auto r1 = co_await write_raw(out_);
    co_return r1;
  }
  bool head_ok = co_await write_raw(out_);
  if (!head_ok) co_return false;
  auto r2 = co_await write_raw(body);
  co_return r2;
}

asio::awaitable<bool> SessionWriter::begin_stream(int status, HeaderList headers) {
  out_.clear();
  append_head(status, headers);
  out_.append("transfer-encoding: chunked\r\n\r\n");
  committed_ = true;
  streaming_ = true;
  auto r3 = co_await write_raw(out_);
  co_return r3;
}

asio::awaitable<bool> SessionWriter::write(std::string_view data) {
  if (data.empty()) co_return !aborted_;
  out_.clear();
  append_hex(out_, data.size());
  out_.append("\r\n");
  out_.append(data);
  out_.append("\r\n");
  auto r4 = co_await write_raw(out_);
  co_return r4;
}

asio::awaitable<bool> SessionWriter::end_stream() {
  streaming_ = false;
  auto r5 = co_await write_raw("0\r\n\r\n");
  co_return r5;
}

void SessionWriter::abort() {
  aborted_ = true;
  keep_alive_ = false;
  boost::system::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  stream_.socket().close(ec);
}

asio::awaitable<bool> SessionWriter::client_closed() {
  auto& sock = stream_.socket();
  for (;;) {
    auto [ec] = co_await sock.async_wait(asio::ip::tcp::socket::wait_read,
                                         asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted) co_return false;
    if (ec) co_return true;
    // Readable: EOF (peek returns 0) means the client closed; data means a pipelined request,
    // which we leave in the socket and stop watching.
    char c;
    boost::system::error_code pec;
    sock.non_blocking(true, pec);
    std::size_t n = sock.receive(asio::buffer(&c, 1), asio::socket_base::message_peek, pec);
    if (pec == asio::error::would_block || pec == asio::error::try_again) continue;
    if (pec || n == 0) co_return true;
    // Pipelined data: the client is still there. Wait until cancelled.
    asio::steady_timer forever(sock.get_executor(), std::chrono::hours(24 * 365));
    co_await forever.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return false;
  }
}

}  // namespace gw::http
