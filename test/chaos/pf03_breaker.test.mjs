// PF-03 (RELIABILITY "5xx or 529 burst, then recovery"): the breaker of (provider, model,
// credential) opens after 5 consecutive health failures or ≥50% failures over ≥20 calls; while
// it is open the fallback serves and the primary sees only probes (half_open_probes per open
// interval of open_ms × ejections); when the primary recovers a probe succeeds and it closes.
// Breaker open_ms is 1 s here (chaos.mjs FAST_BREAKER).
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';

import { h, startChaosStack, FAST_BREAKER, FAST_RETRY, breakerOf, metric, attemptsFor, printFigures } from './chaos.mjs';

let stack;

before(async () => {
  stack = await startChaosStack({
    personas: {
      burst: { model: 'pf03-burst', fallback: ['backup/pf03-burst'] },
      rate: { model: 'pf03-rate', fallback: ['backup/pf03-rate'] },
      probe: { model: 'pf03-probe', fallback: ['backup/pf03-probe'] },
    },
    providers: { primary: { breaker: FAST_BREAKER, retry: FAST_RETRY } },
  });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await Promise.all([stack.primary.reset(), stack.backup.reset()]);
});

const T = { timeout: 40_000 };
const HEALTH_FAILURE = /=provider_(overloaded|unavailable|server_error)\b/;

function ask(persona, model, text) {
  return stack.gw.chat({ model, messages: [{ role: 'user', content: text }] }, { key: stack.keys[persona] });
}

function transitions(model, to) {
  return metric(stack.gw, 'gateway_breaker_transitions_total', { provider: 'primary', model, to });
}

// How many half-open windows can have begun `elapsedMs` after the breaker first opened, with
// open_ms × ejections per interval and every probe failing (jitter only makes it later).
function halfOpenWindowsWithin(elapsedMs) {
  let k = 0;
  let t = 0;
  for (;;) {
    t += Math.min(FAST_BREAKER.open_ms * (k + 1), FAST_BREAKER.max_open_ms);
    if (t > elapsedMs) return k;
    k++;
  }
}

// Opens the breaker of `model` with 5 consecutive 503s (each served by the fallback).
async function openWith503s(persona, model) {
  await stack.primary.setFaults([{ times: 0, status: 503, match: { model } }]);
  for (let i = 1; i <= FAST_BREAKER.consecutive_failures; i++) {
    const r = await ask(persona, model, `fail ${i}`);
    assert.equal(r.status, 200, `request ${i}: ${r.text}`);
    assert.equal(r.headers.get('x-gateway-provider'), 'backup');
    assert.match(r.headers.get('x-gateway-fallbacks') ?? '', HEALTH_FAILURE, `request ${i}`);
  }
}

