#!/usr/bin/env bash
# Load benchmark: wrk against (a) the upstream directly, (b) a plain nginx reverse proxy
# in front of it and (c) the gateway in front of it; non-streamed and streamed; then time
# to first streamed event, CPU per request and memory while holding many slow streams.
# Everything runs on loopback ports picked here and is ended by PID on exit.
# See bench/README.md for what each number means and the targets.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bench/load/run.sh [--quick] [--targets direct,nginx,gateway,translate] [--modes json,sse]

  --quick          smoke check: 3 s runs, 16 connections only, 200 slow streams
  --targets LIST   comma-separated subset of direct,nginx,gateway,translate (default: all);
                   translate = the gateway serving OpenAI clients from an Anthropic upstream
                   (streamed only: OpenAI ingress -> Anthropic Messages provider)
  --modes LIST     json (non-streamed), sse (streamed; also enables the time-to-first-
                   event and slow-stream tests); default: json,sse

Environment:
  GW_BIN            gateway binary (default: build/release/execution-platform)
  DURATION          seconds per wrk run (default 10; 3 with --quick)
  CONNS             connection counts (default "1 16 64"; "16" with --quick)
  SLOW_STREAMS      concurrent slow streams for the memory test (default 1000; 200 --quick)
  TTFE_COUNT        sequential requests for time to first event (default 300)
  UPSTREAM_WORKERS  upstream nginx worker_processes (default 2)
  PROXY_WORKERS     nginx proxy worker_processes (default 2)
  GW_WORKERS        gateway server.workers (default 2)
  KEEP_TMP=1        keep the temp dir (configs, logs, raw wrk output)
  BUDGET=1          give the bench persona a daily budget (reservation + settlement per request)
EOF
}

quick=0
targets="direct,nginx,gateway,translate"
modes="json,sse"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --targets) targets="${2:?--targets needs a value}"; shift ;;
    --targets=*) targets="${1#*=}" ;;
    --modes) modes="${2:?--modes needs a value}"; shift ;;
    --modes=*) modes="${1#*=}" ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
GW_BIN="${GW_BIN:-$repo/build/release/execution-platform}"
PYTHON="${PYTHON:-python3}"
export PYTHONDONTWRITEBYTECODE=1
if [[ $quick -eq 1 ]]; then
  DURATION=3; CONNS="16"; SLOW_STREAMS="${SLOW_STREAMS:-200}"
fi
DURATION="${DURATION:-10}"
CONNS="${CONNS:-1 16 64}"
SLOW_STREAMS="${SLOW_STREAMS:-1000}"
TTFE_COUNT="${TTFE_COUNT:-300}"
UPSTREAM_WORKERS="${UPSTREAM_WORKERS:-2}"
PROXY_WORKERS="${PROXY_WORKERS:-2}"
GW_WORKERS="${GW_WORKERS:-2}"
API_KEY="gw-bench-key"
fixtures="$here/fixtures"

has_target() { [[ ",$targets," == *",$1,"* ]]; }
has_mode() { [[ ",$modes," == *",$1,"* ]]; }
die() { echo "run.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

for t in ${targets//,/ }; do
  case "$t" in direct|nginx|gateway|translate) ;; *) die "unknown target '$t'" ;; esac
done
for m in ${modes//,/ }; do
  case "$m" in json|sse) ;; *) die "unknown mode '$m'" ;; esac
done
for tool in nginx wrk curl "$PYTHON"; do
  command -v "$tool" >/dev/null || die "'$tool' not found (apt-get install nginx wrk curl python3)"
done
if has_target gateway && [[ ! -x "$GW_BIN" ]]; then
  die "no gateway binary at $GW_BIN: run 'cmake --preset release && cmake --build --preset release', set GW_BIN, or use --targets direct,nginx"
fi

# Each slow stream costs the proxy two descriptors (client + upstream).
hard_nofile="$(ulimit -Hn)"
want_nofile=65536
if [[ "$hard_nofile" != unlimited && "$hard_nofile" -lt $want_nofile ]]; then
  want_nofile="$hard_nofile"
