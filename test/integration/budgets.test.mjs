// Budgets that never overspend (RELIABILITY BR-01 … BR-04): reservations before every upstream
// attempt, all or nothing across persona/team/key windows, a clamp for requests without
// max_tokens, fail-closed unknown prices, and a mid-stream cut at the reservation. Each case runs
// against SQLite and against the real PostgreSQL that scripts/test.sh starts, and ends with the
// ledger's invariant checker.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, chatBody, sleep, PERSONA } from './harness.mjs';
import { withBudget, ledgerCheck, pgSchemaUrl, NANOS_PER_TOKEN, USD, usd } from './ledger_helpers.mjs';

const BACKENDS = ['sqlite', ...(process.env.GW_TEST_PG_URL ? ['postgres'] : [])];

async function stackFor(backend, budget) {
  const ledgerUrl = backend === 'postgres' ? await pgSchemaUrl() : undefined;
  const stack = await startStack({ tweak: (c) => withBudget(c, { ...budget, ledgerUrl }) });
  stack.check = () => ledgerCheck({ config: stack.gw.configPath });
  return stack;
}

async function assertInvariants(stack, what) {
  const report = await stack.check();
  assert.deepEqual(report.violations, [], `${what}: ledger invariants`);
  assert.equal(report.ok, true);
  return report;
}

