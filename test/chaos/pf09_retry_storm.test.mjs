// PF-09 (RELIABILITY "Retry-storm soak"): the primary is fully down (503 to everything) under a
// steady load. Upstream attempts stay ≤ 1.2 × requests plus probes (breaker + retry budget),
// the fallback serves, p99 stays under the deadline, RSS stays flat, and after recovery the
// breaker closes within open_ms + probes with no backlog. Without a fallback the open breaker
// sheds locally: 503 + Retry-After, gateway_shed_total{scope="circuit_open"}.
// CI: 200 rps for 10 s; CHAOS_SOAK=1: 1000 rps for 120 s. Prints CHAOS-FIGURES lines.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { h, pick, SOAK, startChaosStack, FAST_RETRY, adminBreakers, metric, percentile, printFigures, rssMb, runLoad } from './chaos.mjs';

const RPS = pick(200, 1_000);
const DURATION_MS = pick(10_000, 120_000);
const CONCURRENCY = pick(64, 256);
const DEADLINE_MS = 5_000;
const BREAKER = {
  consecutive_failures: 5,
  failure_rate_percent: 50,
  window_ms: 30_000,
  min_calls: 20,
  open_ms: 1_000,
  max_open_ms: 2_000,
  half_open_probes: 1,
};

let stack;

