#!/usr/bin/env python3
"""Parses one `wrk --latency` output and appends it as a JSON line to a results file.

Optionally turns a CPU-time delta of the server process (clock ticks of utime+stime,
sampled by run.sh around the wrk run) into CPU microseconds per request.

Usage: wrk_parse.py WRK_OUTPUT RESULTS_JSONL --target T --mode M --conns N --threads N
                    [--cpu-ticks N --clk-tck HZ]
"""

import argparse
import json
import re
import sys

_UNITS_US = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}


def to_us(text):
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"unparseable wrk duration {text!r}")
    return float(match.group(1)) * _UNITS_US[match.group(2)]


def parse(text):
    out = {}
    match = re.search(r"^Requests/sec:\s+([0-9.]+)", text, re.M)
    if not match:
        raise ValueError("no 'Requests/sec' line: wrk failed?\n" + text)
    out["rps"] = float(match.group(1))
    match = re.search(r"^\s*(\d+) requests in ([0-9.]+\w+),", text, re.M)
    out["requests"] = int(match.group(1))
    out["duration_s"] = to_us(match.group(2)) / 1e6
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+(\S+)", text, re.M)
        out[f"p{pct}_us"] = to_us(match.group(1)) if match else None
    match = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    socket_errors = dict(zip(("connect", "read", "write", "timeout"),
                             map(int, match.groups()))) if match else {}
    out["socket_errors"] = socket_errors
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    out["non2xx"] = int(match.group(1)) if match else 0
    out["errors"] = out["non2xx"] + sum(socket_errors.values())
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wrk_output")
    parser.add_argument("results")
    parser.add_argument("--target", required=True)
    parser.add_argument("--mode", required=True)
    parser.add_argument("--conns", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--cpu-ticks", type=int)
    parser.add_argument("--clk-tck", type=int, default=100)
    args = parser.parse_args()

    with open(args.wrk_output, encoding="utf-8", errors="replace") as f:
        text = f.read()
    try:
        record = parse(text)
    except (ValueError, AttributeError) as e:
        # Keep going with the other runs; the report shows the row as failed.
        print(f"  wrk run failed: {e}\n{text}", file=sys.stderr)
        record = {"rps": 0.0, "requests": 0, "duration_s": 0.0, "p50_us": None,
                  "p75_us": None, "p90_us": None, "p99_us": None, "socket_errors": {},
                  "non2xx": 0, "errors": 1, "failed": True}
    record.update(kind="wrk", target=args.target, mode=args.mode, conns=args.conns,
                  threads=args.threads)
    if args.cpu_ticks is not None and record["requests"] > 0:
        record["cpu_us_per_req"] = (args.cpu_ticks * 1e6 / args.clk_tck /
                                    record["requests"])
    with open(args.results, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    cpu = record.get("cpu_us_per_req")
    if record.get("failed"):
        return 1
    print(f"  {args.target:<8} {args.mode:<4} c={args.conns:<3} {record['rps']:>10.0f} req/s  "
          f"p50 {record['p50_us']:>8.0f} µs  p99 {record['p99_us']:>8.0f} µs  "
          f"errors {record['errors']}"
          + (f"  cpu {cpu:.1f} µs/req" if cpu is not None else ""), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
