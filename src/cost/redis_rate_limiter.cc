// Redis rate limiter: the same sliding windows as the local limiter, kept in Redis and changed by
// one Lua script per call (redis_rate_scripts.h), so every gateway instance enforces one global
// limit. Any store failure is an error (the caller answers 503): never a per-instance fallback.
#include <string>
#include <vector>

#include "cost/rate_limiter.h"
#include "cost/rate_window.h"
#include "cost/redis_client.h"
#include "cost/redis_rate_scripts.h"

namespace gw::cost {
namespace {

Error bad_reply(std::string_view what) {
  Error e = Error::make(ErrorKind::gateway_unavailable,
                        "rate limit store: unexpected reply to " + std::string(what),
                        std::string(kRateStoreUnavailable));
  e.retry_after = std::chrono::milliseconds(1000);
  return e;
}

void add_keys(std::vector<std::string>& keys, const std::string& scope) {
  const std::string prefix = "gw:rl:{" + scope + "}:";
  for (const char* suffix : {"req", "tok", "cost", "conc"}) keys.push_back(prefix + suffix);
}

class RedisRateLimiter final : public RateLimiter {
 public:
  RedisRateLimiter(std::unique_ptr<RedisClient> client, std::int64_t window_ms)
      : client_(std::move(client)), window_ms_(window_ms), bucket_ms_(rate_bucket_ms(window_ms)) {}

  Result<RateDecision> acquire(const RateAsk& ask) override;
  Status release(const RateAsk& ask, std::int64_t used_tokens, std::int64_t used_nanos,
                 std::int64_t now_ms) override;

 private:
  std::unique_ptr<RedisClient> client_;
  const std::int64_t window_ms_;
  const std::int64_t bucket_ms_;
};

Result<RateDecision> RedisRateLimiter::acquire(const RateAsk& ask) {
  std::vector<const RateScope*> limited;
  for (const RateScope& s : ask.scopes)
    if (s.limits.any()) limited.push_back(&s);
  if (limited.empty()) return RateDecision{.admitted = true, .scope = {}, .limit = {}};

  std::vector<std::string> keys;
  std::vector<std::string> args{std::to_string(window_ms_),       std::to_string(bucket_ms_),
                                std::to_string(kRateSlotLeaseMs), ask.request_id,
                                std::to_string(ask.tokens),       std::to_string(ask.cost_nanos)};
  for (const RateScope* s : limited) {
    add_keys(keys, s->scope);
    const RateLimits& l = s->limits;
    for (std::int64_t v :
         {l.requests_per_min, l.tokens_per_min, l.cost_nanos_per_min, l.max_concurrent})
      args.push_back(std::to_string(v));
  }
  auto reply = client_->eval(kRateAcquireScript, keys, args);
  if (!reply) return std::move(reply).error();
  const redisReply& r = **reply;
  if (r.type != REDIS_REPLY_ARRAY || r.elements < 1 || r.element[0]->type != REDIS_REPLY_INTEGER)
    return bad_reply("acquire");
  if (r.element[0]->integer == 1) return RateDecision{.admitted = true, .scope = {}, .limit = {}};
  if (r.elements != 4 || r.element[1]->type != REDIS_REPLY_INTEGER ||
      r.element[2]->type != REDIS_REPLY_STRING || r.element[3]->type != REDIS_REPLY_INTEGER)
    return bad_reply("acquire");
  const long long index = r.element[1]->integer;
  if (index < 0 || static_cast<std::size_t>(index) >= limited.size()) return bad_reply("acquire");
  return RateDecision{.admitted = false,
                      .scope = limited[static_cast<std::size_t>(index)]->scope,
                      .limit = std::string(r.element[2]->str, r.element[2]->len),
                      .retry_after_ms = r.element[3]->integer};
}

Status RedisRateLimiter::release(const RateAsk& ask, std::int64_t used_tokens,
                                 std::int64_t used_nanos, std::int64_t /*now_ms: Redis TIME*/) {
  if (ask.scopes.empty()) return {};
  // Every scope, limited or not now: the limits may have been reloaded since admission.
  std::vector<std::string> keys;
  for (const RateScope& s : ask.scopes) add_keys(keys, s.scope);
  std::vector<std::string> args{std::to_string(window_ms_), std::to_string(bucket_ms_),
                                ask.request_id, std::to_string(used_tokens - ask.tokens),
                                std::to_string(used_nanos - ask.cost_nanos)};
  auto reply = client_->eval(kRateReleaseScript, keys, args);
  if (!reply) return std::move(reply).error();
  if ((*reply)->type != REDIS_REPLY_INTEGER) return bad_reply("release");
  return {};
}

}  // namespace

Result<std::unique_ptr<RateLimiter>> make_redis_rate_limiter(std::string_view url,
                                                             std::int64_t window_ms) {
  auto client = RedisClient::create(url);
  if (!client) return std::move(client).error();
  return std::unique_ptr<RateLimiter>(
      std::make_unique<RedisRateLimiter>(std::move(client).value(), window_ms));
}

}  // namespace gw::cost
