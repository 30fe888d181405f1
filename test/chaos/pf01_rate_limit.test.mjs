// PF-01 (RELIABILITY "429 storm with Retry-After"): a storm of 429s with Retry-After must not be
// re-amplified: no retry before Retry-After, attempts ≤ 1.2 × requests, the credential cools
// (the breaker stays closed), the client learns Retry-After; with a fallback every request is
// served; with two credentials the second serves while the first cools.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';

import { h, pick, SOAK, startChaosStack, breakerOf, metric, attemptsFor, logRecorder, printFigures } from './chaos.mjs';

const N = pick(100, 500);
const RETRY_AFTER_S = pick(3, 20);
const K2 = h.canaryKey(); // the second credential of the "rotating" provider

let stack;

before(async () => {
  stack = await startChaosStack({
    personas: {
      storm: { model: 'pf01-storm' },
      stormfb: { model: 'pf01-fallback', fallback: ['backup/pf01-fallback'] },
      rotate: { provider: 'rotating', model: 'pf01-rotate', allow: ['rotating/*'] },
      single: { model: 'pf01-single' },
    },
    providers: {
      rotating: { api_keys: ['env:CHAOS_PF01_K2'] },
    },
    env: { CHAOS_PF01_K2: K2 },
  });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await Promise.all([stack.primary.reset(), stack.backup.reset()]);
});

const T = { timeout: SOAK ? 180_000 : 60_000 };

test(`PF-01 429 storm with Retry-After: ${N} concurrent requests, no retry before ${RETRY_AFTER_S} s, attempts ≤ 1.2×, cooling not open, clients get 429 + Retry-After`, T, async () => {
  const { gw, primary, keys, adminKey } = stack;
  const model = 'pf01-storm';
  await primary.setFaults([{ times: 0, status: 429, retry_after: RETRY_AFTER_S, match: { model } }]);
  const recorder = logRecorder(primary, 100);
  const openBefore = await metric(gw, 'gateway_breaker_transitions_total', { provider: 'primary', to: 'open' });

  // While the storm is on, look at the breaker once the first 429 has come back.
  const breakerDuringStorm = (async () => {
    await h.waitFor(async () => ((await primary.stats()).by_status?.['429'] ?? 0) >= 1, { timeoutMs: 20_000, intervalMs: 50, what: 'the first 429' });
    return breakerOf(gw, adminKey, { model });
  })();

  const started = Date.now();
  const responses = await Promise.all(Array.from({ length: N }, (_, i) =>
    gw.chat({ model, messages: [{ role: 'user', content: `storm ${i}` }] }, { key: keys.storm, timeoutMs: RETRY_AFTER_S * 1000 * 4 + 20_000 })));
  const elapsed = Date.now() - started;
  const breaker = await breakerDuringStorm;
  await h.sleep(300);
  await recorder.stop();
  await primary.clearFaults();

  // Clients: 429, typed, with Retry-After ≥ the provider's when the provider answered them; a
  // request skipped while the credential cooled (0 attempts) learns the time left (≥ 1 s).
  let skipped = 0;
  for (const [i, r] of responses.entries()) {
    assert.equal(r.status, 429, `request ${i}: ${r.status} ${r.text}`);
    assert.equal(r.headers.get('x-gateway-error-kind'), 'provider_rate_limited', `request ${i}`);
    const ra = Number(r.headers.get('retry-after'));
    const made = Number(r.headers.get('x-gateway-attempts'));
    if (made === 0) {
      skipped++;
      assert.ok(ra >= 1 && ra <= RETRY_AFTER_S, `request ${i} (skipped, cooling): retry-after ${r.headers.get('retry-after')}`);
    } else {
      assert.ok(Number.isFinite(ra) && ra >= RETRY_AFTER_S, `request ${i}: retry-after ${r.headers.get('retry-after')} < ${RETRY_AFTER_S}`);
    }
  }

  // Upstream: ≤ 1.2 attempts per request, and no second attempt for a request before
  // Retry-After elapsed (bounds from the polled log can only favour the gateway).
  const attempts = recorder.seen.filter((s) => s.entry.body?.model === model);
  assert.ok(attempts.length >= 1, 'the storm reached the provider');
  assert.ok(attempts.length <= 1.2 * N, `${attempts.length} upstream attempts for ${N} requests (> 1.2×)`);
  const byPrompt = new Map();
  for (const a of attempts) {
    const prompt = a.entry.body.messages?.[0]?.content;
    if (!byPrompt.has(prompt)) byPrompt.set(prompt, []);
    byPrompt.get(prompt).push(a);
  }
  let retried = 0;
  for (const [prompt, list] of byPrompt) {
    for (let k = 1; k < list.length; k++) {
      retried++;
      const gapAtMost = list[k].before - list[k - 1].after;
      assert.ok(gapAtMost >= RETRY_AFTER_S * 1000 - 50,
        `${prompt}: retry ${k} came at most ${gapAtMost} ms after the previous attempt (Retry-After ${RETRY_AFTER_S} s)`);
    }
  }

  // The credential cooled; the breaker did not open.
  assert.ok(breaker, 'GET /admin/breakers lists (primary, pf01-storm, 0)');
  assert.equal(breaker.state, 'closed', `a 429 is not a health failure: ${JSON.stringify(breaker)}`);
  assert.ok(breaker.cooling_until_ms > 0, `cooling after a 429: ${JSON.stringify(breaker)}`);
  assert.ok(breaker.cooling_until_ms <= RETRY_AFTER_S * 1000 + 1_000, `cooling for Retry-After, not longer: ${JSON.stringify(breaker)}`);
  assert.equal(await metric(gw, 'gateway_breaker_transitions_total', { provider: 'primary', to: 'open' }), openBefore);
  assert.ok(await metric(gw, 'gateway_credential_cooling_total', { provider: 'primary', reason: 'rate_limited' }) >= 1);

  printFigures('PF-01', { requests: N, retry_after_s: RETRY_AFTER_S, upstream_attempts: attempts.length,
    attempts_per_request: +(attempts.length / N).toFixed(3), retried_requests: retried, skipped_while_cooling: skipped, elapsed_ms: elapsed });
});