test('PF-03 5xx burst: breaker opens after 5 consecutive failures, fallback serves, probes, closes', T, async () => {
  const { gw, primary, adminKey } = stack;
  const model = 'pf03-burst';
  const openedBefore = await transitions(model, 'open');
  const closedBefore = await transitions(model, 'closed');
  const outageStart = Date.now();

  await primary.setFaults([{ times: 0, status: 503, match: { model } }]);
  for (let i = 1; i < FAST_BREAKER.consecutive_failures; i++) {
    const r = await ask('burst', model, `fail ${i}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-gateway-provider'), 'backup');
    assert.equal(r.headers.get('x-gateway-attempts'), '2');
    assert.match(r.headers.get('x-gateway-fallbacks') ?? '', HEALTH_FAILURE);
  }
  const before5 = await breakerOf(gw, adminKey, { model });
  assert.equal(before5?.state, 'closed', JSON.stringify(before5));
  assert.equal(before5.consecutive_failures, FAST_BREAKER.consecutive_failures - 1);
  const fifth = await ask('burst', model, 'fail 5');
  assert.equal(fifth.status, 200);
  const openedAt = Date.now();
  const open = await breakerOf(gw, adminKey, { model });
  assert.equal(open?.state, 'open', `open after ${FAST_BREAKER.consecutive_failures} consecutive failures: ${JSON.stringify(open)}`);
  assert.ok(open.open_until_ms > 0 && open.open_until_ms <= FAST_BREAKER.open_ms * 1.1 + 50, JSON.stringify(open));
  assert.equal(await transitions(model, 'open'), openedBefore + 1);
  assert.equal((await gw.metrics()).sum('gateway_breaker_state', { provider: 'primary', model, credential: '0' }), 2);
  assert.equal((await attemptsFor(primary, model)).length, FAST_BREAKER.consecutive_failures);

  // Open, primary still failing: the fallback serves everything, the primary sees only probes.
  const OPEN_PHASE_MS = 1_600;
  let skippedOpen = 0;
  while (Date.now() - openedAt < OPEN_PHASE_MS) {
    const r = await ask('burst', model, 'while open');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-gateway-provider'), 'backup');
    if (/=circuit_open\b/.test(r.headers.get('x-gateway-fallbacks') ?? '')) {
      skippedOpen++;
      assert.equal(r.headers.get('x-gateway-attempts'), '1', 'an open breaker costs no attempt');
    }
    await h.sleep(100);
  }
  const openElapsed = Date.now() - openedAt;
  const probes = (await attemptsFor(primary, model)).length - FAST_BREAKER.consecutive_failures;
  const allowed = halfOpenWindowsWithin(openElapsed) * FAST_BREAKER.half_open_probes;
  assert.ok(probes <= allowed, `${probes} primary attempts while open for ${openElapsed} ms (at most ${allowed} probes)`);
  assert.ok(probes >= 1, `a probe after open_ms (${FAST_BREAKER.open_ms} ms) with traffic flowing; ${openElapsed} ms elapsed`);
  assert.ok(skippedOpen >= 5, `requests skipped the open breaker: ${skippedOpen}`);

  // Recovery: the next probe succeeds and the breaker closes.
  await primary.clearFaults();
  const recoveredAt = Date.now();
  let servedByPrimary = null;
  const limit = FAST_BREAKER.max_open_ms * 1.1 + 3_000;
  while (Date.now() - recoveredAt < limit) {
    const r = await ask('burst', model, 'after recovery');
    assert.equal(r.status, 200, r.text);
    if (r.headers.get('x-gateway-provider') === 'primary') {
      servedByPrimary = Date.now();
      break;
    }
    await h.sleep(100);
  }
  assert.ok(servedByPrimary, `the primary served again within ${limit} ms of recovering`);
  const closed = await breakerOf(gw, adminKey, { model });
  assert.equal(closed?.state, 'closed', JSON.stringify(closed));
  assert.equal(await transitions(model, 'closed'), closedBefore + 1);
  assert.ok(await transitions(model, 'half_open') >= 1);
  for (let i = 0; i < 3; i++) {
    const r = await ask('burst', model, `closed ${i}`);
    assert.equal(r.headers.get('x-gateway-provider'), 'primary');
    assert.equal(r.headers.get('x-gateway-attempts'), '1');
  }
  printFigures('PF-03', { open_after_ms: openedAt - outageStart, probes_while_open: probes, open_phase_ms: openElapsed,
    close_after_recovery_ms: servedByPrimary - recoveredAt });
});

test('PF-03 failure-rate path: ≥50% of ≥20 calls with interleaved successes opens the breaker (never 5 in a row)', T, async () => {
  const { gw, adminKey } = stack;
  const model = 'pf03-rate';
  const openedBefore = await transitions(model, 'open');
  // ok, 529, ok, 529, …: 20 calls, 10 failures, the 20th a failure; never 2 failures in a row.
  const faults = [];
  for (let i = 0; i < FAST_BREAKER.min_calls; i++) faults.push({ times: 1, status: i % 2 === 0 ? 200 : 529, match: { model } });
  await stack.primary.setFaults(faults);
  for (let i = 0; i < FAST_BREAKER.min_calls; i++) {
    if (i === FAST_BREAKER.min_calls - 1) {
      const b = await breakerOf(gw, adminKey, { model });
      assert.equal(b?.state, 'closed', `19 calls (< min_calls) keep it closed: ${JSON.stringify(b)}`);
      assert.ok(b.consecutive_failures <= 1);
      assert.equal(await transitions(model, 'open'), openedBefore);
    }
    const r = await ask('rate', model, `rate ${i}`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('x-gateway-provider'), i % 2 === 0 ? 'primary' : 'backup', `call ${i}`);
  }
  const b = await breakerOf(gw, adminKey, { model });
  assert.equal(b?.state, 'open', `10 failures in 20 calls: ${JSON.stringify(b)}`);
  assert.ok(b.window_calls >= FAST_BREAKER.min_calls && b.window_failures * 2 >= b.window_calls, JSON.stringify(b));
  assert.equal(await transitions(model, 'open'), openedBefore + 1);
});

test('PF-03 half-open admits exactly half_open_probes concurrent probes; the others go to the fallback', T, async () => {
  const { gw, primary, adminKey } = stack;
  const model = 'pf03-probe';
  await openWith503s('probe', model);
  const openedAt = Date.now();
  assert.equal((await breakerOf(gw, adminKey, { model }))?.state, 'open');
  await primary.reset();
  // Recovered but slow, so the probe is still in flight when the others arrive.
  await primary.setFaults([{ times: 0, delay_ms: 500, match: { model } }]);
  await h.sleep(Math.max(0, FAST_BREAKER.open_ms * 1.1 + 150 - (Date.now() - openedAt)));
  const rs = await Promise.all(Array.from({ length: 10 }, (_, i) => ask('probe', model, `probe ${i}`)));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  const viaPrimary = rs.filter((r) => r.headers.get('x-gateway-provider') === 'primary').length;
  assert.equal((await attemptsFor(primary, model)).length, FAST_BREAKER.half_open_probes, 'one probe, no burst');
  assert.equal(viaPrimary, FAST_BREAKER.half_open_probes);
  assert.equal((await breakerOf(gw, adminKey, { model }))?.state, 'closed', 'the successful probe closed it');
});

test('PF-03 GET /admin/breakers: 401 without a key, 403 for a user key, names credentials by index', T, async () => {
  const { gw, keys, adminKey, canaries } = stack;
  assert.equal((await gw.request('/admin/breakers', { key: null })).status, 401);
  assert.equal((await gw.request('/admin/breakers', { key: keys.burst })).status, 403);
  const res = await gw.request('/admin/breakers', { key: adminKey });
  assert.equal(res.status, 200, res.text);
  for (const b of res.json.breakers) {
    for (const field of ['provider', 'model', 'credential', 'state', 'consecutive_failures', 'window_calls', 'window_failures', 'ejections', 'open_until_ms', 'cooling_until_ms']) {
      assert.ok(field in b, `${field} in ${JSON.stringify(b)}`);
    }
    assert.match(String(b.credential), /^\d+$/);
    assert.ok(['closed', 'open', 'half_open'].includes(b.state), b.state);
  }
  for (const secret of canaries) assert.ok(!res.text.includes(secret));
});