before(async () => {
  stack = await startChaosStack({
    personas: {
      storm: { model: 'pf09', fallback: ['backup/pf09'], timeouts: { total_ms: DEADLINE_MS } },
      nofb: { model: 'pf09-nofb', timeouts: { total_ms: DEADLINE_MS } },
    },
    providers: {
      primary: { breaker: BREAKER, retry: FAST_RETRY, timeouts: { connect_ms: 1_000, first_byte_ms: 2_000, idle_ms: 2_000, total_ms: 10_000 } },
    },
    // A sanitizer build keeps up to 256 MB of freed memory in quarantine, which would read as
    // RSS growth; a small quarantine keeps "RSS flat" meaningful (ignored without ASan).
    env: { ASAN_OPTIONS: [process.env.ASAN_OPTIONS, 'quarantine_size_mb=16'].filter(Boolean).join(':') },
  });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

// A lean request (no capture: the soak sends 120 000 of them).
async function send(key, model, i) {
  const res = await fetch(`${stack.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: `storm ${i}` }] }),
    signal: AbortSignal.timeout(DEADLINE_MS + 10_000),
  });
  await res.arrayBuffer();
  return {
    status: res.status,
    provider: res.headers.get('x-gateway-provider'),
    attempts: Number(res.headers.get('x-gateway-attempts')),
    retryAfter: res.headers.get('retry-after'),
    kind: res.headers.get('x-gateway-error-kind'),
  };
}

function resetMocks() {
  return Promise.all([stack.primary.reset(), stack.backup.reset(),
    stack.primary.control('DELETE', '/_mock/stats'), stack.backup.control('DELETE', '/_mock/stats')]);
}

function halfOpenWindowsWithin(elapsedMs) {
  let k = 0;
  let t = 0;
  for (;;) {
    t += Math.min(BREAKER.open_ms * (k + 1), BREAKER.max_open_ms);
    if (t > elapsedMs) return k;
    k++;
  }
}

test(`PF-09 retry-storm soak: primary down, ${RPS} rps for ${DURATION_MS / 1000} s → attempts ≤ 1.2× + probes, p99 ≤ deadline, RSS flat, closes after recovery, no backlog`, { timeout: SOAK ? 600_000 : 120_000 }, async () => {
  const { gw, primary, backup, keys, adminKey } = stack;
  const pid = gw.proc.pid;
  // Warm up with the same load shape (connections, buffers, metric series), all healthy, so
  // the RSS baseline already holds what steady traffic needs.
  const warm = await runLoad({ rps: RPS, durationMs: pick(2_000, 10_000), concurrency: CONCURRENCY, send: (i) => send(keys.storm, 'pf09', `warm ${i}`) });
  assert.ok(warm.results.every((r) => r.status === 200), 'warm-up served');
  await resetMocks();
  const inFlightBaseline = await metric(gw, 'gateway_http_requests_in_flight');
  const rssBefore = rssMb(pid);

  await primary.setFaults([{ times: 0, status: 503, match: { model: 'pf09' } }]);
  const outageStart = Date.now();
  const load = await runLoad({ rps: RPS, durationMs: DURATION_MS, concurrency: CONCURRENCY, send: (i) => send(keys.storm, 'pf09', i) });
  const rssAfter = rssMb(pid);
  const primaryAttempts = (await primary.stats()).requests;
  const backupAttempts = (await backup.stats()).requests;

  // Recovery: the primary answers again; keep a light load until it serves again.
  await primary.clearFaults();
  const recoveredAt = Date.now();
  let closedAfter = null;
  const closeLimit = BREAKER.max_open_ms * 1.1 + 3_000;
  for (let i = 0; Date.now() - recoveredAt < closeLimit; i++) {
    const r = await send(keys.storm, 'pf09', `recover ${i}`);
    if (r.status === 200 && r.provider === 'primary') {
      closedAfter = Date.now() - recoveredAt;
      break;
    }
    await h.sleep(50);
  }
  // No backlog: nothing left in flight in the gateway or either mock.
  const drainStart = Date.now();
  await h.waitFor(async () => (await metric(gw, 'gateway_http_requests_in_flight')) <= inFlightBaseline
    && (await primary.stats()).in_flight === 0 && (await backup.stats()).in_flight === 0,
  { timeoutMs: 10_000, what: 'in-flight back to baseline' });
  const drainedAfter = Date.now() - drainStart;

  const { results } = load;
  const ok = results.filter((r) => r.status === 200);
  const failed = results.filter((r) => r.status !== 200);
  const latencies = results.map((r) => r.ms);
  const firstViaFallback = ok.filter((r) => r.provider === 'backup').map((r) => r.t0 + r.ms).sort((a, b) => a - b)[0];
  const probes = halfOpenWindowsWithin(load.elapsedMs) * BREAKER.half_open_probes;
  const figures = {
    rps_target: RPS,
    duration_s: DURATION_MS / 1000,
    sent: load.sent,
    skipped_client_side: load.skipped,
    achieved_rps: +(load.sent / (load.elapsedMs / 1000)).toFixed(1),
    ok: ok.length,
    failed: failed.length,
    primary_attempts: primaryAttempts,
    primary_attempts_per_request: +(primaryAttempts / load.sent).toFixed(4),
    upstream_attempts_per_request: +((primaryAttempts + backupAttempts) / load.sent).toFixed(4),
    failover_ms: firstViaFallback ? firstViaFallback - outageStart : null,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    max_ms: Math.max(...latencies),
    rss_before_mb: +rssBefore.toFixed(1),
    rss_after_mb: +rssAfter.toFixed(1),
    close_after_recovery_ms: closedAfter,
    backlog_cleared_ms: drainedAfter,
  };
  printFigures('PF-09', figures);

  assert.ok(load.sent >= 0.25 * RPS * (DURATION_MS / 1000), `the client could only send ${load.sent} requests`);
  assert.equal(failed.length, 0, `with a fallback every request succeeds: ${JSON.stringify(failed.slice(0, 3))}`);
  assert.ok(primaryAttempts + backupAttempts <= 1.2 * load.sent + probes,
    `upstream attempts ${primaryAttempts + backupAttempts} for ${load.sent} requests (+${probes} probes)`);
  assert.ok(primaryAttempts <= BREAKER.consecutive_failures + BREAKER.min_calls + probes,
    `primary attempts ${primaryAttempts}: the breaker should have stopped them (${probes} probes allowed)`);
  assert.ok(figures.p99_ms <= DEADLINE_MS, `p99 ${figures.p99_ms} ms > deadline ${DEADLINE_MS} ms`);
  assert.ok(rssAfter - rssBefore <= 50, `RSS grew ${(rssAfter - rssBefore).toFixed(1)} MB`);
  assert.ok(closedAfter !== null, `the breaker closed within ${closeLimit} ms of recovery`);
  const b = (await adminBreakers(gw, adminKey)).find((x) => x.provider === 'primary' && x.model === 'pf09');
  assert.equal(b?.state, 'closed', JSON.stringify(b));
});

test('PF-09 no fallback: once the breaker is open requests are shed locally with 503 + Retry-After (gateway_shed_total{scope="circuit_open"})', { timeout: 60_000 }, async () => {
  const { gw, primary, keys } = stack;
  await resetMocks();
  const shedBefore = await metric(gw, 'gateway_shed_total', { scope: 'circuit_open' });
  await primary.setFaults([{ times: 0, status: 503, match: { model: 'pf09-nofb' } }]);
  const load = await runLoad({ rps: 50, durationMs: 3_000, concurrency: 32, send: (i) => send(keys.nofb, 'pf09-nofb', i) });
  await primary.clearFaults();
  const primaryAttempts = (await primary.stats()).requests;
  const { results } = load;
  const shed = results.filter((r) => r.attempts === 0);
  for (const r of results) {
    assert.equal(r.status, 503, JSON.stringify(r));
    assert.ok(Number(r.retryAfter) >= 1, `503 carries Retry-After: ${JSON.stringify(r)}`);
  }
  for (const r of shed) assert.equal(r.kind, 'provider_unavailable', JSON.stringify(r));
  assert.ok(shed.length >= results.length / 2, `${shed.length} of ${results.length} shed locally`);
  assert.ok(await metric(gw, 'gateway_shed_total', { scope: 'circuit_open' }) >= shedBefore + shed.length);
  const probes = halfOpenWindowsWithin(load.elapsedMs) * BREAKER.half_open_probes;
  assert.ok(primaryAttempts <= 1.2 * load.sent + probes, `${primaryAttempts} primary attempts for ${load.sent} requests`);
  const shedMs = shed.map((r) => r.ms);
  printFigures('PF-09-no-fallback', { sent: load.sent, shed_locally: shed.length, primary_attempts: primaryAttempts,
    shed_p50_ms: percentile(shedMs, 50), shed_p99_ms: percentile(shedMs, 99) });
});
