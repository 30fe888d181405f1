// Fallback before the commit point: a persona's primary fails (status, in-band error before any
// content) and the next target in its chain serves the request; the client sees one coherent
// answer and headers naming what served it. After the commit point there is no fallback (see
// upstream_faults.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as h from './harness.mjs';

let stack;
let gw;
let mock;

const withFallback = {
  tweak(config) {
    config.personas[h.PERSONA].fallback = [`mock/${h.MINI_MODEL}`];
  },
};

h.useStack(withFallback, (s) => {
  stack = s;
  ({ gw, mock } = s);
});

const T = { timeout: 20_000 };

test('primary 503 → fallback target serves, attempts = 2', T, async () => {
  await mock.setFaults([{ times: 1, status: 503, match: { model: h.PRIMARY_MODEL } }]);
  const res = await gw.chat(h.chatBody('fall back please'));
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.choices[0].message.content, h.mockReply('fall back please'));
  assert.equal(res.headers.get('x-gateway-attempts'), '2');
  assert.equal(res.headers.get('x-gateway-model'), h.MINI_MODEL);
  const seen = (await mock.chatRequests()).map((r) => r.body.model);
  assert.deepEqual(seen, [h.PRIMARY_MODEL, h.MINI_MODEL]);
});

test('primary 400 (the request itself is bad) → no fallback', T, async () => {
  await mock.setFaults([{ times: 1, status: 400, match: { model: h.PRIMARY_MODEL } }]);
  const res = await gw.chat(h.chatBody('bad for everyone'));
  assert.equal(res.status, 400, res.text);
  assert.equal((await mock.chatRequests()).length, 1);
});

test('streamed: in-band error before any content → fallback, one coherent stream', T, async () => {
  await mock.setFaults([{ times: 1, stream_error: 0, match: { model: h.PRIMARY_MODEL } }]);
  const s = await gw.chatStream(h.chatBody('stream fallback'));
  assert.equal(s.status, 200);
  assert.equal(s.sse, true);
  assert.equal(s.text, h.mockReply('stream fallback'));
  assert.ok(s.done, 'stream ends with [DONE]');
  assert.equal(s.errors?.length ?? 0, 0);
  const seen = (await mock.chatRequests()).map((r) => r.body.model);
  assert.deepEqual(seen, [h.PRIMARY_MODEL, h.MINI_MODEL]);
});
