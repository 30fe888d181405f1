// Upstream failures during and before streams (RELIABILITY PF-04/05/06/07): a drop, a malformed
// record or an in-band error after the commit point must reach the client as an in-band error
// record with the text before it intact and never duplicated (no retry after commit); hangs and
// stalls must end in 504 (or an in-band error once committed) within the provider timeouts.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';

import * as h from './harness.mjs';

let stack;
let gw;
let mock;
let fastGw; // same mock, provider timeouts of 500 ms
let fastDir;

before(async () => {
  stack = await h.startStack();
  ({ gw, mock } = stack);
  fastDir = h.makeTempDir('fast');
  const config = h.baseConfig({ mockUrl: mock.url, canary: stack.canary, dir: fastDir });
  config.providers.mock.timeouts = { connect_ms: 1_000, first_byte_ms: 500, idle_ms: 500, total_ms: 6_000 };
  fastGw = await h.startGateway({ config, dir: fastDir, canary: stack.canary });
}, { timeout: 30_000 });

after(async () => {
  await fastGw?.stop();
  if (fastDir) fs.rmSync(fastDir, { recursive: true, force: true });
  await stack?.stop();
});

beforeEach(async () => {
  await mock.reset();
  await Promise.all([gw.resetBreakers(), fastGw.resetBreakers()]);
});

const T = { timeout: 20_000 };
const PROMPT = 'alpha beta gamma delta epsilon zeta eta';

// The text of an undisturbed 10-chunk stream, as the client sees it.
async function baselineText() {
  await mock.setFaults([{ times: 1, chunks: 10 }]);
  const s = await gw.chatStream(h.chatBody(PROMPT));
  assert.equal(s.status, 200);
  assert.equal(s.text, h.mockReply(PROMPT));
  await mock.reset();
  return s.text;
}

// Asserts a committed stream that ended in an in-band error and returns the text before it.
function assertInBandError(s, label) {
  assert.equal(s.status, 200, `${label}: ${s.text}`);
  assert.ok(s.sse, `${label}: expected SSE, got ${s.headers.get('content-type')}`);
  assert.equal(s.readError, null, `${label}: connection broken (${s.readError}) instead of an error record, after [${s.order}]`);
  assert.equal(s.errors.length, 1, `${label}: exactly one error record in ${s.raw}`);
  const err = s.errors[0];
  assert.equal(typeof err.message, 'string');
  assert.ok(err.message.length > 0);
  assert.ok(typeof err.type === 'string' && err.type.length > 0, `${label}: error.type in ${JSON.stringify(err)}`);
  const at = s.order.indexOf('error');
  const afterError = s.order.slice(at + 1);
  assert.ok(afterError.every((o) => o === 'done') && afterError.length <= 1,
    `${label}: nothing but an optional [DONE] may follow the error record: ${s.order.join(',')}`);
  assert.notEqual(s.finishReason, 'stop', `${label}: a broken stream must not look finished`);
  assert.ok(!s.raw.includes(stack.canary));
  return s.text;
}

test('upstream drops the connection mid-stream → in-band error, text before it intact, no retry', T, async () => {
  const full = await baselineText();
  await mock.setFaults([{ times: 1, match: { stream: true }, chunks: 10, chunk_delay_ms: 40, drop_after: 3 }]);
  const s = await gw.chatStream(h.chatBody(PROMPT));
  const text = assertInBandError(s, 'drop');
  assert.ok(text.length > 0, 'content before the drop reached the client');
  assert.ok(full.startsWith(text) && text.length < full.length, `text ${JSON.stringify(text)} is a strict prefix of ${JSON.stringify(full)}`);
  assert.equal((await mock.chatRequests()).length, 1, 'no retry after the commit point');
});

test('malformed SSE record from upstream mid-stream → in-band error, no retry', T, async () => {
  const full = await baselineText();
  await mock.setFaults([{ times: 1, match: { stream: true }, chunks: 10, chunk_delay_ms: 40, malformed: true }]);
  const s = await gw.chatStream(h.chatBody(PROMPT));
  const text = assertInBandError(s, 'malformed');
  assert.ok(text.length > 0 && full.startsWith(text) && text.length < full.length, JSON.stringify(text));
  assert.equal((await mock.chatRequests()).length, 1);
});

test('upstream in-band error after content → in-band error to the client, no retry', T, async () => {
  const full = await baselineText();
  await mock.setFaults([{ times: 1, match: { stream: true }, chunks: 10, chunk_delay_ms: 40, stream_error: 3 }]);
  const s = await gw.chatStream(h.chatBody(PROMPT));
  const text = assertInBandError(s, 'stream_error');
  assert.ok(text.length > 0 && full.startsWith(text) && text.length < full.length, JSON.stringify(text));
  assert.equal((await mock.chatRequests()).length, 1);
});

test('upstream in-band error before any content → one coherent answer (retried) or one clean error', T, async () => {
  await mock.setFaults([{ times: 1, match: { stream: true }, stream_error: 0 }]);
  const s = await gw.chatStream(h.chatBody(PROMPT));
  if (s.sse && s.errors.length === 0) {
    assert.equal(s.text, h.mockReply(PROMPT), 'retried stream carries the full text exactly once');
    assert.ok(s.done);
    assert.equal((await mock.chatRequests()).length, 2);
  } else if (s.sse) {
    assertInBandError(s, 'early stream_error');
    assert.equal(s.text, '', 'no content before an error that preceded all content');
  } else {
    assert.ok(s.status >= 500, `${s.status} ${s.text}`);
    h.openAiError(assert, s.json);
  }
});

