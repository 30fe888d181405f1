// How a handler answers: either one complete response, or a stream (head once, then chunks).
// Writes report false when the client is gone; the handler then stops its upstream work.
#pragma once

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "spi/provider.h"  // HeaderList

namespace gw::http {

class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;

  // A complete response. Content-Length and Connection are added by the server.
  virtual boost::asio::awaitable<bool> send(int status, HeaderList headers, std::string body) = 0;

  // Streamed response (chunked transfer encoding). begin_stream sends the head; write sends one
  // chunk (coalesce events first: one write per upstream read); end_stream sends the last chunk.
  virtual boost::asio::awaitable<bool> begin_stream(int status, HeaderList headers) = 0;
  virtual boost::asio::awaitable<bool> write(std::string_view data) = 0;
  virtual boost::asio::awaitable<bool> end_stream() = 0;

  // Closes the connection at once, mid-response if need be (no terminating chunk): for fault
  // injection and for cutting off a client past its write timeout.
  virtual void abort() = 0;

  // True once any byte of the response head went out: past the commit point.
  virtual bool committed() const = 0;

  // Completes when the client closes its side (EOF or reset) — used to cancel upstream work
  // while nothing is being written. Completes with false if cancelled first.
  virtual boost::asio::awaitable<bool> client_closed() = 0;
};

}  // namespace gw::http
