// Both rate limiters (in process and Redis) against the same cases: exact and sliding request
// windows, token and cost windows corrected at release, concurrency slots, all-or-nothing across
// scopes; then the Redis-only BR-06 cases: three "replicas" sharing one Redis admit exactly the
// limit, and a Redis that is gone is an error, never an admission. The windows are 6 s (100 ms
// buckets) so sliding can be observed by waiting. Redis comes from GW_TEST_REDIS_URL, or the
// fixture starts one with scripts/redis.sh on a free port (it never skips).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cost/rate_limiter.h"
#include "cost/redis_client.h"
#include "support/test_servers.h"

namespace gw::cost {
namespace {

using std::chrono::milliseconds;

constexpr std::int64_t kWindowMs = 6000;
const std::string kScript = std::string(GW_SOURCE_DIR) + "/scripts/redis.sh";

std::int64_t wall_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A listening socket on a free loopback port; accepts nothing (-1 when it failed).
int listen_on_free_port(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 || ::listen(fd, 8) != 0) {
    ::close(fd);
    return -1;
  }
  port = ntohs(addr.sin_port);
  return fd;
}

using gw::test::free_port;
using gw::test::run_command;

// A redis-server started by scripts/redis.sh, stopped when this object goes.
class OwnRedis {
 public:
  OwnRedis() {
    char dir[] = "/tmp/ep-redis-XXXXXX";
    if (::mkdtemp(dir) == nullptr) return;
    dir_ = std::string(dir) + "/server";
    for (int tries = 0; tries < 3 && url_.empty(); ++tries) {
      port_ = free_port();
      auto url = run_command(kScript + " start " + dir_ + " " + std::to_string(port_));
      if (url && url->starts_with("redis://")) url_ = *url;
    }
    if (url_.empty()) ::rmdir(dir);
  }
  ~OwnRedis() { stop(); }
  OwnRedis(const OwnRedis&) = delete;
  OwnRedis& operator=(const OwnRedis&) = delete;

  void stop() {
    if (dir_.empty()) return;
    (void)run_command(kScript + " stop " + dir_);
    ::rmdir(dir_.substr(0, dir_.rfind('/')).c_str());
    dir_.clear();
  }
  const std::string& url() const { return url_; }
  int port() const { return port_; }

 private:
  std::string dir_;
  std::string url_;
  int port_ = 0;
};

// The Redis the suites share: GW_TEST_REDIS_URL, or one started for the suite.
class SharedRedis {
 public:
  static void start() {
    if (const char* url = std::getenv("GW_TEST_REDIS_URL"); url != nullptr && *url != '\0') {
      url_ = url;
      return;
    }
    own_ = std::make_unique<OwnRedis>();
    url_ = own_->url();
  }
  static void stop() {
    own_.reset();
    url_.clear();
  }
  static const std::string& url() { return url_; }

 private:
  static inline std::unique_ptr<OwnRedis> own_;
  static inline std::string url_;
};

struct LocalKind {
  static void start_suite() {}
  static void stop_suite() {}
  static std::unique_ptr<RateLimiter> make() { return make_local_rate_limiter(kWindowMs); }
};

struct RedisKind {
  static void start_suite() {
    std::signal(SIGPIPE, SIG_IGN);  // as serve does: a write to a dropped server is an error
    SharedRedis::start();
  }
  static void stop_suite() { SharedRedis::stop(); }
  static std::unique_ptr<RateLimiter> make() {
    auto made = make_redis_rate_limiter(SharedRedis::url(), kWindowMs);
    EXPECT_TRUE(made.ok()) << made.error().message;
    return made.ok() ? std::move(made).value() : nullptr;
  }
};

// A scope name no other test (or earlier run against the same Redis) uses.
std::string unique_scope(std::string_view kind) {
  static std::atomic<int> counter{0};
  return std::string(kind) + ":" + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
         "-" + std::to_string(::getpid()) + "-" + std::to_string(wall_ms()) + "-" +
         std::to_string(counter++);
}

RateAsk ask_for(std::vector<RateScope> scopes, std::string request_id, std::int64_t tokens = 0,
                std::int64_t cost_nanos = 0) {
  RateAsk a;
  a.request_id = std::move(request_id);
  a.scopes = std::move(scopes);
  a.tokens = tokens;
  a.cost_nanos = cost_nanos;
  a.now_ms = wall_ms();
  return a;
}

template <typename Kind>
class RateLimiterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Kind::start_suite(); }
  static void TearDownTestSuite() { Kind::stop_suite(); }
  void SetUp() override {
    limiter_ = Kind::make();
    ASSERT_NE(limiter_, nullptr) << "no limiter (is redis-server installed?)";
  }

  RateDecision acquire(const RateAsk& ask) {
    auto d = limiter_->acquire(ask);
    EXPECT_TRUE(d.ok()) << d.error().message;
    return d.ok() ? *d : RateDecision{};
  }
  bool admitted(const RateAsk& ask) { return acquire(ask).admitted; }
  void release(const RateAsk& ask, std::int64_t used_tokens, std::int64_t used_nanos) {
    Status s = limiter_->release(ask, used_tokens, used_nanos, wall_ms());
    EXPECT_TRUE(s.ok()) << s.error().message;
  }

  std::unique_ptr<RateLimiter> limiter_;
};

