// PF-06 (RELIABILITY "Failure after commit versus before commit"), for each ingress dialect
// (OpenAI, Anthropic, Gemini) with a fallback configured:
//  (a) the upstream connection resets after 3 chunks reached the client → no retry and no
//      fallback (one upstream request, the fallback untouched), the text is a strict prefix
//      (nothing duplicated), one terminal error event;
//  (b) an in-band error before any content, or an HTTP 429 to the stream request → transparent
//      fallback: one coherent stream, as if the primary had never been asked.
// (upstream_faults.test.mjs covers (a) for OpenAI without a fallback; fallback.test.mjs covers
// the in-band case of (b) for OpenAI.)
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';

import { h, startChaosStack, DIALECTS, assertTerminalError, attemptsFor } from './chaos.mjs';

const PROMPT = 'one two three four five six seven eight nine ten';
const CASES = {
  a: { chunks: 10, chunk_delay_ms: 30, drop_after: 3 },
  inband: { stream_error: 0 },
  http429: { status: 429, retry_after: 1 },
};
const personas = {};
for (const c of Object.keys(CASES)) {
  for (const d of Object.keys(DIALECTS)) {
    personas[`${c}-${d}`] = { model: `pf06-${c}-${d}`, fallback: [`backup/pf06-${c}-${d}`] };
  }
}

let stack;

before(async () => {
  stack = await startChaosStack({ personas });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await Promise.all([stack.primary.reset(), stack.backup.reset()]);
});

const T = { timeout: 30_000 };

for (const dialect of Object.keys(DIALECTS)) {
  test(`PF-06 (a) ${dialect}: reset after 3 chunks → one terminal error, text not duplicated, no retry, no fallback`, T, async () => {
    const model = `pf06-a-${dialect}`;
    await stack.primary.setFaults([{ times: 1, match: { model }, ...CASES.a }]);
    const s = await DIALECTS[dialect](stack.gw, { key: stack.keys[`a-${dialect}`], model, text: PROMPT });
    assertTerminalError(s, dialect);
    const full = h.mockReply(PROMPT);
    assert.ok(s.text.length > 0 && full.startsWith(s.text) && s.text.length < full.length,
      `${JSON.stringify(s.text)} is a strict prefix of the reply (no duplicated text)`);
    await h.sleep(300); // a wrong retry or fallback would land here
    assert.equal((await attemptsFor(stack.primary, model)).length, 1, 'no retry after the commit point');
    assert.equal((await attemptsFor(stack.backup, model)).length, 0, 'no fallback after the commit point');
  });

  for (const [c, label] of [['inband', 'in-band error before content'], ['http429', 'HTTP 429 before content']]) {
    test(`PF-06 (b) ${dialect}: ${label} → transparent fallback, one coherent stream`, T, async () => {
      const model = `pf06-${c}-${dialect}`;
      await stack.primary.setFaults([{ times: 1, match: { model }, ...CASES[c] }]);
      const s = await DIALECTS[dialect](stack.gw, { key: stack.keys[`${c}-${dialect}`], model, text: PROMPT });
      assert.equal(s.status, 200, s.text);
      assert.ok(s.sse, `SSE expected: ${s.text}`);
      assert.equal(s.readError ?? null, null);
      assert.deepEqual(s.errors, [], 'no error event reaches the client');
      assert.equal(s.text, h.mockReply(PROMPT), 'the whole reply exactly once');
      assert.ok(s.finished, `the stream finishes normally: ${s.order.join(',')}`);
      if (dialect === 'openai') assert.ok(s.done, 'ends with [DONE]');
      if (dialect === 'anthropic') {
        assert.equal(s.order.filter((o) => o === 'message_start').length, 1, s.order.join(','));
        assert.equal(s.order.filter((o) => o === 'message_stop').length, 1, s.order.join(','));
      }
      assert.equal(s.headers.get('x-gateway-provider'), 'backup');
      assert.equal((await attemptsFor(stack.primary, model)).length, 1);
      assert.equal((await attemptsFor(stack.backup, model)).length, 1);
    });
  }
}