fi
ulimit -n "$want_nofile" 2>/dev/null || true
if [[ "$(ulimit -n)" -lt $((2 * SLOW_STREAMS + 256)) ]]; then
  die "open-file limit $(ulimit -n) is too low for $SLOW_STREAMS slow streams"
fi

tmp="$(mktemp -d /tmp/gw-bench.XXXXXX)"
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local pid i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid="${pids[i]}"
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ "${KEEP_TMP:-0}" == 1 || $status -ne 0 ]]; then
    echo "run.sh: temp dir kept: $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Free loopback ports: bind port 0 and let the kernel choose, all at once so they differ.
free_ports() {
  "$PYTHON" - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

wait_for_port() {  # port pid name
  local _
  for _ in $(seq 300); do
    kill -0 "$2" 2>/dev/null || die "$3 exited during startup (logs in $tmp)"
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "$3 did not listen on port $1 within 30 s (logs in $tmp)"
}

children() { pgrep -P "$1" | paste -sd, -; }  # comma-separated child PIDs (nginx workers)

cpu_ticks() {  # utime+stime of the given PIDs (comma-separated), in clock ticks
  local total=0 pid line rest
  local -a f
  for pid in ${1//,/ }; do
    read -r line < "/proc/$pid/stat"
    rest="${line##*) }"  # fields after "(comm)": state is index 0, utime 11, stime 12
    read -r -a f <<< "$rest"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

rss_kb() {  # summed VmRSS of the given PIDs, in kB
  local total=0 pid kb
  for pid in ${1//,/ }; do
    kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")"
    total=$((total + kb))
  done
  echo "$total"
}

render_nginx_conf() {  # template out port upstream_port workers
  local user_directive=""
  if [[ $(id -u) -eq 0 ]]; then user_directive="user $(id -un) $(id -gn);"; fi
  sed -e "s|@DIR@|$tmp|g" -e "s|@PORT@|$3|g" -e "s|@UPSTREAM_PORT@|${4:-0}|g" \
      -e "s|@WORKERS@|$5|g" -e "s|@USER_DIRECTIVE@|$user_directive|" "$1" > "$2"
}

# check_post NAME URL BODY_FILE MODE: one request must succeed with the expected shape.
check_post() {
  local out="$tmp/check-$1.out" code
  code="$(curl -sS -o "$out" -w '%{http_code}' -X POST --max-time 30 \
    -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
    --data-binary "@$3" "$2")" || die "$1: request to $2 failed"
  [[ "$code" == 200 ]] || die "$1: $2 answered $code: $(head -c 400 "$out")"
  if [[ "$4" == json ]]; then
    grep -q '"chat.completion"' "$out" && grep -q '"usage"' "$out" \
      || die "$1: unexpected body: $(head -c 400 "$out")"
  else
    local events
    events="$(grep -c '^data: ' "$out" || true)"
    [[ "$events" -ge 22 ]] && grep -q '^data: \[DONE\]' "$out" \
      || die "$1: expected >= 22 SSE events ending in [DONE], got $events: $(head -c 400 "$out")"
  fi
}

results="$tmp/results.jsonl"
: > "$results"
read -r up_port proxy_port gw_port <<< "$(free_ports 3)"
clk_tck="$(getconf CLK_TCK)"

# --- metadata -------------------------------------------------------------------------
commit="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty=0
[[ -n "$(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null)" ]] && dirty=1
gw_build="-"
if has_target gateway; then
  if grep -q __asan_init "$GW_BIN" 2>/dev/null; then
    gw_build="ASan (sanitizer) build"
  elif [[ -f "$(dirname "$GW_BIN")/CMakeCache.txt" ]]; then
    gw_build="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$(dirname "$GW_BIN")/CMakeCache.txt")"
    gw_build="${gw_build:-unknown} build"
  else
    gw_build="unknown build"
  fi
fi
BENCH_DATE="$(date +%F)" BENCH_COMMIT="$commit" BENCH_DIRTY="$dirty" \
BENCH_NGINX="$(nginx -v 2>&1 | sed 's/^nginx version: //')" \
BENCH_WRK="$(wrk -v 2>&1 | head -1 | awk '{print "wrk " $2}')" \
BENCH_GW_BIN="$(has_target gateway && echo "$GW_BIN" || true)" BENCH_GW_BUILD="$gw_build" \
BENCH_QUICK="$quick" BENCH_DURATION="$DURATION" BENCH_UPSTREAM_WORKERS="$UPSTREAM_WORKERS" \
BENCH_PROXY_WORKERS="$PROXY_WORKERS" BENCH_GW_WORKERS="$GW_WORKERS" \
"$PYTHON" - >> "$results" <<'EOF'
import json, os, platform
env = os.environ
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
meta = {
    "kind": "meta", "date": env["BENCH_DATE"], "commit": env["BENCH_COMMIT"],
    "dirty": env["BENCH_DIRTY"] == "1", "nproc": os.cpu_count(), "cpu": cpu,
    "kernel": "Linux " + platform.release(), "mem": f"{mem_kb / 1048576:.0f} GB",
    "loadavg_at_start": open("/proc/loadavg").read().split()[0],
    "nginx": env["BENCH_NGINX"], "wrk": env["BENCH_WRK"], "python": platform.python_version(),
    "quick": env["BENCH_QUICK"] == "1", "duration": int(env["BENCH_DURATION"]),
    "upstream_workers": int(env["BENCH_UPSTREAM_WORKERS"]),
    "proxy_workers": int(env["BENCH_PROXY_WORKERS"]),
}
if env["BENCH_GW_BIN"]:
    meta.update(gw_bin=env["BENCH_GW_BIN"], gw_build=env["BENCH_GW_BUILD"],
                gw_workers=int(env["BENCH_GW_WORKERS"]))
print(json.dumps(meta))
EOF
log "commit $commit, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg), temp dir $tmp"

# --- upstream nginx (always: every target ends here) ----------------------------------
mkdir -p "$tmp/www" "$tmp/upstream-tmp" "$tmp/proxy-tmp"
"$PYTHON" "$here/make_fixtures.py" "$tmp/www" --repo "$repo"
render_nginx_conf "$here/conf/upstream.conf.in" "$tmp/upstream.conf" "$up_port" "" \
  "$UPSTREAM_WORKERS"
nginx -p "$tmp" -c "$tmp/upstream.conf" -e "$tmp/upstream-error.log" &
up_pid=$!
pids+=("$up_pid")
wait_for_port "$up_port" "$up_pid" "upstream nginx"
up_url="http://127.0.0.1:$up_port"
check_post upstream-json "$up_url/v1/chat/completions" "$fixtures/chat.request.json" json
has_mode sse && check_post upstream-sse "$up_url/stream/v1/chat/completions" "$fixtures/stream.request.json" sse
log "upstream nginx on port $up_port (pid $up_pid, workers $(children "$up_pid"))"

# --- plain nginx reverse proxy --------------------------------------------------------
if has_target nginx; then
  render_nginx_conf "$here/conf/proxy.conf.in" "$tmp/proxy.conf" "$proxy_port" "$up_port" \
    "$PROXY_WORKERS"
  nginx -p "$tmp" -c "$tmp/proxy.conf" -e "$tmp/proxy-error.log" &
  proxy_pid=$!
  pids+=("$proxy_pid")
  wait_for_port "$proxy_port" "$proxy_pid" "nginx proxy"
  sleep 0.5
  proxy_workers="$(children "$proxy_pid")"
  echo "{\"kind\":\"rss\",\"target\":\"nginx\",\"phase\":\"idle\",\"kb\":$(rss_kb "$proxy_workers")}" >> "$results"
  proxy_url="http://127.0.0.1:$proxy_port"
  check_post nginx-json "$proxy_url/v1/chat/completions" "$fixtures/chat.request.json" json
  has_mode sse && check_post nginx-sse "$proxy_url/stream/v1/chat/completions" "$fixtures/stream.request.json" sse
  log "nginx proxy on port $proxy_port (pid $proxy_pid, workers $proxy_workers)"
fi

# --- gateway --------------------------------------------------------------------------
if has_target gateway || has_target translate; then
  # BUDGET=1: the persona has a (never reached) daily budget, so every request also reserves
  # before its upstream call and settles in the same ledger transaction batch.
  budget_json=""
  [[ "${BUDGET:-0}" == "1" ]] && budget_json=', "budget": { "daily_usd": 1000000 }'
  ledger_json=""
  [[ -n "${LEDGER_URL:-}" ]] && ledger_json=", \"ledger_url\": \"${LEDGER_URL}\""
  cat > "$tmp/gateway.json" <<EOF
{
  "version": 1,
  "local_demo": true,
  "server": { "listen": "127.0.0.1:$gw_port", "workers": $GW_WORKERS },
  "storage": { "url": "sqlite://$tmp/gw.db"$ledger_json },
  "logging": { "access_log": "$tmp/gateway-access.log" },
  "providers": {
    "up": { "type": "openai", "base_url": "$up_url", "api_key": "sk-bench" },
    "upstream_stream": { "type": "openai", "base_url": "$up_url/stream", "api_key": "sk-bench" },
    "slow": { "type": "openai", "base_url": "$up_url/slow", "api_key": "sk-bench" },
    "anthropic_stream": { "type": "anthropic", "base_url": "$up_url/anthropic-stream", "api_key": "sk-bench" }
  },
  "personas": {
    "bench": {
      "provider": "up",
      "model": "gpt-4o-mini",
      "allow": ["up/*", "upstream_stream/*", "slow/*", "anthropic_stream/*"]$budget_json
    }
  },
  "keys": [ { "key": "$API_KEY", "persona": "bench" } ]
}
EOF
  "$GW_BIN" serve --config "$tmp/gateway.json" > "$tmp/gateway.out" 2> "$tmp/gateway.err" &
  gw_pid=$!
  pids+=("$gw_pid")
  wait_for_port "$gw_port" "$gw_pid" "gateway"
  sleep 1
  echo "{\"kind\":\"rss\",\"target\":\"gateway\",\"phase\":\"idle\",\"kb\":$(rss_kb "$gw_pid")}" >> "$results"
  gw_url="http://127.0.0.1:$gw_port"
  check_post gateway-json "$gw_url/v1/chat/completions" "$fixtures/chat.request.json" json
  has_mode sse && check_post gateway-sse "$gw_url/v1/chat/completions" "$fixtures/stream.request.json" sse
  has_target translate && has_mode sse && check_post translate-sse "$gw_url/v1/chat/completions" "$fixtures/stream-anthropic.request.json" sse
  log "gateway on port $gw_port (pid $gw_pid, $gw_build)"
fi

target_port() {
  case "$1" in direct) echo "$up_port" ;; nginx) echo "$proxy_port" ;; gateway|translate) echo "$gw_port" ;; esac
}
target_path() {  # target mode: the gateway picks the stream by model, the others by path
  case "$1:$2" in
    gateway:*|translate:*|*:json) echo /v1/chat/completions ;;
    *:sse) echo /stream/v1/chat/completions ;;
    *:slow) echo /slow/v1/chat/completions ;;
  esac
}
target_pids() {  # whose CPU is charged to the target's requests
  case "$1" in
    direct) children "$up_pid" ;;
    nginx) children "$proxy_pid" ;;
    gateway|translate) echo "$gw_pid" ;;
  esac
}
target_body() {  # target: the streamed request body (the model selects the upstream route)
  case "$1" in translate) echo "$fixtures/stream-anthropic.request.json" ;; *) echo "$fixtures/stream.request.json" ;; esac
}
alive() {
  case "$1" in
    direct) kill -0 "$up_pid" 2>/dev/null ;;
    nginx) kill -0 "$proxy_pid" 2>/dev/null && kill -0 "$up_pid" 2>/dev/null ;;
    gateway|translate) kill -0 "$gw_pid" 2>/dev/null && kill -0 "$up_pid" 2>/dev/null ;;
  esac
}