for (const backend of BACKENDS) {
  describe(`budgets on ${backend}`, () => {
    test('BR-01: 200 concurrent requests against a nearly spent budget admit only what fits', { timeout: 120_000 }, async () => {
      const stack = await stackFor(backend, { persona: { daily_usd: 1.0 } });
      try {
        const { gw, mock } = stack;
        // Spend most of the dollar with ordinary requests (each reserves $0.02, costs less).
        let spentSoFar = 0;
        for (let round = 0; round < 80 && spentSoFar < 0.9 * USD; round++) {
          // Never more in flight than the budget can hold: this phase must not be refused.
          const room = Math.floor((USD - spentSoFar) / (20 * NANOS_PER_TOKEN)) - 1;
          const size = Math.max(1, Math.min(10, room));
          const batch = await Promise.all(
            Array.from({ length: size }, () => gw.chat(chatBody('spend', { max_tokens: 20 }))),
          );
          for (const r of batch) assert.equal(r.status, 200, r.text);
          spentSoFar = (await stack.check()).total_cost_nanos;
        }
        const before = await assertInvariants(stack, 'after spending');
        const spent = before.total_cost_nanos;
        assert.ok(spent >= 0.9 * USD && spent < USD, `spent ${usd(spent)}`);
        const reserve = 20 * NANOS_PER_TOKEN;  // max_tokens 20 × $0.001
        const fits = Math.floor((USD - spent) / reserve);
        // Every upstream call waits 1.5 s, so all 200 reserve before any settles.
        await mock.setFaults([{ times: 0, delay_ms: 1500 }]);
        let sampling = true;
        const samples = [];
        const sampler = (async () => {
          while (sampling) {
            samples.push(await stack.check());
            await sleep(100);
          }
        })();
        const results = await Promise.all(
          Array.from({ length: 200 }, () => gw.chat(chatBody('burst', { max_tokens: 20 }), { timeoutMs: 60_000 })),
        );
        sampling = false;
        await sampler;
        const admitted = results.filter((r) => r.status === 200).length;
        const refused = results.filter((r) => r.status === 429);
        assert.equal(admitted, fits, `$${usd(USD - spent)} left fits ${fits} reservations of $0.02`);
        assert.equal(refused.length, 200 - fits);
        for (const r of refused) {
          assert.equal(r.json.error.code, 'budget_exceeded');
          assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After at the window reset');
        }
        for (const s of samples) assert.deepEqual(s.violations, [], 'I1 at every sampled instant');
        assert.ok(samples.length >= 1, 'sampled during the burst');
        await mock.clearFaults();
        const after = await assertInvariants(stack, 'after the burst');
        assert.ok(after.total_cost_nanos <= USD, `spent ${usd(after.total_cost_nanos)} ≤ $1.00`);
        assert.equal(after.open_reservations, 0);
      } finally {
        await stack.stop();
      }
    });

    test('BR-02: no max_tokens → clamped to what the budget affords; an unpriced model fails closed', { timeout: 60_000 }, async () => {
      const stack = await stackFor(backend, { persona: { daily_usd: 0.05 } });
      try {
        const { gw, mock } = stack;
        const r = await gw.chat(chatBody('no cap'));
        assert.equal(r.status, 200, r.text);
        const sent = (await mock.chatRequests()).at(-1).body;
        const cap = sent.max_tokens ?? sent.max_completion_tokens;
        assert.ok(Number.isInteger(cap) && cap > 0 && cap <= 50, `clamped max_tokens ${cap} ≤ $0.05 of output`);
        // A model without a price: refused before any upstream call, unless the config caps it.
        const cfg = structuredClone(stack.gw.config);
        cfg.cost.pricing = [{ provider: 'mock', model: 'mock-gpt', input: '0', output: '1000' }];
        await gw.reload(cfg);
        await sleep(500);
        await mock.clearRequests();
        const unpriced = await gw.chat(chatBody('unpriced', { model: 'fast', max_tokens: 5 }));
        assert.equal(unpriced.status, 429, unpriced.text);
        assert.equal(unpriced.json.error.code, 'unpriced_model');
        assert.equal((await mock.chatRequests()).length, 0, 'no upstream call for an unpriced model');
        cfg.cost.unpriced_cap_usd = 0.001;
        await gw.reload(cfg);
        await sleep(500);
        const capped = await gw.chat(chatBody('capped', { model: 'fast', max_tokens: 5 }));
        assert.equal(capped.status, 200, capped.text);
        const report = await assertInvariants(stack, 'BR-02');
        assert.ok(report.total_cost_nanos <= 0.05 * USD);
      } finally {
        await stack.stop();
      }
    });

    test('BR-03: a stream that ignores max_tokens is cut at the reservation with a well-formed end', { timeout: 60_000 }, async () => {
      const stack = await stackFor(backend, { persona: { daily_usd: 0.01 } });
      try {
        const { gw, mock } = stack;
        await mock.setFaults([{ times: 1, match: { stream: true }, endless: true, chunk_delay_ms: 5 }]);
        const s = await gw.chatStream(chatBody('run away', { max_tokens: 10 }), { timeoutMs: 20_000 });
        assert.equal(s.status, 200);
        assert.equal(s.finishReason, 'length', 'finish reason length');
        assert.ok(s.done, 'the stream ends with [DONE]');
        assert.match(s.raw, /: x-gateway-stop budget_exhausted/);
        const report = await assertInvariants(stack, 'BR-03');
        assert.ok(report.total_cost_nanos <= 0.01 * USD, `spent ${usd(report.total_cost_nanos)} ≤ $0.01`);
        assert.ok(report.total_cost_nanos > 0, 'the cut stream is charged what it metered, never $0');
      } finally {
        await stack.stop();
      }
    });

    // A client that sends one X-Request-ID on several requests gets several requests: each is
    // reserved, settled and counted once (the ledger keys them by an id of the gateway's own).
    test('one X-Request-ID on 5 concurrent requests: 5 reservations, 5 events, 5 requests counted', { timeout: 60_000 }, async () => {
      const stack = await stackFor(backend, { persona: { daily_usd: 1.0 } });
      try {
        const { gw, mock } = stack;
        const rid = `dup-${Date.now()}`;
        await mock.setFaults([{ times: 0, delay_ms: 500 }]);  // all five hold a reservation at once
        const results = await Promise.all(
          Array.from({ length: 5 }, (_, i) => gw.chat(chatBody(`dup ${i}`, { max_tokens: 20 }), { headers: { 'x-request-id': rid } })),
        );
        await mock.clearFaults();
        for (const r of results) {
          assert.equal(r.status, 200, r.text);
          assert.equal(r.headers.get('x-request-id'), rid, 'the client keeps its id');
        }
        const cost = results.reduce((sum, r) => sum + r.json.usage.completion_tokens * NANOS_PER_TOKEN, 0);
        const report = await assertInvariants(stack, 'one request id, five requests');
        assert.equal(report.events, 5, 'one event per request');
        assert.equal(report.total_cost_nanos, cost, 'each request charged what it used');
        assert.equal(report.open_reservations, 0);
        const summary = await gw.request('/v1/cost/summary?period=day');
        assert.equal(summary.status, 200, summary.text);
        assert.equal(summary.json.requests, 5, summary.text);
      } finally {
        await stack.stop();
      }
    });

    test('BR-04: key, persona and team near their limits, 500 concurrent requests, a budget edit mid-burst', { timeout: 120_000 }, async () => {
      const keys = Array.from({ length: 6 }, (_, i) => ({ name: `k${i}`, env: `GW_BR04_KEY_${i}`, value: `br04-key-${i}-${Date.now()}` }));
      const env = Object.fromEntries(keys.map((k) => [k.env, k.value]));
      const ledgerUrl = backend === 'postgres' ? await pgSchemaUrl() : undefined;
      const stack = await startStack({
        env,
        tweak: (c) => {
          withBudget(c, { persona: { daily_usd: 0.5 }, teams: { core: { budget: { daily_usd: 0.4 } } }, ledgerUrl });
          for (const k of keys) c.keys.push({ key: `env:${k.env}`, persona: PERSONA, name: k.name, team: 'core', budget: { daily_usd: 0.1 } });
        },
      });
      stack.check = () => ledgerCheck({ config: stack.gw.configPath });
      try {
        const { gw, mock } = stack;
        await mock.setFaults([{ times: 0, delay_ms: 300 }]);
        const burst = Promise.all(
          Array.from({ length: 500 }, (_, i) => gw.chat(chatBody(`b${i}`, { max_tokens: 20 }), { key: keys[i % keys.length].value, timeoutMs: 60_000 })),
        );
        await sleep(150);
        const cfg = structuredClone(gw.config);
        cfg.teams.core.budget.daily_usd = 0.3;  // the admin edit, atomic with the snapshot
        await gw.reload(cfg);
        const results = await burst;
        for (const r of results) {
          assert.ok(r.status === 200 || (r.status === 429 && r.json.error.code === 'budget_exceeded'), `${r.status} ${r.text}`);
        }
        await mock.clearFaults();
        const report = await assertInvariants(stack, 'BR-04');
        assert.ok(report.total_cost_nanos <= 0.4 * USD);
        assert.equal(report.open_reservations, 0);
        assert.ok(results.some((r) => r.status === 200) && results.some((r) => r.status === 429));
      } finally {
        await stack.stop();
      }
    });
  });
}

