#!/usr/bin/env python3
"""Writes the fixed bodies the benchmark's upstream nginx serves.

Derived from the recorded OpenAI transcripts in test/fixtures/providers/openai/ so the
gateway parses real wire shapes: a ~1 KB chat.completion (chat.json) and a 20-chunk
chat.completion.chunk SSE stream with a finish chunk, a usage chunk and [DONE]
(stream.sse), and the same 20 tokens as an Anthropic Messages stream (anthropic-stream.sse, from
test/fixtures/providers/anthropic/messages-stream.sse) for the translation benchmark. Deterministic: the same repo always yields byte-identical files.

Usage: make_fixtures.py OUT_DIR [--repo REPO_ROOT]
"""

import argparse
import json
import pathlib
import sys

MODEL = "gpt-4o-mini-2024-07-18"
# Roughly what OpenAI bills for bench/load/fixtures/*.request.json (~1 KB of text).
PROMPT_TOKENS = 231

# Realistic assistant text; the non-streamed body pads the recorded answer with it.
ANSWER = (
    "I'm unable to provide real-time weather updates. To get the current weather in San "
    "Francisco, I recommend checking a reliable weather website or app like the Weather "
    "Channel or a local news station. In general, San Francisco has a mild, cool-summer "
    "Mediterranean climate: mornings are often foggy, especially from June through August, "
    "and afternoons tend to clear up near the bay while the western neighborhoods stay "
    "cooler. Daytime highs usually range from the high 50s to the high 60s Fahrenheit "
    "(about 14 to 20 degrees Celsius), and the warmest days often arrive in September. "
    "Dress in layers and bring a light jacket."
)

# 20 content deltas, as a tokenizer would split the start of an answer.
STREAM_TOKENS = [
    "I'm", " unable", " to", " provide", " real", "-time", " weather", " updates", ".",
    " To", " get", " the", " current", " weather", " in", " San", " Francisco", ",",
    " check", " a reliable weather app.",
]


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def build_chat(recorded):
    body = json.loads(json.dumps(recorded))  # deep copy
    body["model"] = MODEL
    body["choices"][0]["message"]["content"] = ANSWER
    completion_tokens = round(len(ANSWER.split()) * 1.3)
    body["usage"]["prompt_tokens"] = PROMPT_TOKENS
    body["usage"]["completion_tokens"] = completion_tokens
    body["usage"]["total_tokens"] = PROMPT_TOKENS + completion_tokens
    # OpenAI pretty-prints non-streamed responses with two-space indentation.
    text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    return text


def build_stream(recorded_sse):
    events = [line[len("data: "):] for line in recorded_sse.splitlines()
              if line.startswith("data: ")]
    template = json.loads(events[1])  # a plain content chunk
    usage_chunk = json.loads(events[-2])
    if events[-1] != "[DONE]" or "usage" not in usage_chunk:
        raise SystemExit("unexpected shape of chat-stream.sse")
    template["model"] = MODEL
    usage_chunk["model"] = MODEL
    out = []
    for i, token in enumerate(STREAM_TOKENS):
        chunk = json.loads(json.dumps(template))
        delta = {"content": token}
        if i == 0:
            delta = {"role": "assistant", "content": token, "refusal": None}
        chunk["choices"][0]["delta"] = delta
        out.append(compact(chunk))
    finish = json.loads(json.dumps(template))
    finish["choices"][0]["delta"] = {}
    finish["choices"][0]["finish_reason"] = "stop"
    out.append(compact(finish))
    usage_chunk["usage"]["prompt_tokens"] = PROMPT_TOKENS
    usage_chunk["usage"]["completion_tokens"] = len(STREAM_TOKENS)
    usage_chunk["usage"]["total_tokens"] = PROMPT_TOKENS + len(STREAM_TOKENS)
    out.append(compact(usage_chunk))
    out.append("[DONE]")
    return "".join(f"data: {e}\n\n" for e in out)


def build_anthropic_stream(recorded_sse):
    """The same 20 tokens as an Anthropic Messages stream, framed like the recorded one."""
    events = []
    for block in recorded_sse.replace("\r\n", "\n").split("\n\n"):
        name = data = None
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[len("event: "):].strip()
            elif line.startswith("data: "):
                data = json.loads(line[len("data: "):])
        if name and data is not None:
            events.append((name, data))
    by_name = {}
    for name, data in events:
        by_name.setdefault(name, data)
    for needed in ("message_start", "content_block_start", "content_block_delta",
                   "content_block_stop", "message_delta", "message_stop"):
        if needed not in by_name:
            raise SystemExit(f"messages-stream.sse has no {needed} event")
    start = json.loads(json.dumps(by_name["message_start"]))
    start["message"]["usage"]["input_tokens"] = PROMPT_TOKENS
    out = [("message_start", start), ("content_block_start", by_name["content_block_start"])]
    for token in STREAM_TOKENS:
        delta = json.loads(json.dumps(by_name["content_block_delta"]))
        delta["delta"] = {"type": "text_delta", "text": token}
        out.append(("content_block_delta", delta))
    out.append(("content_block_stop", by_name["content_block_stop"]))
    final = json.loads(json.dumps(by_name["message_delta"]))
    final["usage"]["output_tokens"] = len(STREAM_TOKENS)
    out.append(("message_delta", final))
    out.append(("message_stop", by_name["message_stop"]))
    return "".join(f"event: {n}\ndata: {compact(d)}\n\n" for n, d in out)


def main():
    here = pathlib.Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--repo", default=str(here.parent.parent))
    args = parser.parse_args()
    src = pathlib.Path(args.repo) / "test/fixtures/providers/openai"
    out = pathlib.Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)

    chat = build_chat(json.loads((src / "chat.response.json").read_text()))
    stream = build_stream((src / "chat-stream.sse").read_text())
    if not 900 <= len(chat.encode()) <= 1200:
        raise SystemExit(f"chat.json is {len(chat.encode())} bytes, expected ~1 KB")
    if "$" in chat or "$" in stream:  # nginx would not care, but keep bodies config-safe
        raise SystemExit("fixture bodies must not contain '$'")
    anthropic = build_anthropic_stream(
        (pathlib.Path(args.repo) / "test/fixtures/providers/anthropic/messages-stream.sse").read_text())
    if "$" in anthropic:
        raise SystemExit("fixture bodies must not contain '$'")
    (out / "chat.json").write_text(chat)
    (out / "stream.sse").write_text(stream)
    (out / "anthropic-stream.sse").write_text(anthropic)
    print(f"chat.json {len(chat.encode())} B, stream.sse {len(stream.encode())} B "
          f"({len(STREAM_TOKENS)} content chunks)", file=sys.stderr)


if __name__ == "__main__":
    main()