# --- throughput and latency -----------------------------------------------------------
log "wrk: ${DURATION}s per run, connections: $CONNS"
for target in direct nginx gateway translate; do
  has_target "$target" || continue
  for mode in json sse; do
    has_mode "$mode" || continue
    [[ $target == translate && $mode == json ]] && continue
    script="$here/chat.lua"; script_args=()
    [[ $mode == sse ]] && script="$here/stream.lua" && script_args=(-- "$(target_body "$target")")
    for conns in $CONNS; do
      alive "$target" || die "$target died (logs in $tmp)"
      threads=2; [[ $conns -lt 2 ]] && threads=1
      out="$tmp/wrk-$target-$mode-$conns.txt"
      cpids="$(target_pids "$target")"
      before="$(cpu_ticks "$cpids")"
      wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency -s "$script" \
        "http://127.0.0.1:$(target_port "$target")$(target_path "$target" "$mode")" \
        "${script_args[@]}" > "$out" 2>&1 || true
      after="$(cpu_ticks "$cpids")"
      if [[ $target == gateway || $target == translate ]]; then
        # The ledger writer's group commits so far: operations / commits = mean batch size.
        curl -fsS "http://127.0.0.1:$gw_port/metrics" 2>/dev/null |
          grep -E '^gateway_ledger_(commits|batched_operations|syncs)_total' | tr '\n' ' ' >&2 || true
        echo >&2
      fi
      "$PYTHON" "$here/wrk_parse.py" "$out" "$results" --target "$target" --mode "$mode" \
        --conns "$conns" --threads "$threads" --cpu-ticks $((after - before)) \
        --clk-tck "$clk_tck" || true
      sleep 1
    done
  done
