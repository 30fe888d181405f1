// A small blocking Redis client over hiredis for the shared counters (rate limits, later budget
// reservations): a bounded pool of connections with connect and command timeouts, Lua scripts run
// by SHA (loaded once, EVAL on NOSCRIPT), one reconnect on a connection error and then a typed
// error (gateway_unavailable, code "rate_store_unavailable"). Never falls back to anything local.
//
// Thread-safe. Blocks on the network: call it off the I/O threads. hiredis writes with write(2):
// the process must ignore SIGPIPE (serve does) so a dropped server is an error, not a signal.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"

namespace gw::cost {

inline constexpr std::string_view kRateStoreUnavailable = "rate_store_unavailable";

struct RedisUrl {
  std::string host;
  int port = 6379;
  int db = 0;
};

// "redis://host[:port][/db]" (host may be a bracketed IPv6 address). Credentials are refused.
Result<RedisUrl> parse_redis_url(std::string_view url);

struct RedisReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

struct RedisClientOptions {
  std::chrono::milliseconds timeout{250};  // connect, and each command
  std::size_t pool_size = 4;
};

class RedisClient {
 public:
  static Result<std::unique_ptr<RedisClient>> create(std::string_view url,
                                                     RedisClientOptions options = {});
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Runs a Lua script atomically. A reply of type REDIS_REPLY_ERROR comes back as an error too.
  Result<RedisReply> eval(std::string_view script, const std::vector<std::string>& keys,
                          const std::vector<std::string>& args);

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  using Context = std::unique_ptr<redisContext, ContextDeleter>;
  class Lease;

  RedisClient(RedisUrl url, RedisClientOptions options) : url_(std::move(url)), options_(options) {}
  Result<Context> connect();
  Result<RedisReply> command(Context& conn, const std::vector<std::string_view>& argv);
  Result<RedisReply> eval_on(Context& conn, std::string_view script,
                             const std::vector<std::string>& keys,
                             const std::vector<std::string>& args);

  const RedisUrl url_;
  const RedisClientOptions options_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<Context> idle_;
  std::size_t leased_ = 0;
  std::unordered_map<std::string, std::string> shas_;  // script source → SHA1, under mu_
};

}  // namespace gw::cost