test(`PF-01 429 storm with a fallback: all ${N} requests served by the fallback`, T, async () => {
  const { gw, primary, backup, keys } = stack;
  const model = 'pf01-fallback';
  await primary.setFaults([{ times: 0, status: 429, retry_after: RETRY_AFTER_S, match: { model } }]);
  const responses = await Promise.all(Array.from({ length: N }, (_, i) =>
    gw.chat({ model, messages: [{ role: 'user', content: `fb ${i}` }] }, { key: keys.stormfb, timeoutMs: 30_000 })));
  for (const [i, r] of responses.entries()) {
    assert.equal(r.status, 200, `request ${i}: ${r.text}`);
    assert.equal(r.json.choices[0].message.content, h.mockReply(`fb ${i}`));
    assert.equal(r.headers.get('x-gateway-provider'), 'backup', `request ${i}`);
    assert.match(r.headers.get('x-gateway-fallbacks') ?? '', /=(provider_rate_limited|cooling)\b/, `request ${i}`);
  }
  const primaryAttempts = (await attemptsFor(primary, model)).length;
  assert.ok(primaryAttempts <= 1.2 * N, `${primaryAttempts} primary attempts for ${N} requests`);
  assert.equal((await attemptsFor(backup, model)).length, N, 'each request served once by the fallback');
  await primary.clearFaults();
  printFigures('PF-01-fallback', { requests: N, primary_attempts: primaryAttempts, served_by_fallback: N });
});

test('PF-01 one 429 with Retry-After: 1 and no fallback: the retry waits at least Retry-After, then succeeds', T, async () => {
  const { gw, primary, keys } = stack;
  const model = 'pf01-single';
  await primary.setFaults([{ times: 1, status: 429, retry_after: 1, match: { model } }]);
  const recorder = logRecorder(primary, 50);
  const r = await gw.chat({ model, messages: [{ role: 'user', content: 'once more' }] }, { key: keys.single });
  await h.sleep(100);
  await recorder.stop();
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.choices[0].message.content, h.mockReply('once more'));
  assert.equal(r.headers.get('x-gateway-attempts'), '2');
  const seen = recorder.seen.filter((x) => x.entry.body?.model === model);
  assert.equal(seen.length, 2, 'one retry');
  const gapAtLeast = seen[1].after - seen[0].before;
  const gapAtMost = seen[1].before - seen[0].after;
  assert.ok(gapAtMost >= 1_000 - 50, `the retry came at most ${gapAtMost} ms after the 429 (Retry-After 1 s)`);
  assert.ok(r.elapsedMs >= 1_000, `answered after ${r.elapsedMs} ms`);
  printFigures('PF-01-single-retry', { retry_after_ms: 1_000, retry_gap_ms_between: [Math.max(0, gapAtLeast), gapAtMost] });
});

test('PF-01 credential rotation: credential 0 gets 429 → credential 1 serves at once, and serves alone while 0 cools', T, async () => {
  const { gw, primary, keys, adminKey, canaries } = stack;
  const model = 'pf01-rotate';
  await primary.setFaults([{ times: 1, status: 429, retry_after: RETRY_AFTER_S, match: { model } }]);

  const first = await gw.chat({ model, messages: [{ role: 'user', content: 'rotate one' }] }, { key: keys.rotate });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.headers.get('x-gateway-attempts'), '2');
  assert.match(first.headers.get('x-gateway-fallbacks') ?? '', /=provider_rate_limited\b/);
  let log = await attemptsFor(primary, model);
  assert.deepEqual(log.map((r) => r.headers.authorization), [`Bearer ${canaries[0]}`, `Bearer ${K2}`],
    'first attempt with credential 0, the rotation with credential 1');

  const second = await gw.chat({ model, messages: [{ role: 'user', content: 'rotate two' }] }, { key: keys.rotate });
  assert.equal(second.status, 200, second.text);
  assert.equal(second.headers.get('x-gateway-attempts'), '1', 'the cooling credential is skipped without an attempt');
  log = await attemptsFor(primary, model);
  assert.equal(log.length, 3);
  assert.equal(log[2].headers.authorization, `Bearer ${K2}`);

  const cred0 = await breakerOf(gw, adminKey, { provider: 'rotating', model, credential: '0' });
  const cred1 = await breakerOf(gw, adminKey, { provider: 'rotating', model, credential: '1' });
  assert.ok(cred0 && cred0.cooling_until_ms > 0, `credential 0 cools: ${JSON.stringify(cred0)}`);
  assert.ok(cred1 && cred1.cooling_until_ms === 0 && cred1.state === 'closed', `credential 1 serves: ${JSON.stringify(cred1)}`);
  const admin = await gw.request('/admin/breakers', { key: adminKey });
  for (const secret of [canaries[0], K2]) assert.ok(!admin.text.includes(secret), 'admin output names credentials by index only');
});

test('PF-01 secret sweep: neither credential nor any gateway key appears in responses, logs or /metrics', { timeout: 15_000 }, async () => {
  const secrets = [...stack.canaries, K2, ...Object.values(stack.keys), stack.adminKey];
  assert.deepEqual(await h.sweepSecrets(stack.gw, secrets), []);
});