using Kinds = ::testing::Types<LocalKind, RedisKind>;
class KindNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, LocalKind> ? "local" : "redis";
  }
};
TYPED_TEST_SUITE(RateLimiterTest, Kinds, KindNames);

TYPED_TEST(RateLimiterTest, RequestLimitIsExactWithinTheWindow) {
  const RateScope key{.scope = unique_scope("key"), .limits = {.requests_per_min = 5}};
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(this->admitted(ask_for({key}, "r" + std::to_string(i))));
  RateDecision refused = this->acquire(ask_for({key}, "r5"));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.scope, key.scope);
  EXPECT_EQ(refused.limit, "requests_per_min");
  // The first request leaves the window between 6.0 and 6.1 s after it was charged.
  EXPECT_GT(refused.retry_after_ms, 4000);
  EXPECT_LE(refused.retry_after_ms, kWindowMs + 100);
}

TYPED_TEST(RateLimiterTest, RequestsFreeUpAsTheirBucketsAgeOut) {
  const RateScope key{.scope = unique_scope("key"), .limits = {.requests_per_min = 4}};
  EXPECT_TRUE(this->admitted(ask_for({key}, "early-1")));
  EXPECT_TRUE(this->admitted(ask_for({key}, "early-2")));
  std::this_thread::sleep_for(milliseconds(3000));
  EXPECT_TRUE(this->admitted(ask_for({key}, "late-1")));
  EXPECT_TRUE(this->admitted(ask_for({key}, "late-2")));
  RateDecision refused = this->acquire(ask_for({key}, "late-3"));
  ASSERT_FALSE(refused.admitted);
  // The early pair leaves about 3 s from now; the late pair about 6 s from now.
  EXPECT_GT(refused.retry_after_ms, 1000);
  EXPECT_LE(refused.retry_after_ms, 3200);
  std::this_thread::sleep_for(milliseconds(refused.retry_after_ms + 150));
  // Exactly the early pair has aged out.
  EXPECT_TRUE(this->admitted(ask_for({key}, "later-1")));
  EXPECT_TRUE(this->admitted(ask_for({key}, "later-2")));
  EXPECT_FALSE(this->admitted(ask_for({key}, "later-3")));
}

TYPED_TEST(RateLimiterTest, TokensAndCostAreCorrectedAtReleaseOnce) {
  constexpr std::int64_t kDollar = 1'000'000'000;
  const RateScope key{.scope = unique_scope("key"),
                      .limits = {.tokens_per_min = 1000, .cost_nanos_per_min = kDollar}};
  const RateAsk first = ask_for({key}, "first", 600, 6 * kDollar / 10);
  EXPECT_TRUE(this->admitted(first));
  RateDecision refused = this->acquire(ask_for({key}, "second", 600, 100));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.limit, "tokens_per_min");
  // The first used less than estimated: 200 tokens, 0.2 $ stay in the window.
  this->release(first, 200, 2 * kDollar / 10);
  EXPECT_TRUE(this->admitted(ask_for({key}, "second", 600, 100)));  // 800 tokens now
  // Releasing again corrects nothing more (else 300 tokens would fit below).
  this->release(first, 0, 0);
  refused = this->acquire(ask_for({key}, "third", 300, 0));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.limit, "tokens_per_min");
  refused = this->acquire(ask_for({key}, "fourth", 100, 9 * kDollar / 10));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.limit, "cost_nanos_per_min");
  EXPECT_TRUE(this->admitted(ask_for({key}, "fifth", 200, 7 * kDollar / 10)));
}

