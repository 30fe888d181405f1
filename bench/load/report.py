#!/usr/bin/env python3
"""Renders the load benchmark's JSON-lines results as a markdown report and checks the
targets of the issue (gateway vs. a plain nginx reverse proxy vs. the upstream direct).

Usage: report.py RESULTS_JSONL [--out FILE]   (always prints to stdout too)
"""

import argparse
import json
import sys

TARGET_ORDER = ["direct", "nginx", "gateway", "translate"]
TARGET_LABEL = {"direct": "direct (upstream)", "nginx": "nginx proxy", "gateway": "gateway",
                "translate": "gateway, OpenAI → Anthropic"}
MAX_TRANSLATION_COST = 0.10         # streamed OpenAI→Anthropic within 10 % of OpenAI→OpenAI

# The targets.
MIN_THROUGHPUT_VS_NGINX = 0.90      # at 16 and 64 connections, json and sse
MAX_ADDED_P50_US = 30.0             # over direct, 1 connection, non-streamed
MAX_CPU_US_PER_REQ = 15.0           # non-streamed, 16 connections
MAX_IDLE_RSS_MB = 20.0
MAX_SLOW_STREAMS_EXTRA_MB = 15.0    # for 1,000 slow streams


def fmt_us(value):
    if value is None:
        return "–"
    return f"{value:,.0f} µs" if value < 10_000 else f"{value / 1000:,.1f} ms"


def fmt_mb(kb):
    return "–" if kb is None else f"{kb / 1024:.1f} MB"


def load(path):
    records = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                records.append(json.loads(line))
    return records


