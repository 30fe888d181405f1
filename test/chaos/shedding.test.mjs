// Concurrency shedding (RELIABILITY "Load shedding"): above a persona's max_in_flight, or the
// gateway's server.max_in_flight, a request is refused at once with 503 gateway_unavailable,
// Retry-After and no upstream attempt, instead of queueing; capacity comes back as soon as the
// requests in flight finish.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';

import { h, startChaosStack, attemptsFor, metric } from './chaos.mjs';

const SLOW_MS = 1_500;

let stack;

before(async () => {
  stack = await startChaosStack({
    personas: {
      capped: { model: 'shed-persona', max_in_flight: 2 },
      open: { model: 'shed-global' },
    },
    server: { max_in_flight: 3 },
  });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await Promise.all([stack.primary.reset(), stack.backup.reset()]);
});

const T = { timeout: 30_000 };

function ask(persona, model, text) {
  return stack.gw.chat({ model, messages: [{ role: 'user', content: text }] }, { key: stack.keys[persona] });
}

function assertShed(r, label) {
  assert.equal(r.status, 503, `${label}: ${r.status} ${r.text}`);
  assert.equal(r.headers.get('x-gateway-error-kind'), 'gateway_unavailable', label);
  assert.ok(Number(r.headers.get('retry-after')) >= 1, `${label}: retry-after ${r.headers.get('retry-after')}`);
  const e = h.openAiError(assert, r.json, { status: 503 });
  assert.equal(e.code, 'overloaded', `${label}: error code`);
  assert.ok(r.elapsedMs < SLOW_MS / 2, `${label}: refused at once, not queued (${r.elapsedMs} ms)`);
}

async function holdSlow(persona, model, n) {
  await stack.primary.setFaults([{ times: 0, delay_ms: SLOW_MS, match: { model } }]);
  const held = Array.from({ length: n }, (_, i) => ask(persona, model, `slow ${i}`));
  await h.waitFor(async () => (await stack.primary.stats()).in_flight >= n, { what: `${n} slow requests upstream` });
  return held;
}

test('shedding: persona max_in_flight 2 → the 3rd concurrent request gets 503 gateway_unavailable + Retry-After, no upstream attempt', T, async () => {
  const model = 'shed-persona';
  const before = await metric(stack.gw, 'gateway_shed_total', { scope: 'persona' });
  const held = await holdSlow('capped', model, 2);
  const third = await ask('capped', model, 'third');
  assertShed(third, 'persona cap');
  assert.equal((await attemptsFor(stack.primary, model)).length, 2, 'the shed request never went upstream');
  assert.equal(await metric(stack.gw, 'gateway_shed_total', { scope: 'persona' }), before + 1);
  for (const r of await Promise.all(held)) assert.equal(r.status, 200, r.text);
  await stack.primary.clearFaults();
  const later = await ask('capped', model, 'later');
  assert.equal(later.status, 200, 'capacity is back once the slow ones finished');
});

test('shedding: server.max_in_flight 3 → the 4th concurrent request (any persona) gets 503 gateway_unavailable + Retry-After', T, async () => {
  const model = 'shed-global';
  const before = await metric(stack.gw, 'gateway_shed_total', { scope: 'global' });
  const inFlightBaseline = await metric(stack.gw, 'gateway_http_requests_in_flight');
  const held = await holdSlow('open', model, 3);
  const fourth = await ask('open', model, 'fourth');
  assertShed(fourth, 'global cap');
  const other = await ask('capped', 'shed-persona', 'other persona');
  assertShed(other, 'global cap, another persona');
  assert.equal((await attemptsFor(stack.primary, model)).length, 3);
  assert.equal((await attemptsFor(stack.primary, 'shed-persona')).length, 0);
  assert.equal(await metric(stack.gw, 'gateway_shed_total', { scope: 'global' }), before + 2);
  for (const r of await Promise.all(held)) assert.equal(r.status, 200, r.text);
  await stack.primary.clearFaults();
  assert.equal((await ask('open', model, 'later')).status, 200);
  // A request leaves the gauge just after its last byte went out: allow a moment.
  await h.waitFor(async () => (await metric(stack.gw, 'gateway_http_requests_in_flight')) <= inFlightBaseline,
    { timeoutMs: 3_000, what: 'shed requests to leave nothing in flight' });
});