test('upstream stream without usage still completes (include_usage requested)', T, async () => {
  await mock.setFaults([{ times: 1, match: { stream: true }, no_usage: true }]);
  const s = await gw.chatStream(h.chatBody(PROMPT, { stream_options: { include_usage: true } }));
  assert.equal(s.status, 200);
  assert.equal(s.errors.length, 0, JSON.stringify(s.errors));
  assert.equal(s.text, h.mockReply(PROMPT));
  assert.equal(s.finishReason, 'stop');
  assert.ok(s.done);
  assert.equal(s.order.at(-1), 'done');
});

test('upstream non-streamed answer without usage still succeeds', T, async () => {
  await mock.setFaults([{ times: 1, no_usage: true }]);
  const res = await gw.chat(h.chatBody(PROMPT));
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.choices[0].message.content, h.mockReply(PROMPT));
});

test('slow upstream chunks are relayed as they arrive, not buffered to the end', T, async () => {
  await mock.setFaults([{ times: 1, match: { stream: true }, chunks: 6, chunk_delay_ms: 300 }]);
  const started = Date.now();
  const arrivals = [];
  const s = await gw.chatStream(h.chatBody(PROMPT), {
    onEvent: (ev) => {
      let content = '';
      try {
        content = JSON.parse(ev.data).choices?.[0]?.delta?.content ?? '';
      } catch {
        // [DONE]
      }
      if (content) arrivals.push(Date.now() - started);
    },
  });
  assert.equal(s.status, 200);
  assert.ok(s.done);
  assert.equal(s.text, h.mockReply(PROMPT));
  assert.ok(arrivals.length >= 2, `content events: ${arrivals}`);
  assert.ok(arrivals.at(-1) - arrivals[0] >= 900, `content spread over time, arrivals ${arrivals.join(',')} ms`);
});

test('client disconnect mid-stream releases the request (in-flight gauge back to baseline)', T, async () => {
  const gauge = async () => (await gw.metrics()).sum('gateway_http_requests_in_flight');
  const baseline = await gauge();
  await mock.setFaults([{ times: 1, match: { stream: true }, endless: true, chunk_delay_ms: 20 }]);
  const ac = new AbortController();
  let seen = 0;
  const p = gw.chatStream(h.chatBody('endless'), {
    signal: ac.signal,
    onEvent: () => {
      seen += 1;
      if (seen === 5) ac.abort();
    },
  });
  await assert.rejects(p, (err) => err.name === 'AbortError' || /abort/i.test(String(err)));
  assert.ok(seen >= 5);
  await h.waitFor(async () => (await gauge()) <= baseline, { timeoutMs: 5_000, what: 'in-flight gauge to return to baseline' });
});

// ---- timeouts (provider timeouts: first_byte 500 ms, idle 500 ms, total 6 s) ----------------

test('upstream hangs before headers → 504 within the provider deadline', { timeout: 30_000 }, async () => {
  await mock.setFaults([{ times: 0, hang: true }]);
  const res = await fastGw.chat(h.chatBody('hang'), { timeoutMs: 25_000 });
  assert.equal(res.status, 504, res.text);
  h.openAiError(assert, res.json, { status: 504 });
  assert.ok(res.elapsedMs < 10_000, `answered after ${res.elapsedMs} ms`);
  assert.ok(res.elapsedMs >= 450, `answered after ${res.elapsedMs} ms, before the first-byte timeout`);
});

test('streamed request to a hanging upstream → 504 JSON (nothing committed)', { timeout: 30_000 }, async () => {
  await mock.setFaults([{ times: 0, hang: true }]);
  const s = await fastGw.chatStream(h.chatBody('hang stream'), { timeoutMs: 25_000 });
  assert.equal(s.sse, false, 'no SSE head before the first upstream event');
  assert.equal(s.status, 504, s.text);
  h.openAiError(assert, s.json, { status: 504 });
});

test('upstream slower than first_byte_ms on headers → 504; faster → 200', { timeout: 30_000 }, async () => {
  await mock.setFaults([{ times: 0, delay_ms: 2_000 }]);
  const slow = await fastGw.chat(h.chatBody('slow head'), { timeoutMs: 25_000 });
  assert.equal(slow.status, 504, slow.text);
  await mock.reset();
  await mock.setFaults([{ times: 0, delay_ms: 100 }]);
  const ok = await fastGw.chat(h.chatBody('quick head'));
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.choices[0].message.content, h.mockReply('quick head'));
});

test('upstream stalls mid-stream longer than idle_ms → 504 or in-band error, never a clean end', { timeout: 30_000 }, async () => {
  await mock.setFaults([{ times: 0, match: { stream: true }, chunks: 3, chunk_delay_ms: 3_000 }]);
  const started = Date.now();
  const s = await fastGw.chatStream(h.chatBody('stall'), { timeoutMs: 25_000 });
  if (s.sse) {
    assertInBandError(s, 'idle stall');
  } else {
    assert.equal(s.status, 504, s.text);
  }
  assert.ok(Date.now() - started < 10_000);
});

h.secretSweepTests(() => [gw, fastGw]);