def render(records):
    meta = next((r for r in records if r["kind"] == "meta"), {})
    runs = {(r["target"], r["mode"], r["conns"]): r for r in records if r["kind"] == "wrk"}
    ttfe = {r["target"]: r for r in records if r["kind"] == "ttfe"}
    rss = {(r["target"], r["phase"]): r["kb"] for r in records if r["kind"] == "rss"}
    slow = {r["target"]: r for r in records if r["kind"] == "slow"}
    out = []
    w = out.append

    w(f"## Load benchmark — {meta.get('date', '?')}, commit {meta.get('commit', '?')}"
      + (" (working tree modified)" if meta.get("dirty") else ""))
    w("")
    w(f"- machine: {meta.get('nproc', '?')} × {meta.get('cpu', '?')}, "
      f"{meta.get('kernel', '?')}, {meta.get('mem', '?')} RAM")
    w(f"- tools: {meta.get('nginx', '?')}, {meta.get('wrk', '?')}, python {meta.get('python', '?')}")
    if "gw_bin" in meta:
        w(f"- gateway: `{meta['gw_bin']}` ({meta.get('gw_build', '?')}), "
          f"{meta.get('gw_workers', '?')} workers")
    w(f"- upstream nginx: {meta.get('upstream_workers', '?')} workers; nginx proxy: "
      f"{meta.get('proxy_workers', '?')} workers; wrk: {meta.get('duration', '?')} s per run, "
      "1 thread at 1 connection, 2 threads otherwise"
      + ("; **--quick** (smoke check, not a result)" if meta.get("quick") else ""))
    load = float(meta.get("loadavg_at_start", 0))
    if load > 0.5 * meta.get("nproc", 1):
        w(f"- **load average {load:.1f} at start: the machine was not quiet, numbers are "
          "unreliable**")
    if meta.get("gw_build", "").startswith("ASan"):
        w("- **the gateway is a sanitizer build: its numbers mean nothing**")
    w("")

    w("### Throughput and latency (wrk, ~1 KB OpenAI request; json = ~1 KB response, "
      "sse = 20-chunk stream)")
    w("")
    w("| target | mode | conns | req/s | vs nginx | p50 | p99 | errors | CPU/req |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    modes = [m for m in ("json", "sse") if any(k[1] == m for k in runs)]
    conns_list = sorted({k[2] for k in runs})
    for target in TARGET_ORDER:
        for mode in modes:
            for conns in conns_list:
                r = runs.get((target, mode, conns))
                if not r:
                    continue
                base = runs.get(("nginx", mode, conns))
                vs = (f"{100 * r['rps'] / base['rps']:.0f} %"
                      if base and target != "nginx" and base["rps"] > 0 else "")
                errors = str(r["errors"]) if r["errors"] == 0 else f"**{r['errors']}** ⚠"
                cpu = r.get("cpu_us_per_req")
                w(f"| {TARGET_LABEL[target]} | {mode} | {conns} | {r['rps']:,.0f} | {vs} | "
                  f"{fmt_us(r['p50_us'])} | {fmt_us(r['p99_us'])} | {errors} | "
                  f"{'' if cpu is None else f'{cpu:.1f} µs'} |")
    w("")
    w("CPU/req: user+system CPU time of the server process (all threads; nginx: all "
      "workers) during the run divided by the requests wrk completed.")
    w("")

    added = {}
    if any(k[2] == 1 for k in runs):
        w("### Added latency (p50 at 1 connection, over direct)")
        w("")
        w("| mode | direct p50 | nginx proxy adds | gateway adds |")
        w("| --- | ---: | ---: | ---: |")
        for mode in modes:
            direct = runs.get(("direct", mode, 1))
            if not direct or direct["p50_us"] is None:
                continue
            cells = []
            for target in ("nginx", "gateway"):
                r = runs.get((target, mode, 1))
                if r and r["p50_us"] is not None:
                    added[(target, mode)] = r["p50_us"] - direct["p50_us"]
                    cells.append(f"{added[(target, mode)]:+,.0f} µs")
                else:
                    cells.append("–")
            w(f"| {mode} | {fmt_us(direct['p50_us'])} | {cells[0]} | {cells[1]} |")
        w("")

    if ttfe:
        any_ttfe = next(iter(ttfe.values()))
        w(f"### Time to first streamed event ({any_ttfe.get('count', '?')} sequential "
          "streamed requests on one keep-alive connection)")
        w("")
        w("| target | p50 | p90 | p99 | adds (p50) over direct | failures |")
        w("| --- | ---: | ---: | ---: | ---: | ---: |")
        direct = ttfe.get("direct")
        for target in TARGET_ORDER:
            r = ttfe.get(target)
            if not r:
                continue
            add = ("" if target == "direct" or not direct or r.get("p50_us") is None
                   or direct.get("p50_us") is None
                   else f"{r['p50_us'] - direct['p50_us']:+,.0f} µs")
            fails = str(r["failures"]) if r["failures"] == 0 else f"**{r['failures']}** ⚠"
            w(f"| {TARGET_LABEL[target]} | {fmt_us(r.get('p50_us'))} | "
              f"{fmt_us(r.get('p90_us'))} | {fmt_us(r.get('p99_us'))} | {add} | {fails} |")
        w("")

    if rss or slow:
        n_slow = next((s["count"] for s in slow.values()), None)
        w("### Memory (VmRSS; nginx: sum of its workers)")
        w("")
        w(f"| process | idle after start | before slow streams | holding {n_slow} slow "
          "streams | extra for the streams | streams open at sample |")
        w("| --- | ---: | ---: | ---: | ---: | ---: |")
        for target in ("nginx", "gateway"):
            s = slow.get(target)
            idle = rss.get((target, "idle"))
            if s is None and idle is None:
                continue
            before = s["rss_kb_before"] if s else None
            held = s["rss_kb"] if s else None
            extra = (held - before) if s else None
            opened = "–"
            if s:
                opened = f"{s['open_at_sample']} / {s['count']}"
                if s["open_at_sample"] != s["count"]:
                    opened = f"**{opened}** ⚠ ({s['failed']} failed)"
            w(f"| {TARGET_LABEL[target]} | {fmt_mb(idle)} | {fmt_mb(before)} | "
              f"{fmt_mb(held)} | {fmt_mb(extra)} | {opened} |")
        w("")

    w("### Targets (gateway)")
    w("")
    if not any(k[0] == "gateway" for k in runs) and "gateway" not in ttfe:
        w("(the gateway was not run)")
        w("")
        return "\n".join(out)
    w("| target | measured | met |")
    w("| --- | --- | :---: |")

    def verdict(ok):
        return "n/a" if ok is None else ("yes" if ok else "**no**")

    for mode in modes:
        for conns in (16, 64):
            g, n = runs.get(("gateway", mode, conns)), runs.get(("nginx", mode, conns))
            if g and n and n["rps"] > 0:
                ratio = g["rps"] / n["rps"]
                note = f" ({g['errors']} errors)" if g["errors"] else ""
                w(f"| ≥ 90 % of nginx req/s, {mode}, {conns} conns | {100 * ratio:.0f} %{note} | "
                  f"{verdict(ratio >= MIN_THROUGHPUT_VS_NGINX and g['errors'] == 0)} |")
    if ("gateway", "json") in added:
        a = added[("gateway", "json")]
        w(f"| adds ≤ 30 µs p50 over direct, 1 conn (json) | {a:+.0f} µs | "
          f"{verdict(a <= MAX_ADDED_P50_US)} |")
    if all(ttfe.get(t, {}).get("p50_us") is not None for t in ("direct", "nginx", "gateway")):
        d = ttfe["direct"]["p50_us"]
        g_add, n_add = ttfe["gateway"]["p50_us"] - d, ttfe["nginx"]["p50_us"] - d
        w(f"| adds no more than nginx to the first streamed event (p50) | gateway "
          f"{g_add:+.0f} µs, nginx {n_add:+.0f} µs | {verdict(g_add <= n_add)} |")
    g16 = runs.get(("gateway", "json", 16))
    if g16 and g16.get("cpu_us_per_req") is not None:
        cpu = g16["cpu_us_per_req"]
        w(f"| ≤ 15 µs CPU per non-streamed request (16 conns) | {cpu:.1f} µs | "
          f"{verdict(cpu <= MAX_CPU_US_PER_REQ)} |")
    idle = rss.get(("gateway", "idle"))
    if idle is not None:
        w(f"| idles at ≤ 20 MB RSS | {fmt_mb(idle)} | "
          f"{verdict(idle / 1024 <= MAX_IDLE_RSS_MB)} |")
    for conns in (16, 64):
        g, t = runs.get(("gateway", "sse", conns)), runs.get(("translate", "sse", conns))
        if g and t and g["rps"] > 0:
            cost = 1 - t["rps"] / g["rps"]
            w(f"| OpenAI → Anthropic streamed within 10 % of OpenAI → OpenAI, {conns} conns | "
              f"{t['rps']:,.0f} vs {g['rps']:,.0f} req/s ({100 * cost:+.1f} % cost) | "
              f"{verdict(cost <= MAX_TRANSLATION_COST and t['errors'] == 0)} |")
    s = slow.get("gateway")
    if s:
        extra = (s["rss_kb"] - s["rss_kb_before"]) / 1024
        # The budget is for 1,000 streams; a smaller (--quick) run is scaled, not checked.
        ok = (extra <= MAX_SLOW_STREAMS_EXTRA_MB and s["open_at_sample"] == s["count"]
              if s["count"] >= 1000 else None)
        w(f"| holds 1,000 slow streams in ≤ 15 MB more | {extra:.1f} MB for {s['count']} "
          f"streams ({s['open_at_sample']} open) | {verdict(ok)} |")
    w("")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results")
    parser.add_argument("--out")
    args = parser.parse_args()
    text = render(load(args.results))
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
