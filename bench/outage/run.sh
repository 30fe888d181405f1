#!/usr/bin/env bash
# Outage benchmark (issue 4, RELIABILITY PF-03/PF-09): the gateway in front of the mock provider,
# persona primary mock/mock-gpt with fallback mock/mock-gpt-mini. Three phases under wrk load:
#   healthy  — baseline throughput and latency;
#   outage   — the primary answers 503 to everything: failover time of the first request,
#              throughput and p99 while it is down, upstream attempts on the primary per request
#              (from the mock's own status counters: probes included);
#   recovery — the primary is back: time until its breaker is closed again.
# Loopback only; every process started here is ended by PID on exit.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
GW_BIN="${GW_BIN:-$repo/build/release/execution-platform}"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-32}"
THREADS="${THREADS:-2}"
GW_WORKERS="${GW_WORKERS:-2}"
OPEN_MS="${OPEN_MS:-2000}"
API_KEY="gw-bench-key"
ADMIN_KEY="gw-bench-admin"

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' not found" >&2; exit 1; }
done
[[ -x "$GW_BIN" ]] || { echo "run.sh: no gateway binary at $GW_BIN (set GW_BIN)" >&2; exit 1; }

tmp="$(mktemp -d /tmp/ep-outage-XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ "${KEEP_TMP:-0}" == 1 ]] || rm -rf "$tmp"
}
trap cleanup EXIT

wait_line() {  # file regex → first match
  for _ in $(seq 300); do
    if grep -qE "$2" "$1" 2>/dev/null; then grep -oE "$2" "$1" | head -1; return 0; fi
    sleep 0.1
  done
  echo "run.sh: timed out waiting for '$2' in $1" >&2; exit 1
}

"$GW_BIN" mock-provider --listen 127.0.0.1:0 > "$tmp/mock.out" 2> "$tmp/mock.err" &
pids+=($!)
mock_url="$(wait_line "$tmp/mock.out" 'http://127\.0\.0\.1:[0-9]+')"

cat > "$tmp/gateway.json" <<JSON
{
  "version": 1,
  "local_demo": true,
  "server": { "listen": "127.0.0.1:0", "workers": $GW_WORKERS },
  "storage": { "url": "sqlite://$tmp/gw.db" },
  "logging": { "access_log": "off", "level": "warn" },
  "providers": {
    "mock": { "type": "openai", "base_url": "$mock_url", "api_key": "sk-bench",
              "breaker": { "open_ms": $OPEN_MS } }
  },
  "personas": {
    "bench": { "provider": "mock", "model": "mock-gpt", "fallback": ["mock/mock-gpt-mini"] }
  },
  "keys": [
    { "key": "$API_KEY", "persona": "bench" },
    { "key": "$ADMIN_KEY", "persona": "bench", "role": "admin" }
  ]
}
JSON
"$GW_BIN" serve --config "$tmp/gateway.json" > "$tmp/gateway.out" 2> "$tmp/gateway.err" &
gw_pid=$!
pids+=("$gw_pid")
gw_url="$(wait_line "$tmp/gateway.out" 'listening on http://127\.0\.0\.1:[0-9]+' | sed 's/listening on //')"

body='{"model":"mock-gpt","messages":[{"role":"user","content":"summarise the outage runbook in one line"}]}'
printf '%s' "$body" > "$tmp/body.json"
cat > "$tmp/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $API_KEY"
local f = io.open("$tmp/body.json", "rb"); wrk.body = f:read("*a"); f:close()
LUA

mock_stats() { curl -s "$mock_url/_mock/stats"; }
reset_stats() { curl -s -X DELETE "$mock_url/_mock/stats" > /dev/null; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$gw_pid/status"; }
load() {  # phase → wrk output file
  wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$tmp/post.lua" "$gw_url/v1/chat/completions" \
    > "$tmp/wrk-$1.txt"
}
summary() {  # phase → JSON figures from wrk and the mock's counters
  python3 - "$tmp/wrk-$1.txt" "$1" "$(mock_stats)" "$(rss_kb)" <<'PY'
import json, re, sys
text, phase, stats, rss = open(sys.argv[1]).read(), sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
units = {"us": 1e-3, "ms": 1.0, "s": 1e3}
def ms(v):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s)", v); return float(m.group(1)) * units[m.group(2)]
lat = {p: ms(v) for p, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", text, re.M)}
reqs = int(re.search(r"(\d+) requests in", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
by = stats.get("by_status", {})
print(json.dumps({"phase": phase, "requests": reqs, "rps": float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1)),
                  "p50_ms": lat.get("50"), "p99_ms": lat.get("99"), "non_2xx": int(non2xx.group(1)) if non2xx else 0,
                  "upstream": by, "primary_attempts_per_request": round(by.get("503", 0) / max(reqs, 1), 4),
                  "gateway_rss_kb": rss}))
PY
}

echo "== healthy ($DURATION s, $CONNS connections)" >&2
reset_stats
load healthy
summary healthy | tee "$tmp/results.jsonl"

echo "== outage: primary answers 503" >&2
curl -s "$mock_url/_mock/faults" -d '{"faults":[{"status":503,"times":0,"match":{"model":"mock-gpt"}}]}' > /dev/null
reset_stats
failover_ms="$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $API_KEY" \
  -H 'content-type: application/json' -d "$body" "$gw_url/v1/chat/completions" | awk '{ printf "%.2f", $1 * 1000 }')"
load outage
summary outage | python3 -c "import json,sys; d=json.loads(sys.stdin.read()); d['failover_first_request_ms']=float('$failover_ms'); print(json.dumps(d))" | tee -a "$tmp/results.jsonl"

echo "== recovery: primary healthy again" >&2
curl -s -X DELETE "$mock_url/_mock/faults" > /dev/null
start_ns=$(date +%s%N)
closed=""
for _ in $(seq 600); do
  curl -s -o /dev/null -H "Authorization: Bearer $API_KEY" -H 'content-type: application/json' -d "$body" "$gw_url/v1/chat/completions"
  state="$(curl -s -H "Authorization: Bearer $ADMIN_KEY" "$gw_url/admin/breakers" |
    python3 -c "import json,sys; b=[x for x in json.load(sys.stdin)['breakers'] if x['model']=='mock-gpt']; print(b[0]['state'] if b else 'closed')")"
  if [[ "$state" == closed ]]; then closed=1; break; fi
  sleep 0.05
done
recovery_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
echo "{\"phase\":\"recovery\",\"breaker_closed\":${closed:-0},\"recovery_ms\":$recovery_ms,\"open_ms\":$OPEN_MS}" | tee -a "$tmp/results.jsonl"