TYPED_TEST(RateLimiterTest, AnAskLargerThanTheLimitNeverFits) {
  const RateScope key{.scope = unique_scope("key"), .limits = {.tokens_per_min = 1000}};
  RateDecision refused = this->acquire(ask_for({key}, "huge", 1001));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.limit, "tokens_per_min");
  EXPECT_EQ(refused.retry_after_ms, kWindowMs);
}

TYPED_TEST(RateLimiterTest, ConcurrencySlotIsFreedByReleaseOnce) {
  const RateScope key{.scope = unique_scope("key"), .limits = {.max_concurrent = 2}};
  const RateAsk a = ask_for({key}, "a");
  const RateAsk b = ask_for({key}, "b");
  EXPECT_TRUE(this->admitted(a));
  EXPECT_TRUE(this->admitted(b));
  RateDecision refused = this->acquire(ask_for({key}, "c"));
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.limit, "max_concurrent");
  EXPECT_GE(refused.retry_after_ms, 1000);
  this->release(a, 0, 0);
  EXPECT_TRUE(this->admitted(ask_for({key}, "c")));
  this->release(a, 0, 0);  // idempotent: frees nobody else's slot
  EXPECT_FALSE(this->admitted(ask_for({key}, "d")));
  this->release(b, 0, 0);
  EXPECT_TRUE(this->admitted(ask_for({key}, "d")));
}

TYPED_TEST(RateLimiterTest, AllOrNothingAcrossScopes) {
  const RateScope persona{.scope = unique_scope("persona"), .limits = {.requests_per_min = 10}};
  const RateScope key{.scope = unique_scope("key"), .limits = {.requests_per_min = 1}};
  EXPECT_TRUE(this->admitted(ask_for({persona, key}, "one")));
  for (int i = 0; i < 3; ++i) {
    RateDecision refused = this->acquire(ask_for({persona, key}, "more" + std::to_string(i)));
    EXPECT_FALSE(refused.admitted);
    EXPECT_EQ(refused.scope, key.scope);
    EXPECT_EQ(refused.limit, "requests_per_min");
  }
  // The refusals charged nothing to the persona: it has exactly 9 requests left.
  for (int i = 0; i < 9; ++i)
    EXPECT_TRUE(this->admitted(ask_for({persona}, "p" + std::to_string(i)))) << i;
  EXPECT_FALSE(this->admitted(ask_for({persona}, "p9")));
}

TYPED_TEST(RateLimiterTest, ScopesWithoutLimitsAlwaysAdmit) {
  const RateScope open{.scope = unique_scope("persona"), .limits = {}};
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(this->admitted(ask_for({open}, std::to_string(i))));
}

