#!/usr/bin/env python3
"""Holds N concurrent slow streamed requests open and samples the server's memory.

Each connection POSTs a streamed chat request whose upstream trickles its events
(~200 bytes/s, ~30 s per stream), reads until the first `data:` line and then keeps
reading. Once every stream has its first event (or failed), and after a short settle, the
VmRSS of the given PIDs is summed (max of a few samples); the streams must still be open
at that moment, or the number is meaningless and the result says so.

Prints one JSON object: count, first_event, failed, open_at_sample, rss_kb,
rss_kb_before, seconds_to_all_first_events, failure_examples.

Usage: slow_streams.py --port P --path PATH --body FILE --pids 1,2 [--count 1000]
"""

import argparse
import asyncio
import json
import pathlib
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import http_wire  # noqa: E402


def rss_kb(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


class Stream:
    def __init__(self):
        self.first_event = asyncio.Event()
        self.failed = None   # reason, once failed
        self.finished = False


async def run_stream(args, request, stream, connect_gate):
    writer = None
    try:
        async with connect_gate:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(args.host, args.port), timeout=30)
            writer.write(request)
            await writer.drain()
            head, body = None, b""
            buffer = b""
            while head is None:
                data = await asyncio.wait_for(reader.read(65536), timeout=args.first_timeout)
                if not data:
                    raise ConnectionError("closed before the response head")
                buffer += data
                head, body = http_wire.split_head(buffer)
            if head.status != 200:
                raise ConnectionError(f"status {head.status}")
            while not (body.startswith(b"data:") or b"\ndata:" in body):
                data = await asyncio.wait_for(reader.read(65536), timeout=args.first_timeout)
                if not data:
                    raise ConnectionError("closed before the first event")
                body += data
        stream.first_event.set()
        # Hold: keep consuming like a real client until the stream ends or we are cancelled.
        while True:
            data = await reader.read(65536)
            if not data:
                break
            body = body[-16:] + data
            if b"data: [DONE]" in body:
                break
        stream.finished = True
    except asyncio.CancelledError:
        raise
    except (OSError, ConnectionError, asyncio.TimeoutError, ValueError) as e:
        stream.failed = f"{type(e).__name__}: {e}"
        stream.first_event.set()
    finally:
        if writer is not None:
            writer.close()


async def main_async(args):
    body = pathlib.Path(args.body).read_bytes()
    request = http_wire.build_request(args.host, args.port, args.path, body, args.api_key)
    pids = [int(p) for p in args.pids.split(",") if p]
    before = rss_kb(pids)
    # Bounded concurrent connects: 1,000 simultaneous SYNs would test the accept backlog,
    # not memory per stream.
    connect_gate = asyncio.Semaphore(args.connect_concurrency)
    streams = [Stream() for _ in range(args.count)]
    started = time.monotonic()
    tasks = [asyncio.create_task(run_stream(args, request, s, connect_gate))
             for s in streams]
    waiters = [asyncio.create_task(s.first_event.wait()) for s in streams]
    _, pending = await asyncio.wait(waiters, timeout=args.first_timeout * 4)
    for waiter in pending:  # streams still without a first event count as failed
        waiter.cancel()
    for s in streams:
        if not s.first_event.is_set():
            s.failed = "no first event in time"
    all_first = time.monotonic() - started
    await asyncio.sleep(args.settle)
    samples = []
    for _ in range(args.samples):
        samples.append(rss_kb(pids))
        await asyncio.sleep(0.25)
    open_at_sample = sum(1 for s in streams if s.failed is None and not s.finished)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    failures = [s.failed for s in streams if s.failed]
    return {
        **dict(tag.split("=", 1) for tag in args.tag),
        "count": args.count,
        "first_event": sum(1 for s in streams if s.failed is None),
        "failed": len(failures),
        "failure_examples": sorted(set(failures))[:3],
        "open_at_sample": open_at_sample,
        "seconds_to_all_first_events": round(all_first, 2),
        "rss_kb_before": before,
        "rss_kb": max(samples),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--body", required=True)
    parser.add_argument("--pids", required=True, help="comma-separated PIDs to sum VmRSS of")
    parser.add_argument("--api-key", default="gw-bench-key")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--connect-concurrency", type=int, default=100)
    parser.add_argument("--first-timeout", type=float, default=20.0)
    parser.add_argument("--settle", type=float, default=1.0)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE",
                        help="extra field copied into the JSON output")
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    print(json.dumps(result))
    return 0 if result["failed"] == 0 and result["open_at_sample"] == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
