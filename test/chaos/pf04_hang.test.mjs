// PF-04 (RELIABILITY "Hang before headers"): an upstream that accepts and never answers trips the
// first-byte timeout; the fallback serves within the request deadline; after many hangs the
// gateway's descriptors are back at baseline and the mock holds no request (nothing leaked).
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';

import { h, pick, SOAK, startChaosStack, attemptsFor, drained, fdCount, metric, oneShot, pool, printFigures } from './chaos.mjs';

const FIRST_BYTE_MS = 300;
const DEADLINE_MS = 4_000;
const M = pick(200, 10_000);
const CONCURRENCY = pick(20, 50);
const FD_SLACK = 10;

let stack;

before(async () => {
  stack = await startChaosStack({
    personas: {
      hang: { model: 'pf04-hang', fallback: ['backup/pf04-hang'], timeouts: { total_ms: DEADLINE_MS } },
      // Every request a real hang: one attempt, and a breaker that never opens.
      leak: { provider: 'hanger', model: 'pf04-leak', allow: ['hanger/*'], max_attempts: 1 },
    },
    providers: {
      primary: { timeouts: { connect_ms: 1_000, first_byte_ms: FIRST_BYTE_MS, idle_ms: 1_000, total_ms: 10_000 } },
      hanger: {
        timeouts: { connect_ms: 1_000, first_byte_ms: 200, idle_ms: 1_000, total_ms: 10_000 },
        breaker: { consecutive_failures: 1_000_000_000, min_calls: 1_000_000_000 },
      },
    },
  });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await Promise.all([stack.primary.reset(), stack.backup.reset(), stack.primary.control('DELETE', '/_mock/stats')]);
});

test('PF-04 hang before headers: first-byte timeout fires, the fallback serves within the deadline', { timeout: 30_000 }, async () => {
  const { gw, primary, backup, keys } = stack;
  const model = 'pf04-hang';
  await primary.setFaults([{ times: 1, hang: true, match: { model } }]);
  const started = Date.now();
  const r = await gw.chat({ model, messages: [{ role: 'user', content: 'hang then fall back' }] }, { key: keys.hang, timeoutMs: 20_000 });
  const elapsed = Date.now() - started;
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.choices[0].message.content, h.mockReply('hang then fall back'));
  assert.equal(r.headers.get('x-gateway-provider'), 'backup');
  assert.match(r.headers.get('x-gateway-fallbacks') ?? '', /=provider_timeout\b/);
  assert.ok(elapsed >= FIRST_BYTE_MS - 20, `served after ${elapsed} ms, before the first-byte timeout could fire`);
  assert.ok(elapsed < DEADLINE_MS, `served after ${elapsed} ms, past the ${DEADLINE_MS} ms deadline`);
  assert.equal((await attemptsFor(primary, model)).length, 1);
  assert.equal((await attemptsFor(backup, model)).length, 1);
  await drained(primary);
  assert.equal((await primary.stats()).by_status.aborted, 1, 'the gateway closed the hanging upstream request');
  printFigures('PF-04', { first_byte_ms: FIRST_BYTE_MS, served_via_fallback_after_ms: elapsed });
});

test(`PF-04 ${M} hangs (concurrency ${CONCURRENCY}): fd count back at baseline, mock in_flight 0, no request left in flight`, { timeout: SOAK ? 900_000 : 90_000 }, async () => {
  const { gw, primary, keys } = stack;
  const model = 'pf04-leak';
  const pid = gw.proc.pid;
  // Warm up (pools, lazily opened files) with one good request, then measure.
  const warm = await oneShot(gw, { key: keys.leak, body: { model, messages: [{ role: 'user', content: 'warm' }] } });
  assert.equal(warm.status, 200, warm.text);
  await h.sleep(200);
  const baselineFds = fdCount(pid);
  const inFlightBaseline = await metric(gw, 'gateway_http_requests_in_flight');

  await primary.setFaults([{ times: 0, hang: true, match: { model } }]);
  const started = Date.now();
  let peakFds = baselineFds;
  const statuses = await pool(Array.from({ length: M }, (_, i) => i), CONCURRENCY, async (i) => {
    const r = await oneShot(gw, { key: keys.leak, body: { model, messages: [{ role: 'user', content: `hang ${i}` }] } });
    if (i % 20 === 0) peakFds = Math.max(peakFds, fdCount(pid));
    return r.status;
  });
  const elapsed = Date.now() - started;
  await primary.clearFaults();
  const counts = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  assert.deepEqual(counts, { 504: M }, 'every hang ends in 504 (first-byte timeout, no retry)');

  await drained(primary, 10_000);
  let afterFds = fdCount(pid);
  const deadline = Date.now() + 5_000;
  while (afterFds > baselineFds + FD_SLACK && Date.now() < deadline) {
    await h.sleep(200);
    afterFds = fdCount(pid);
  }
  assert.ok(afterFds <= baselineFds + FD_SLACK, `gateway fds: ${baselineFds} before, ${afterFds} after ${M} hangs (peak ${peakFds})`);
  assert.equal(await metric(gw, 'gateway_http_requests_in_flight'), inFlightBaseline);
  const stats = await primary.stats();
  assert.equal(stats.by_status.aborted, M, 'every hanging upstream request was closed by the gateway');
  printFigures('PF-04-leak', { hangs: M, concurrency: CONCURRENCY, elapsed_ms: elapsed, fds_before: baselineFds, fds_peak: peakFds, fds_after: afterFds });
});