TYPED_TEST(RateLimiterTest, ConcurrentCallersOnOneLimiterAdmitExactlyTheLimit) {
  const RateScope key{.scope = unique_scope("key"), .limits = {.requests_per_min = 100}};
  std::atomic<int> admitted{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; ++i) {
        auto d =
            this->limiter_->acquire(ask_for({key}, std::to_string(t) + "-" + std::to_string(i)));
        if (!d.ok())
          ++errors;
        else if (d->admitted)
          ++admitted;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(admitted.load(), 100);
}

// ---- Local only: a controlled clock (Redis uses its server's TIME) ----

RateAsk ask_at(const RateScope& scope, std::string request_id, std::int64_t now_ms) {
  RateAsk a;
  a.request_id = std::move(request_id);
  a.scopes = {scope};
  a.now_ms = now_ms;
  return a;
}

TEST(LocalRateLimiterTest, RetryAfterIsWhenTheOldestBucketLeavesTheWindow) {
  auto limiter = make_local_rate_limiter(kWindowMs);  // 100 ms buckets
  const RateScope key{.scope = "key:clock", .limits = {.requests_per_min = 2}};
  constexpr std::int64_t kT = 1'000'050;  // inside bucket 10000
  ASSERT_TRUE(limiter->acquire(ask_at(key, "a", kT))->admitted);
  ASSERT_TRUE(limiter->acquire(ask_at(key, "b", kT + 100))->admitted);  // bucket 10001
  auto refused = limiter->acquire(ask_at(key, "c", kT + 110));
  ASSERT_TRUE(refused.ok());
  EXPECT_FALSE(refused->admitted);
  // Bucket 10000 counts while any part of it is within the last 6 s: until 1 000 100 + 6 000.
  EXPECT_EQ(refused->retry_after_ms, 1'006'100 - (kT + 110));
  EXPECT_FALSE(limiter->acquire(ask_at(key, "c", 1'006'099))->admitted);
  EXPECT_TRUE(limiter->acquire(ask_at(key, "c", 1'006'100))->admitted);
  EXPECT_FALSE(limiter->acquire(ask_at(key, "d", 1'006'100))->admitted);
}

TEST(LocalRateLimiterTest, AbandonedConcurrencySlotIsReapedAfterItsLease) {
  auto limiter = make_local_rate_limiter(kWindowMs);
  const RateScope key{.scope = "key:lease", .limits = {.max_concurrent = 1}};
  constexpr std::int64_t kT = 5'000'000;
  ASSERT_TRUE(limiter->acquire(ask_at(key, "crashed", kT))->admitted);  // never released
  EXPECT_FALSE(limiter->acquire(ask_at(key, "next", kT + 9 * 60 * 1000))->admitted);
  EXPECT_TRUE(limiter->acquire(ask_at(key, "next", kT + 10 * 60 * 1000))->admitted);
}

// ---- Redis only: BR-06 ----

class RedisRateLimiterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::signal(SIGPIPE, SIG_IGN);  // as serve does: a write to a dropped server is an error
    SharedRedis::start();
  }
  static void TearDownTestSuite() { SharedRedis::stop(); }
  void SetUp() override { ASSERT_FALSE(SharedRedis::url().empty()) << "no Redis to test against"; }
};

