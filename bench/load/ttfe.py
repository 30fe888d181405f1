#!/usr/bin/env python3
"""Time to first streamed event: sequential streamed requests over one keep-alive
connection, each timed from just before the request is written to the return of the read
that contains the first `data:` line. Every response is read to its end and checked (status
200, at least --min-events events, a final `data: [DONE]`).

Prints one JSON object: count, failures, p50_us, p90_us, p99_us, mean_us.

Usage: ttfe.py --port P --path PATH --body FILE [--count 300] [--warmup 30]
"""

import argparse
import json
import pathlib
import socket
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import http_wire  # noqa: E402


def percentile(sorted_values, pct):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


class Client:
    def __init__(self, host, port):
        self.host, self.port = host, port
        self.sock = None
        self.pending = b""

    def connect(self):
        self.sock = socket.create_connection((self.host, self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None

    def one(self, request, min_events):
        """Sends one request; returns (ttfe_ns or None, ok, reason)."""
        if self.sock is None:
            self.connect()
        sent = time.perf_counter_ns()
        self.sock.sendall(request)
        first = None
        buffer = self.pending
        head = None
        body = b""
        while True:
            if head is None:
                head, rest = http_wire.split_head(buffer)
                if head is not None:
                    body = rest
            if head is not None:
                if first is None and (body.startswith(b"data:") or b"\ndata:" in body):
                    first = time.perf_counter_ns()
                done, decoded, leftover = http_wire.body_complete(head, body)
                if done:
                    self.pending = leftover
                    if not head.keep_alive:
                        self.close()
                    return self._check(head, decoded, first, sent, min_events)
            data = self.sock.recv(65536)
            if not data:
                self.close()
                if head is not None and head.content_length is None and not head.chunked:
                    return self._check(head, body, first, sent, min_events)
                return None, False, "connection closed mid-response"
            if head is None:
                buffer += data
            else:
                body += data

    @staticmethod
    def _check(head, body, first, sent, min_events):
        if head.status != 200:
            return None, False, f"status {head.status}: {body[:200]!r}"
        events = body.count(b"data:")
        if events < min_events or b"data: [DONE]" not in body:
            return None, False, f"{events} events, [DONE] missing or too few: {body[:200]!r}"
        if first is None:
            return None, False, "no data: line"
        return first - sent, True, ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--body", required=True)
    parser.add_argument("--api-key", default="gw-bench-key")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--min-events", type=int, default=20)
    parser.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE",
                        help="extra field copied into the JSON output")
    args = parser.parse_args()

    body = pathlib.Path(args.body).read_bytes()
    request = http_wire.build_request(args.host, args.port, args.path, body, args.api_key)
    client = Client(args.host, args.port)
    samples, failures, reasons = [], 0, []
    for i in range(args.warmup + args.count):
        try:
            ttfe_ns, ok, reason = client.one(request, args.min_events)
        except OSError as e:
            client.close()
            ttfe_ns, ok, reason = None, False, f"socket error: {e}"
        if i < args.warmup:
            continue
        if ok:
            samples.append(ttfe_ns / 1e3)
        else:
            failures += 1
            if len(reasons) < 3:
                reasons.append(reason)
    client.close()
    samples.sort()
    print(json.dumps({
        **dict(tag.split("=", 1) for tag in args.tag),
        "count": len(samples),
        "failures": failures,
        "failure_examples": reasons,
        "p50_us": percentile(samples, 50),
        "p90_us": percentile(samples, 90),
        "p99_us": percentile(samples, 99),
        "mean_us": statistics.fmean(samples) if samples else None,
    }))
    return 0 if samples else 1


if __name__ == "__main__":
    sys.exit(main())