test('alerts: a budget crossing its alert threshold posts exactly one webhook alert', { timeout: 60_000 }, async () => {
  const http = await import('node:http');
  const received = [];
  const hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  const stack = await startStack({
    tweak: (c) =>
      withBudget(c, {
        persona: { daily_usd: 0.03, alert_threshold: 0.5 },
        cost: { alert_webhook: `http://127.0.0.1:${hook.address().port}/alerts` },
      }),
  });
  try {
    const { gw } = stack;
    // Each request reserves $0.005 (max_tokens 5) and costs ~$0.004: ~4 cross 50 %, ~7 the limit.
    for (let i = 0; i < 12; i++) await gw.chat(chatBody('alert me', { max_tokens: 5 }));
    const ofKind = (k) => received.filter((a) => a.kind === k);
    for (let i = 0; i < 50 && ofKind('budget_threshold').length === 0; i++) await sleep(100);
    assert.equal(ofKind('budget_threshold').length, 1, JSON.stringify(received));
    assert.equal(ofKind('budget_threshold')[0].scope, `persona:${PERSONA}`);
    assert.match(ofKind('budget_threshold')[0].window, /^day:\d{4}-\d{2}-\d{2}$/);
    const report = await ledgerCheck({ config: gw.configPath });
    assert.equal(report.ok, true);
  } finally {
    await stack.stop();
    hook.close();
  }
});