// BR-06(b), scaled to a 6 s window: RPM 100 across 3 replicas, 1 000 requests spread over the
// window from 3 threads (one replica each) → 100 admitted.
TEST_F(RedisRateLimiterTest, ThreeReplicasSharingRedisAdmitOneGlobalLimit) {
  const RateScope key{.scope = unique_scope("key"), .limits = {.requests_per_min = 100}};
  std::vector<std::unique_ptr<RateLimiter>> replicas;
  for (int i = 0; i < 3; ++i) {
    auto made = make_redis_rate_limiter(SharedRedis::url(), kWindowMs);
    ASSERT_TRUE(made.ok()) << made.error().message;
    replicas.push_back(std::move(made).value());
  }
  constexpr int kRequests = 1000;
  constexpr std::int64_t kSpreadMs = 5400;  // inside the window, so nothing ages out meanwhile
  std::atomic<int> admitted{0};
  std::atomic<int> errors{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&, r] {
      for (int i = r; i < kRequests; i += 3) {
        std::this_thread::sleep_until(start + milliseconds(kSpreadMs * i / kRequests));
        auto d = replicas[static_cast<std::size_t>(r)]->acquire(
            ask_for({key}, "req-" + std::to_string(i)));
        if (!d.ok())
          ++errors;
        else if (d->admitted)
          ++admitted;
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto elapsed =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start).count();
  ASSERT_LT(elapsed, kWindowMs) << "the run overran the window; the count would be meaningless";
  EXPECT_EQ(errors.load(), 0);
  EXPECT_NEAR(admitted.load(), 100, 2);
}

// BR-06(a): Redis goes away → acquire and release are errors (the caller answers 503), never an
// admission.
TEST_F(RedisRateLimiterTest, RedisGoneIsAnErrorNotAnAdmission) {
  OwnRedis own;
  ASSERT_FALSE(own.url().empty()) << "scripts/redis.sh start failed";
  auto made = make_redis_rate_limiter(own.url(), kWindowMs);
  ASSERT_TRUE(made.ok()) << made.error().message;
  RateLimiter& limiter = **made;
  const RateScope key{.scope = unique_scope("key"), .limits = {.requests_per_min = 1000}};
  const RateAsk ask = ask_for({key}, "before");
  auto before = limiter.acquire(ask);
  ASSERT_TRUE(before.ok()) << before.error().message;
  EXPECT_TRUE(before->admitted);

  own.stop();
  auto after = limiter.acquire(ask_for({key}, "after"));
  ASSERT_FALSE(after.ok()) << "admitted=" << after->admitted;
  EXPECT_EQ(after.error().kind, ErrorKind::gateway_unavailable);
  EXPECT_EQ(after.error().code, "rate_store_unavailable");
  EXPECT_GT(after.error().retry_after.count(), 0);
  Status released = limiter.release(ask, 0, 0, wall_ms());
  ASSERT_FALSE(released.ok());
  EXPECT_EQ(released.error().code, "rate_store_unavailable");
}

TEST_F(RedisRateLimiterTest, ClosedPortIsAnError) {
  auto made =
      make_redis_rate_limiter("redis://127.0.0.1:" + std::to_string(free_port()), kWindowMs);
  ASSERT_TRUE(made.ok()) << made.error().message;  // connections open lazily
  const RateScope key{.scope = "key:closed", .limits = {.requests_per_min = 1}};
  auto d = (*made)->acquire(ask_for({key}, "x"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "rate_store_unavailable");
}

// A server that accepts the connection but never answers: the command timeout ends the call.
TEST_F(RedisRateLimiterTest, SilentServerTimesOutAsAnError) {
  int port = 0;
  const int fd = listen_on_free_port(port);
  ASSERT_GE(fd, 0);
  auto made = make_redis_rate_limiter("redis://127.0.0.1:" + std::to_string(port), kWindowMs);
  ASSERT_TRUE(made.ok()) << made.error().message;
  const RateScope key{.scope = "key:silent", .limits = {.requests_per_min = 1}};
  const auto start = std::chrono::steady_clock::now();
  auto d = (*made)->acquire(ask_for({key}, "x"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ::close(fd);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, "rate_store_unavailable");
  EXPECT_LT(elapsed, std::chrono::seconds(5));  // two 250 ms timeouts, not a hang
}

// The server lost its script cache (restart, SCRIPT FLUSH): EVALSHA fails with NOSCRIPT and the
// limiter falls back to EVAL.
TEST_F(RedisRateLimiterTest, ScriptCacheFlushIsRecovered) {
  auto made = make_redis_rate_limiter(SharedRedis::url(), kWindowMs);
  ASSERT_TRUE(made.ok()) << made.error().message;
  const RateScope key{.scope = unique_scope("key"), .limits = {.requests_per_min = 2}};
  auto first = (*made)->acquire(ask_for({key}, "a"));
  ASSERT_TRUE(first.ok() && first->admitted);
  auto url = parse_redis_url(SharedRedis::url());
  ASSERT_TRUE(url.ok());
  ASSERT_TRUE(run_command("redis-cli -h " + url->host + " -p " + std::to_string(url->port) +
                          " SCRIPT FLUSH >/dev/null"));
  auto second = (*made)->acquire(ask_for({key}, "b"));
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(second->admitted);
  auto third = (*made)->acquire(ask_for({key}, "c"));
  ASSERT_TRUE(third.ok()) << third.error().message;
  EXPECT_FALSE(third->admitted);
}

TEST(RedisUrlTest, ParsesHostPortAndDatabase) {
  auto u = parse_redis_url("redis://127.0.0.1:6380/2");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->db, 2);
  u = parse_redis_url("redis://cache.internal");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 6379);
  EXPECT_EQ(u->db, 0);
  u = parse_redis_url("redis://[::1]:7000");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 7000);
  for (const char* bad : {"http://x:1", "redis://", "redis://h:0", "redis://h:99999",
                          "redis://h:1/x", "redis://user:secret@h:1"}) {
    auto r = parse_redis_url(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message.find("secret"), std::string::npos);
  }
}

}  // namespace
}  // namespace gw::cost
