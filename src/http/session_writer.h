// The server side of ResponseWriter for one keep-alive connection (internal to http/).
// Builds response heads by hand (cheaper than Beast's serializer), frames streamed bodies with
// chunked encoding, and tries a non-blocking write before suspending.
#pragma once

#include <chrono>
#include <string>

#include <boost/beast/core/tcp_stream.hpp>

#include "http/response_writer.h"

namespace gw::http {

class SessionWriter final : public ResponseWriter {
 public:
  SessionWriter(boost::beast::tcp_stream& stream, std::chrono::milliseconds write_timeout)
      : stream_(stream), write_timeout_(write_timeout) {}

  // Prepares for the next response on this connection.
  void reset(bool keep_alive) {
    keep_alive_ = keep_alive;
    committed_ = false;
    streaming_ = false;
  }

  boost::asio::awaitable<bool> send(int status, HeaderList headers, std::string body) override;
  boost::asio::awaitable<bool> begin_stream(int status, HeaderList headers) override;
  boost::asio::awaitable<bool> write(std::string_view data) override;
  boost::asio::awaitable<bool> end_stream() override;
  void abort() override;
  bool committed() const override { return committed_; }
  boost::asio::awaitable<bool> client_closed() override;

  // Writes bytes as they are (100 Continue).
  boost::asio::awaitable<bool> write_raw(std::string_view data);

  bool keep_alive() const { return keep_alive_; }
  bool aborted() const { return aborted_; }

 private:
  void append_head(int status, const HeaderList& headers);

  boost::beast::tcp_stream& stream_;
  std::chrono::milliseconds write_timeout_;
  std::string out_;
  bool keep_alive_ = true;
  bool committed_ = false;
  bool streaming_ = false;
  bool aborted_ = false;
  bool non_blocking_ = false;
};

}  // namespace gw::http
