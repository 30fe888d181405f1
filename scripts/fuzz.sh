#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset "fuzz", clang++-14) and runs each one for
# FUZZ_SECONDS (default 15) seconds, seeded with the recorded provider transcripts in
# test/fixtures/providers. Prints one summary line per target; exits non-zero if any target
# crashes, violates an invariant, times out or runs out of memory (its log and the offending
# input are kept and their paths printed). Works from any directory.
#
#   scripts/fuzz.sh                       # all targets
#   FUZZ_SECONDS=60 scripts/fuzz.sh fuzz_sse
# FUZZ_SEED (default 1) fixes libFuzzer's random seed so a CI run is reproducible.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${FUZZ_SECONDS:-15}"
fixtures="$root/test/fixtures/providers"
bin_dir="$root/build/fuzz/test/fuzz"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_sse fuzz_ndjson fuzz_eventstream fuzz_json_body fuzz_decoders)

work="$(mktemp -d "${TMPDIR:-/tmp}/gw-fuzz.XXXXXX")"
keep_work=0
cleanup() { if [[ $keep_work -eq 0 ]]; then rm -rf "$work"; fi; }
trap cleanup EXIT

# cmake --preset must run next to CMakePresets.json.
if ! (cd "$root" && cmake --preset fuzz && cmake --build --preset fuzz) >"$work/build.log" 2>&1; then
  keep_work=1
  tail -n 30 "$work/build.log" >&2
  echo "fuzz: build failed (full log: $work/build.log)" >&2
  exit 2
fi

# Seed corpus: the fixture files of the matching kind, named <provider>-<file> (names repeat
# across providers). Copied out of the (read-only) fixture tree: libFuzzer writes new inputs
# into its corpus directory.
seed() {
  local dir="$1"
  shift
  mkdir -p "$dir"
  local f
  for pattern in "$@"; do
    for f in "$fixtures"/*/$pattern; do
      [[ -e "$f" ]] || continue
      cp "$f" "$dir/$(basename "$(dirname "$f")")-$(basename "$f")"
    done
  done
  chmod -R u+w "$dir"
}

# fuzz_decoders: the first byte picks the decoder (see test/fuzz/fuzz_decoders.cc), so each seed
# is a fixture behind the byte of the decoder that reads it.
seed_decoders() {
  local dir="$1" selector glob f
  mkdir -p "$dir"
  while read -r selector glob; do
    for f in $fixtures/$glob; do
      [[ -e "$f" ]] || continue
      { printf "\\x$selector"; cat "$f"; } > "$dir/$selector-$(basename "$(dirname "$f")")-$(basename "$f")"
    done
  done <<'SEEDS'
00 anthropic/*.sse
01 gemini/*.sse
02 ollama/*.ndjson
03 bedrock/*.eventstream
04 openai/*.sse
05 anthropic/*.request.json
06 gemini/*.request.json
07 anthropic/*.response.json
07 gemini/*.response.json
08 ollama/*.response.json
08 bedrock/*.response.json
SEEDS
}

stat_of() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

failed=0
for t in "${targets[@]}"; do
  corpus="$work/$t/corpus"
  artifacts="$work/$t/artifacts"
  log="$work/$t/fuzz.log"
  mkdir -p "$artifacts"
  extra=()
  case "$t" in
    fuzz_sse) seed "$corpus" '*.sse'; extra+=("-dict=$root/test/fuzz/sse.dict") ;;
    fuzz_ndjson) seed "$corpus" '*.ndjson' '*.jsonl' ;;
    fuzz_eventstream) seed "$corpus" '*.eventstream' ;;
    fuzz_json_body) seed "$corpus" '*.json' ;;
    fuzz_decoders) seed_decoders "$corpus" ;;
    *) echo "fuzz: unknown target $t" >&2; exit 2 ;;
  esac
  seeds=$(find "$corpus" -type f | wc -l)

  rc=0
  "$bin_dir/$t" -max_total_time="$seconds" -seed="${FUZZ_SEED:-1}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${extra[@]}" "$corpus" \
    >"$log" 2>&1 || rc=$?

  runs=$(stat_of number_of_executed_units "$log")
  speed=$(stat_of average_exec_per_sec "$log")
  added=$(stat_of new_units_added "$log")
  rss=$(stat_of peak_rss_mb "$log")
  if [[ $rc -eq 0 ]]; then
    printf '%-15s ok    %ss  runs=%s  exec/s=%s  seeds=%s  new=%s  peak_rss=%sMB\n' \
      "$t" "$seconds" "${runs:-?}" "${speed:-?}" "$seeds" "${added:-?}" "${rss:-?}"
  else
    failed=1
    keep_work=1
    why=$(grep -m1 -E '^invariant violated|^SUMMARY:|ERROR: libFuzzer' "$log" || echo "exit code $rc")
    printf '%-15s FAIL  %s\n' "$t" "$why"
    printf '                log: %s\n' "$log"
    for a in "$artifacts"/*; do
      [[ -e "$a" ]] && printf '                input: %s  (reproduce: %s %s)\n' "$a" "$bin_dir/$t" "$a"
    done
  fi
done

exit "$failed"
