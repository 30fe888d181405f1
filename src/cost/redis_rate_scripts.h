// The Lua scripts of the Redis rate limiter. They restate rate_window.h: buckets of bucket_ms, a
// bucket counts while any part of it lies within the last window_ms, retry-after is when enough
// buckets have left the window. The clock is the Redis server's TIME, so gateway instances with
// skewed clocks agree. Per scope four keys: gw:rl:{scope}:req|tok|cost are hashes bucket → sum,
// gw:rl:{scope}:conc is a hash request_id → "lease_expiry_ms:bucket".
#pragma once

#include <string_view>

namespace gw::cost {

// KEYS: 4 per scope (req, tok, cost, conc). ARGV: window_ms, bucket_ms, lease_ms, request_id,
// tokens, cost_nanos, then 4 per scope (requests, tokens, cost, concurrency limits; 0 = none).
// Returns {1} when admitted and charged, else {0, scope_index (0-based), limit, retry_after_ms}.
inline constexpr std::string_view kRateAcquireScript = R"lua(
local window = tonumber(ARGV[1])
local bucket_ms = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local rid = ARGV[4]
local asks = {1, tonumber(ARGV[5]), tonumber(ARGV[6])}
local names = {'requests_per_min', 'tokens_per_min', 'cost_nanos_per_min'}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local oldest = math.floor((now - window) / bucket_ms)
local scopes = #KEYS / 4

-- The buckets of one window, oldest first, and their sum; buckets out of the window are deleted.
local function window_of(key)
  local flat = redis.call('HGETALL', key)
  local list, sum = {}, 0
  for i = 1, #flat, 2 do
    local b = tonumber(flat[i])
    if b < oldest then
      redis.call('HDEL', key, flat[i])
    else
      local v = tonumber(flat[i + 1])
      list[#list + 1] = {b, v}
      sum = sum + v
    end
  end
  table.sort(list, function(x, y) return x[1] < y[1] end)
  return sum, list
end

local function retry_after(sum, list, ask, limit)
  local remaining = sum
  for _, e in ipairs(list) do
    remaining = remaining - e[2]
    if math.max(remaining, 0) + ask <= limit then
      return math.max((e[1] + 1) * bucket_ms + window - now, 1)
    end
  end
  return window
end

-- Concurrency slots still held; slots past their lease are reaped.
local function held_slots(key)
  local flat = redis.call('HGETALL', key)
  local held = 0
  for i = 1, #flat, 2 do
    local expires = tonumber(string.match(flat[i + 1], '^(%d+)'))
    if expires == nil or expires <= now then
      redis.call('HDEL', key, flat[i])
    else
      held = held + 1
    end
  end
  return held
end

-- Check every limit of every scope first; report the one that frees last.
local wait, scope, limit_name = 0, 0, ''
for s = 0, scopes - 1 do
  for k = 1, 3 do
    local sum, list = window_of(KEYS[s * 4 + k])
    local limit = tonumber(ARGV[6 + s * 4 + k])
    if limit > 0 and math.max(sum, 0) + asks[k] > limit then
      local w = retry_after(sum, list, asks[k], limit)
      if w > wait then wait, scope, limit_name = w, s, names[k] end
    end
  end
  local held = held_slots(KEYS[s * 4 + 4])
  local max_conc = tonumber(ARGV[6 + s * 4 + 4])
  if max_conc > 0 and held >= max_conc and 1000 > wait then
    wait, scope, limit_name = 1000, s, 'max_concurrent'
  end
end
if limit_name ~= '' then
  return {0, scope, limit_name, wait}
end

-- Everything fits: charge every scope.
local bucket = string.format('%d', math.floor(now / bucket_ms))
local slot = string.format('%d', now + lease) .. ':' .. bucket
local keep = string.format('%d', window + bucket_ms + 1000)
for s = 0, scopes - 1 do
  redis.call('HINCRBY', KEYS[s * 4 + 1], bucket, 1)
  redis.call('HINCRBY', KEYS[s * 4 + 2], bucket, ARGV[5])
  redis.call('HINCRBY', KEYS[s * 4 + 3], bucket, ARGV[6])
  for k = 1, 3 do
    redis.call('PEXPIRE', KEYS[s * 4 + k], keep)
  end
  redis.call('HSET', KEYS[s * 4 + 4], rid, slot)
  redis.call('PEXPIRE', KEYS[s * 4 + 4], string.format('%d', lease + 1000))
end
return {1}
)lua";

// KEYS: 4 per scope, as above. ARGV: window_ms, bucket_ms, request_id, tokens correction,
// cost correction (used − estimate). Per scope, only when the request still holds its slot: the
// correction goes to the bucket it was charged in (if still in the window) and the slot is freed.
// Idempotent: a second release finds no slot. Returns the number of scopes released.
inline constexpr std::string_view kRateReleaseScript = R"lua(
local window = tonumber(ARGV[1])
local bucket_ms = tonumber(ARGV[2])
local rid = ARGV[3]
local d_tok = tonumber(ARGV[4])
local d_cost = tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local oldest = math.floor((now - window) / bucket_ms)
local keep = string.format('%d', window + bucket_ms + 1000)
local released = 0
for s = 0, #KEYS / 4 - 1 do
  local conc = KEYS[s * 4 + 4]
  local slot = redis.call('HGET', conc, rid)
  if slot then
    redis.call('HDEL', conc, rid)
    released = released + 1
    local b = tonumber(string.match(slot, ':(%-?%d+)$'))
    if b ~= nil and b >= oldest then
      local field = string.format('%d', b)
      if d_tok ~= 0 then
        redis.call('HINCRBY', KEYS[s * 4 + 2], field, ARGV[4])
        redis.call('PEXPIRE', KEYS[s * 4 + 2], keep)
      end
      if d_cost ~= 0 then
        redis.call('HINCRBY', KEYS[s * 4 + 3], field, ARGV[5])
        redis.call('PEXPIRE', KEYS[s * 4 + 3], keep)
      end
    end
  end
end
return released
)lua";

}  // namespace gw::cost
