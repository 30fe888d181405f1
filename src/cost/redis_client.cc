// The pooled hiredis client: URL parsing, connection leases, timeouts, script SHA caching and the
// reconnect-once rule (see redis_client.h).
#include "cost/redis_client.h"

#include <sys/time.h>

#include <algorithm>
#include <charconv>

namespace gw::cost {
namespace {

Error store_error(std::string message) {
  Error e = Error::make(ErrorKind::gateway_unavailable, std::move(message),
                        std::string(kRateStoreUnavailable));
  e.retry_after = std::chrono::milliseconds(1000);
  return e;
}

Error url_error(std::string_view url, std::string_view why) {
  return Error::make(ErrorKind::gateway_internal,
                     "invalid Redis URL '" + std::string(url) + "': " + std::string(why),
                     "invalid_redis_url");
}

bool parse_int(std::string_view text, int& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace

Result<RedisUrl> parse_redis_url(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (!url.starts_with(kScheme)) return url_error(url, "expected redis://host:port[/db]");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find('@') != std::string_view::npos)
    return url_error("redis://…", "credentials in the URL are not supported");
  RedisUrl out;
  if (std::size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!parse_int(db, out.db) || out.db < 0))
      return url_error(url, "the database must be a number");
    rest = rest.substr(0, slash);
  }
  std::string_view port;
  if (rest.starts_with('[')) {
    std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return url_error(url, "unterminated [IPv6] host");
    out.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) return url_error(url, "garbage after the host");
      port = after.substr(1);
    }
  } else if (std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    out.host = std::string(rest.substr(0, colon));
    port = rest.substr(colon + 1);
  } else {
    out.host = std::string(rest);
  }
  if (out.host.empty()) return url_error(url, "missing host");
  if (!port.empty() && (!parse_int(port, out.port) || out.port <= 0 || out.port > 65535))
    return url_error(url, "the port must be 1-65535");
  return out;
}

// One pooled connection, returned to the pool (or dropped, when broken) at scope exit.
class RedisClient::Lease {
 public:
  explicit Lease(RedisClient& client) : client_(client) {
    std::unique_lock lock(client_.mu_);
    client_.freed_.wait(lock, [this] {
      return !client_.idle_.empty() || client_.leased_ < client_.options_.pool_size;
    });
    if (!client_.idle_.empty()) {
      conn = std::move(client_.idle_.back());
      client_.idle_.pop_back();
    }
    ++client_.leased_;
  }
  ~Lease() {
    std::lock_guard lock(client_.mu_);
    --client_.leased_;
    if (conn) client_.idle_.push_back(std::move(conn));
    client_.freed_.notify_one();
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  Context conn;  // null until connected (or after a connection error)

 private:
  RedisClient& client_;
};

Result<std::unique_ptr<RedisClient>> RedisClient::create(std::string_view url,
                                                         RedisClientOptions options) {
  auto parsed = parse_redis_url(url);
  if (!parsed) return std::move(parsed).error();
  if (options.pool_size == 0) options.pool_size = 1;
  // Connections open lazily: a gateway starts while Redis is down and answers 503 meanwhile.
  return std::unique_ptr<RedisClient>(new RedisClient(std::move(parsed).value(), options));
}

RedisClient::~RedisClient() = default;

Result<RedisClient::Context> RedisClient::connect() {
  const std::string where = url_.host + ":" + std::to_string(url_.port);
  Context conn(redisConnectWithTimeout(url_.host.c_str(), url_.port, to_timeval(options_.timeout)));
  if (!conn) return store_error("rate limit store " + where + ": out of memory");
  if (conn->err != 0)
    return store_error("rate limit store " + where + " unreachable: " + conn->errstr);
  if (redisSetTimeout(conn.get(), to_timeval(options_.timeout)) != REDIS_OK)
    return store_error("rate limit store " + where + ": cannot set the command timeout");
  if (url_.db != 0) {
    const std::string db = std::to_string(url_.db);
    auto selected = command(conn, {"SELECT", db});
    if (!selected) return std::move(selected).error();
    if ((*selected)->type == REDIS_REPLY_ERROR)
      return store_error("rate limit store " + where + ": SELECT " + db + " failed");
  }
  return conn;
}

// Sends one command. On a connection error (reset, timeout, EOF) the connection is dropped and
// the error returned; an error reply keeps the connection and comes back as a reply.
Result<RedisReply> RedisClient::command(Context& conn, const std::vector<std::string_view>& argv) {
  std::vector<const char*> ptrs;
  std::vector<std::size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (std::string_view a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(conn.get(), static_cast<int>(argv.size()), ptrs.data(), lens.data()));
  if (raw == nullptr) {
    std::string why = conn->err != 0 ? conn->errstr : "no reply";
    conn.reset();
    return store_error("rate limit store connection failed: " + why);
  }
  return RedisReply(raw);
}

Result<RedisReply> RedisClient::eval_on(Context& conn, std::string_view script,
                                        const std::vector<std::string>& keys,
                                        const std::vector<std::string>& args) {
  std::string sha;
  {
    std::lock_guard lock(mu_);
    if (auto it = shas_.find(std::string(script)); it != shas_.end()) sha = it->second;
  }
  if (sha.empty()) {
    auto loaded = command(conn, {"SCRIPT", "LOAD", script});
    if (!loaded) return std::move(loaded).error();
    if ((*loaded)->type != REDIS_REPLY_STRING)
      return store_error("rate limit store: SCRIPT LOAD did not answer a SHA");
    sha.assign((*loaded)->str, (*loaded)->len);
    std::lock_guard lock(mu_);
    shas_.emplace(std::string(script), sha);
  }
  const std::string numkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv{"EVALSHA", sha, numkeys};
  for (const std::string& k : keys) argv.emplace_back(k);
  for (const std::string& a : args) argv.emplace_back(a);
  auto reply = command(conn, argv);
  if (!reply) return reply;
  if ((*reply)->type == REDIS_REPLY_ERROR &&
      std::string_view((*reply)->str, (*reply)->len).starts_with("NOSCRIPT")) {
    // The server lost its script cache (restart, failover, SCRIPT FLUSH): EVAL reloads it.
    argv[0] = "EVAL";
    argv[1] = script;
    reply = command(conn, argv);
    if (!reply) return reply;
  }
  if ((*reply)->type == REDIS_REPLY_ERROR)
    return store_error("rate limit store script failed: " +
                       std::string((*reply)->str, std::min<std::size_t>((*reply)->len, 200)));
  return reply;
}

Result<RedisReply> RedisClient::eval(std::string_view script, const std::vector<std::string>& keys,
                                     const std::vector<std::string>& args) {
  Lease lease(*this);
  // A stale pooled connection, a restarted server: reconnect once, then give up with the error.
  Error last = store_error("rate limit store unavailable");
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!lease.conn) {
      auto conn = connect();
      if (!conn) {
        last = std::move(conn).error();
        continue;
      }
      lease.conn = std::move(conn).value();
    }
    auto reply = eval_on(lease.conn, script, keys, args);
    if (reply || lease.conn) return reply;  // success, or an error reply on a healthy connection
    last = std::move(reply).error();
  }
  return last;
}

}  // namespace gw::cost