done

# --- time to first streamed event -----------------------------------------------------
has_mode sse && log "time to first streamed event: $TTFE_COUNT sequential requests per target"
for target in direct nginx gateway translate; do
  has_target "$target" && has_mode sse || continue
  "$PYTHON" "$here/ttfe.py" --port "$(target_port "$target")" \
    --path "$(target_path "$target" sse)" --body "$(target_body "$target")" \
    --count "$TTFE_COUNT" --api-key "$API_KEY" --tag kind=ttfe --tag "target=$target" \
    >> "$results" || log "ttfe $target failed"
  tail -n 1 "$results" >&2
done

# --- memory while holding slow streams ------------------------------------------------
for target in nginx gateway; do
  has_target "$target" && has_mode sse || continue
  alive "$target" || die "$target died (logs in $tmp)"
  log "$target: holding $SLOW_STREAMS slow streams"
  "$PYTHON" "$here/slow_streams.py" --port "$(target_port "$target")" \
    --path "$(target_path "$target" slow)" --body "$fixtures/slow.request.json" \
    --pids "$(target_pids "$target")" --count "$SLOW_STREAMS" --api-key "$API_KEY" \
    --tag kind=slow --tag "target=$target" >> "$results" || log "slow streams via $target: not all held"
  tail -n 1 "$results" >&2
  sleep 2  # let the closed streams' upstream connections go before the next target
done

# --- report ---------------------------------------------------------------------------
mkdir -p "$repo/bench/results"
name="$(date +%F)-$commit"
[[ $quick -eq 1 ]] && name="$name-quick"
"$PYTHON" "$here/report.py" "$results" --out "$repo/bench/results/$name.md"
cp "$results" "$repo/bench/results/$name.jsonl"
log "report written to bench/results/$name.md (raw: $name.jsonl)"
