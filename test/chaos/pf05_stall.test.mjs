// PF-05 (RELIABILITY "Stall mid-stream, including heartbeat-masked stalls"): 3 content chunks,
// then (a) silence or (b) only ": keepalive" comments. Upstream comments are not data, so the
// idle timeout (500 ms here) fires in both cases: the client gets the 3 chunks' text and one
// typed terminal error, and the upstream request is closed (mock in_flight back to 0).
// Downstream keepalive: with server.stream_keepalive_ms 200, a client of a slow upstream sees
// ": keepalive" comments while the upstream is silent, and the complete reply.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';

import { h, startChaosStack, DIALECTS, assertTerminalError, drained, metric, printFigures } from './chaos.mjs';

const IDLE_MS = 500;
const KEEPALIVE_MS = 200;
const PROMPT = 'alpha beta gamma delta epsilon zeta eta theta';

let stack;

before(async () => {
  stack = await startChaosStack({
    personas: {
      stall: { model: 'pf05-stall' },
      slow: { provider: 'slow', model: 'pf05-keepalive', allow: ['slow/*'] },
    },
    providers: {
      primary: { timeouts: { connect_ms: 1_000, first_byte_ms: 2_000, idle_ms: IDLE_MS, total_ms: 20_000 } },
      slow: { timeouts: { connect_ms: 1_000, first_byte_ms: 2_000, idle_ms: 1_500, total_ms: 20_000 } },
    },
    server: { stream_keepalive_ms: KEEPALIVE_MS },
  });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await Promise.all([stack.primary.reset(), stack.backup.reset(), stack.primary.control('DELETE', '/_mock/stats')]);
});

const T = { timeout: 30_000 };

// The text of the first `n` content records of the 10-chunk reply, as a client sees them.
async function firstChunksText(n) {
  await stack.primary.setFaults([{ times: 1, chunks: 10, match: { model: 'pf05-stall' } }]);
  const deltas = [];
  const s = await stack.gw.chatStream({ model: 'pf05-stall', messages: [{ role: 'user', content: PROMPT }] }, {
    key: stack.keys.stall,
    onEvent: (ev) => {
      try {
        const c = JSON.parse(ev.data).choices?.[0]?.delta?.content;
        if (c) deltas.push(c);
      } catch {
        // [DONE]
      }
    },
  });
  assert.equal(s.text, h.mockReply(PROMPT));
  assert.equal(deltas.length, 10, `10 content records: ${JSON.stringify(deltas)}`);
  await stack.primary.reset();
  return deltas.slice(0, n).join('');
}

const CASES = [
  ['(a) silence', { stall_after: 3 }],
  ['(b) heartbeats only', { stall_after: 3, heartbeat_ms: 100 }],
];

for (const [label, knobs] of CASES) {
  test(`PF-05 ${label} after 3 chunks: idle timeout fires, 3 chunks' text then one typed terminal error, upstream closed`, T, async () => {
    const expected = await firstChunksText(3);
    await stack.primary.setFaults([{ times: 1, chunks: 10, match: { model: 'pf05-stall' }, ...knobs }]);
    const started = Date.now();
    const s = await DIALECTS.openai(stack.gw, { key: stack.keys.stall, model: 'pf05-stall', text: PROMPT, timeoutMs: 15_000 });
    const elapsed = Date.now() - started;
    assertTerminalError(s, label);
    assert.equal(s.text, expected, 'exactly the 3 chunks that arrived');
    assert.ok(elapsed >= IDLE_MS - 20, `ended after ${elapsed} ms, before idle_ms`);
    assert.ok(elapsed < IDLE_MS + 4_000, `ended after ${elapsed} ms: comments must not reset the idle timeout`);
    await drained(stack.primary);
    assert.equal((await stack.primary.stats()).by_status.aborted, 1, 'the gateway closed the stalled upstream');
    assert.equal((await stack.primary.chatRequests()).length, 1, 'no retry after the commit point');
    printFigures('PF-05', { variant: label, idle_ms: IDLE_MS, stream_ended_after_ms: elapsed });
  });
}

for (const dialect of ['anthropic', 'gemini']) {
  test(`PF-05 (b) heartbeat-masked stall, ${dialect} ingress: one terminal error, upstream closed`, T, async () => {
    await stack.primary.setFaults([{ times: 1, chunks: 10, stall_after: 3, heartbeat_ms: 100, match: { model: 'pf05-stall' } }]);
    const s = await DIALECTS[dialect](stack.gw, { key: stack.keys.stall, model: 'pf05-stall', text: PROMPT, timeoutMs: 15_000 });
    assertTerminalError(s, dialect);
    assert.ok(s.text.length > 0 && h.mockReply(PROMPT).startsWith(s.text), `a prefix of the reply: ${JSON.stringify(s.text)}`);
    await drained(stack.primary);
  });
}

test(`PF-05 downstream keepalive: a slow upstream (900 ms between chunks) → ": keepalive" every ${KEEPALIVE_MS} ms, complete reply`, T, async () => {
  const { gw, primary, keys } = stack;
  await primary.setFaults([{ times: 1, chunks: 4, chunk_delay_ms: 900, match: { model: 'pf05-keepalive' } }]);
  const before = await metric(gw, 'gateway_stream_keepalives_total');
  const conn = await h.RawHttpConnection.connect(gw.port, { sink: gw });
  let res;
  try {
    await conn.send({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: [['Authorization', `Bearer ${keys.slow}`], ['Content-Type', 'application/json']],
      body: JSON.stringify({ model: 'pf05-keepalive', stream: true, messages: [{ role: 'user', content: PROMPT }] }),
    });
    res = await conn.readResponse({ method: 'POST', timeoutMs: 15_000 });
  } finally {
    conn.close();
  }
  assert.equal(res.status, 200, res.text);
  const blocks = res.text.split(/\n\n/).filter((b) => b.trim() !== '');
  const keepalives = blocks.filter((b) => /^:\s*keepalive\s*$/.test(b.trim())).length;
  const events = blocks.map((b) => h.parseSSEBlock(b)).filter(Boolean);
  const summary = h.summarizeChatStream(events);
  assert.equal(summary.text, h.mockReply(PROMPT), 'the complete reply');
  assert.ok(summary.done, 'ends with [DONE]');
  assert.equal(summary.errors.length, 0, JSON.stringify(summary.errors));
  // At least three silent gaps of 900 ms after the commit point (the stream may commit at the
  // role chunk or at the first content chunk): about 4 comments each; ≥ 6 leaves room for a
  // loaded machine.
  assert.ok(keepalives >= 6, `${keepalives} keepalive comments in ${JSON.stringify(res.text.slice(0, 2_000))}`);
  assert.ok(await metric(gw, 'gateway_stream_keepalives_total') >= before + keepalives);
  printFigures('PF-05-keepalive', { keepalive_ms: KEEPALIVE_MS, comments_seen: keepalives });
});
