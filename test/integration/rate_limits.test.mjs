// Rate limits and shared stores (RELIABILITY BR-06, and BR-01 across instances): the in-process
// limiter's requests/min, concurrency and tokens/min limits; one global limit over three gateway
// instances sharing Redis; a nearly spent budget held exactly by three instances sharing one
// PostgreSQL ledger; and a Redis that is unreachable or goes away, which refuses rate-limited
// traffic with 503 rate_store_unavailable (never a per-instance fallback) while unlimited
// personas keep working. PostgreSQL and Redis come from GW_TEST_PG_URL / GW_TEST_REDIS_URL, or
// are started here with scripts/pg.sh / scripts/redis.sh when those are unset.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  GATEWAY_KEY,
  PERSONA,
  baseConfig,
  canaryKey,
  chatBody,
  freePort,
  makeTempDir,
  randomId,
  sleep,
  startGateway,
  startMock,
  startStack,
  waitFor,
} from './harness.mjs';
import { PRICING, NANOS_PER_TOKEN, USD, ledgerCheck, pgSchemaUrl, usd } from './ledger_helpers.mjs';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REDIS_SH = path.join(ROOT, 'scripts/redis.sh');
const PG_SH = path.join(ROOT, 'scripts/pg.sh');

// ---------------------------------------------------------------------------------------------
// Stores and ports

// A redis-server of our own (scripts/redis.sh): stop() kills only the server in its pidfile.
async function startOwnRedis(port) {
  const dir = makeTempDir('redis');
  const p = port ?? (await freePort());
  const { stdout } = await run(REDIS_SH, ['start', dir, String(p)]);
  return {
    url: stdout.trim(),
    port: p,
    dir,
    async stop() {
      await run(REDIS_SH, ['stop', dir]);
    },
  };
}

// Services this file started because the environment had none; stopped after the file.
const owned = [];
after(async () => {
  for (const s of owned.reverse()) await s.stop().catch(() => {});
});

async function sharedRedisUrl() {
  if (process.env.GW_TEST_REDIS_URL) return process.env.GW_TEST_REDIS_URL;
  const r = await startOwnRedis();
  owned.push(r);
  process.env.GW_TEST_REDIS_URL = r.url;
  return r.url;
}

// Makes pgSchemaUrl() work: GW_TEST_PG_URL, or a throwaway cluster started here.
async function ensurePg() {
  if (process.env.GW_TEST_PG_URL) return;
  const dir = makeTempDir('pg');
  const { stdout } = await run(PG_SH, ['start', dir, String(await freePort())], { timeout: 120_000 });
  owned.push({ stop: () => run(PG_SH, ['stop', dir]) });
  process.env.GW_TEST_PG_URL = stdout.trim();
}

// ---------------------------------------------------------------------------------------------
// Config pieces

// Adds a persona (a copy of the default one, with `budget` if given) and a key bound to it whose
// value is read from env var `keyEnv`.
function addPersona(config, name, budget, keyEnv) {
  const persona = structuredClone(config.personas[PERSONA]);
  if (budget) persona.budget = budget;
  config.personas[name] = persona;
  config.keys.push({ key: `env:${keyEnv}`, persona: name, name: `key-${name}` });
}

// Starts one more gateway in front of `mock`, in its own directory (request log, key store).
async function startInstance(mock, tweak, env) {
  const dir = makeTempDir('rl');
  const canary = canaryKey();
  const config = baseConfig({ mockUrl: mock.url, canary, dir });
  config.cost = { pricing: PRICING };
  tweak(config);
  try {
    return await startGateway({ config, dir, canary, env });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function stopInstances(gws) {
  await Promise.all(gws.map((g) => g.stop()));
  for (const g of gws) fs.rmSync(g.dir, { recursive: true, force: true });
}

// Starts n instances at once; if any fails, stops the others and rethrows.
async function startInstances(n, mock, tweak, env) {
  const settled = await Promise.allSettled(Array.from({ length: n }, () => startInstance(mock, tweak, env)));
  const started = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await stopInstances(started);
    throw failed.reason;
  }
  return started;
}

function requestId(r) {
  return r.headers.get('x-request-id');
}

// Waits until the gateway has logged the request: the access log line is written after the
// request's rate-limit release, so its window holds the real usage from then on.
async function waitEnded(gw, r) {
  const id = requestId(r);
  const line = await gw.waitForAccessLog((l) => l.request_id === id, 5_000);
  assert.ok(line, `access log line for ${id}`);
  return line;
}

function assertRefused(r, { status, code }) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  const ra = Number(r.headers.get('retry-after'));
  assert.ok(Number.isFinite(ra) && ra >= 1, `Retry-After ≥ 1, got ${r.headers.get('retry-after')}`);
  return ra;
}

// The gateway's input-token estimate for a single user message of ASCII `text`
// (src/api/request_cost.cc estimate_input_tokens: bytes / 3 + 4 per message + 16).
function inputEstimate(text) {
  return Math.floor(Buffer.byteLength(text) / 3) + 4 + 16;
}

// A prompt the mock answers with exactly `tokens` completion tokens: it echoes up to 200 characters
// after "Mock reply to: " (three words) and counts one token per word, so one-letter words.
function promptForOutput(tokens) {
  const text = Array.from({ length: tokens - 3 }, () => 'x').join(' ');
  assert.ok(text.length <= 200, `the mock echoes at most 200 characters (${tokens} tokens asked)`);
  return text;
}

// ---------------------------------------------------------------------------------------------
// In-process limits (no redis.url)

describe('in-process rate limits (one instance, no redis.url)', () => {
  const KEYS = {
    rl_req: { env: 'GW_RL_KEY_REQ', value: `rl-req-${randomId()}` },
    rl_conc: { env: 'GW_RL_KEY_CONC', value: `rl-conc-${randomId()}` },
    rl_tok: { env: 'GW_RL_KEY_TOK', value: `rl-tok-${randomId()}` },
    rl_cost: { env: 'GW_RL_KEY_COST', value: `rl-cost-${randomId()}` },
    rl_cut_cost: { env: 'GW_RL_KEY_CUT_COST', value: `rl-cut-cost-${randomId()}` },
    rl_cut_tok: { env: 'GW_RL_KEY_CUT_TOK', value: `rl-cut-tok-${randomId()}` },
  };
  const TOKENS_PER_MIN = 100;
  let stack;
  before(async () => {
    stack = await startStack({
      env: Object.fromEntries(Object.values(KEYS).map((k) => [k.env, k.value])),
      tweak: (c) => {
        c.cost = { pricing: PRICING };
        addPersona(c, 'rl_req', { requests_per_min: 5 }, KEYS.rl_req.env);
        addPersona(c, 'rl_conc', { max_concurrent: 2 }, KEYS.rl_conc.env);
        addPersona(c, 'rl_tok', { tokens_per_min: TOKENS_PER_MIN }, KEYS.rl_tok.env);
        addPersona(c, 'rl_cost', { cost_per_min: 0.05 }, KEYS.rl_cost.env);
        addPersona(c, 'rl_cut_cost', { cost_per_min: 0.05 }, KEYS.rl_cut_cost.env);
        addPersona(c, 'rl_cut_tok', { tokens_per_min: 5000 }, KEYS.rl_cut_tok.env);
      },
    });
  }, { timeout: 30_000 });
  after(async () => {
    await stack?.stop();
  });

  test('requests_per_min 5: five admitted, the sixth is 429 rate_limited with Retry-After', { timeout: 30_000 }, async () => {
    const { gw, mock } = stack;
    await mock.reset();
    const key = KEYS.rl_req.value;
    for (let i = 0; i < 5; i++) {
      const r = await gw.chat(chatBody(`req ${i}`), { key });
      assert.equal(r.status, 200, `request ${i + 1}: ${r.text}`);
    }
    const sixth = await gw.chat(chatBody('req 6'), { key });
    const ra = assertRefused(sixth, { status: 429, code: 'rate_limited' });
    assert.match(sixth.json.error.message, /requests_per_min/);
    assert.ok(ra <= 61, `Retry-After ${ra} s is within the sliding minute`);
    console.log(`requests_per_min: 5 admitted, 6th refused with Retry-After ${ra} s`);
    assert.equal((await mock.chatRequests()).length, 5, 'the refused request never went upstream');
    // Another persona is not charged for rl_req's minute.
    const other = await gw.chat(chatBody('other persona'));
    assert.equal(other.status, 200, other.text);
  });

  test('max_concurrent 2: of 5 slow concurrent requests exactly 2 are admitted; slots are freed', { timeout: 30_000 }, async () => {
    const { gw, mock } = stack;
    await mock.reset();
    const key = KEYS.rl_conc.value;
    await mock.setFaults([{ times: 0, delay_ms: 800 }]);
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => gw.chat(chatBody(`conc ${i}`), { key, timeoutMs: 20_000 })),
    );
    await mock.clearFaults();
    const admitted = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    assert.equal(admitted.length, 2, results.map((r) => r.status).join(','));
    for (const r of refused) {
      assertRefused(r, { status: 429, code: 'rate_limited' });
      assert.match(r.json.error.message, /max_concurrent/);
    }
    // Once both have ended their slots are free again.
    for (const r of admitted) await waitEnded(gw, r);
    const later = await gw.chat(chatBody('conc after'), { key });
    assert.equal(later.status, 200, later.text);
  });

  test('max_concurrent 2 holds for requests that share one X-Request-ID', { timeout: 30_000 }, async () => {
    const { gw, mock } = stack;
    await mock.reset();
    const key = KEYS.rl_conc.value;
    await mock.setFaults([{ times: 0, delay_ms: 800 }]);
    const headers = { 'x-request-id': `conc-dup-${randomId()}` };
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => gw.chat(chatBody(`conc dup ${i}`), { key, headers, timeoutMs: 20_000 })),
    );
    await mock.clearFaults();
    assert.equal(results.filter((r) => r.status === 200).length, 2, results.map((r) => r.status).join(','));
    for (const r of results.filter((x) => x.status !== 200)) assertRefused(r, { status: 429, code: 'rate_limited' });
    // Each admitted request frees its own slot (5 access-log lines: 3 refused, 2 ended).
    await waitFor(() => gw.accessLog().filter((l) => l.request_id === headers['x-request-id']).length === 5, { what: 'all five logged' });
    const later = await Promise.all([0, 1].map((i) => gw.chat(chatBody(`conc dup after ${i}`), { key, headers })));
    for (const r of later) assert.equal(r.status, 200, r.text);
  });

  test('cost_per_min $0.05: requests in flight count at their maximum cost, so the third $0.02 request is refused', { timeout: 30_000 }, async () => {
    const { gw, mock } = stack;
    await mock.reset();
    const key = KEYS.rl_cost.value;
    // max_tokens 20 at $0.001 per output token (input free): each may cost $0.02. Nothing has
    // settled while they wait upstream, so only the admission estimate can hold the limit.
    await mock.setFaults([{ times: 0, delay_ms: 1000 }]);
    const first = [0, 1].map((i) => gw.chat(chatBody(`cost ${i}`, { max_tokens: 20 }), { key, timeoutMs: 20_000 }));
    await waitFor(async () => (await mock.chatRequests()).length === 2, { what: 'both upstream' });
    const third = await gw.chat(chatBody('cost 2', { max_tokens: 20 }), { key });
    assertRefused(third, { status: 429, code: 'rate_limited' });
    assert.match(third.json.error.message, /cost/);
    // Without max_tokens the ask is 4,096 output tokens ($4.10): more than the minute allows.
    const open = await gw.chat(chatBody('cost open'), { key });
    assertRefused(open, { status: 429, code: 'rate_limited' });
    const done = await Promise.all(first);
    for (const r of done) assert.equal(r.status, 200, r.text);
    await mock.clearFaults();
    for (const r of done) await waitEnded(gw, r);
    // Their estimates are replaced by what they cost (a few output tokens): a third one fits now.
    const spent = done.reduce((sum, r) => sum + r.json.usage.completion_tokens * NANOS_PER_TOKEN, 0);
    assert.ok(spent + 20 * NANOS_PER_TOKEN <= 0.05 * USD, `spent ${usd(spent)}`);
    const later = await gw.chat(chatBody('cost 3', { max_tokens: 20 }), { key });
    assert.equal(later.status, 200, later.text);
    // A candidate without a price cannot be held to cost_per_min: refused before any upstream
    // call (fail closed), as a budget would.
    const cfg = structuredClone(gw.config);
    cfg.cost.pricing = [{ provider: 'mock', model: 'mock-gpt', input: '0', output: '1000' }];
    await gw.reload(cfg);
    await sleep(500);
    const upstreamBefore = (await mock.chatRequests()).length;
    const unpriced = await gw.chat(chatBody('cost unpriced', { model: 'fast', max_tokens: 5 }), { key });
    assert.equal(unpriced.status, 429, unpriced.text);
    assert.equal(unpriced.json.error.code, 'unpriced_model');
    assert.equal((await mock.chatRequests()).length, upstreamBefore, 'no upstream call');
    await gw.reload(gw.config);
    await sleep(500);
    console.log(`cost_per_min $0.05: 2 in flight at $0.02 each, the 3rd refused; after they cost $${usd(spent)}, admitted; an unpriced target refused`);
  });

  // A limit is held, not only counted: the provider is asked for no more than admission charged,
  // and a stream that ignores max_tokens is cut where the request reaches that charge (as a
  // budget's is at its reservation), so the minute never takes more than it admitted.
  test('tokens_per_min and cost_per_min: max_tokens sent when absent; a stream ignoring it is cut at the admitted charge', { timeout: 60_000 }, async () => {
    const { gw, mock } = stack;
    await mock.reset();
    const cutsBefore = (await gw.metrics()).sum('gateway_rate_limit_stream_cuts_total');
    // No max_tokens under tokens_per_min 5,000: admitted at estimate + 4,096, and 4,096 is what
    // the provider is asked for.
    const open = await gw.chat(chatBody('hello'), { key: KEYS.rl_cut_tok.value });
    assert.equal(open.status, 200, open.text);
    const sent = (await mock.chatRequests()).at(-1).body;
    assert.equal(sent.max_tokens ?? sent.max_completion_tokens, 4096, JSON.stringify(sent));
    await waitEnded(gw, open);
    const cases = [
      // $0.05 a minute, max_tokens 20 at $0.001 per output token: admitted at $0.02.
      { key: KEYS.rl_cut_cost.value, maxTokens: 20, most: (u) => u.completion_tokens * NANOS_PER_TOKEN <= 20 * NANOS_PER_TOKEN },
      // 5,000 tokens a minute, max_tokens 10: admitted at the input estimate + 10.
      { key: KEYS.rl_cut_tok.value, maxTokens: 10, most: (u) => u.completion_tokens <= 10 && u.prompt_tokens <= inputEstimate('run away') },
    ];
    for (const c of cases) {
      await mock.setFaults([{ times: 1, match: { stream: true }, endless: true, chunk_delay_ms: 5 }]);
      const body = chatBody('run away', { max_tokens: c.maxTokens, stream_options: { include_usage: true } });
      const s = await gw.chatStream(body, { key: c.key, timeoutMs: 20_000 });
      assert.equal(s.status, 200, s.text);
      assert.equal(s.finishReason, 'length', 'finish reason length');
      assert.ok(s.done, 'the stream ends with [DONE]');
      assert.match(s.raw, /: x-gateway-stop rate_limit_exhausted/);
      assert.ok(s.usage && c.most(s.usage), `used no more than admitted: ${JSON.stringify(s.usage)}`);
      assert.ok(s.usage.completion_tokens > 0, 'charged what it metered, never 0');
      const line = await gw.waitForAccessLog((l) => l.error_kind === 'rate_limit_stream_cut' && l.request_id === s.headers.get('x-request-id'), 5_000);
      assert.ok(line, 'the access log names the cut');
      assert.equal(line.output_tokens, s.usage.completion_tokens, 'charged what the client was told');
    }
    const cuts = (await gw.metrics()).sum('gateway_rate_limit_stream_cuts_total') - cutsBefore;
    assert.equal(cuts, 2, 'both cuts counted');
    console.log(`rate-limit stream cuts: max_tokens 4096 sent when absent; two endless streams cut at their admitted charge`);
  });

  test(`tokens_per_min ${TOKENS_PER_MIN}: refused exactly when used + estimate exceeds the limit`, { timeout: 30_000 }, async () => {
    const { gw, mock } = stack;
    await mock.reset();
    const key = KEYS.rl_tok.value;
    const est = inputEstimate('hello');  // 21: what every 'hello' request is charged for input
    // A: admitted on its estimate (21 + 20); at its end the window is corrected to its usage.
    const a = await gw.chat(chatBody('hello', { max_tokens: 20 }), { key });
    assert.equal(a.status, 200, a.text);
    const lineA = await waitEnded(gw, a);
    const usedA = a.json.usage.prompt_tokens + a.json.usage.completion_tokens;
    assert.equal(lineA.input_tokens + lineA.output_tokens, usedA, 'access log and response agree on usage');
    // The largest max_tokens that still fits: used + estimate == limit.
    const fit = TOKENS_PER_MIN - usedA - est;
    assert.ok(fit > 1, `usage ${usedA} leaves room for the boundary test`);
    // B: one token over the limit → refused, and never sent upstream.
    const upstreamBefore = (await mock.chatRequests()).length;
    const b = await gw.chat(chatBody('hello', { max_tokens: fit + 1 }), { key });
    const raB = assertRefused(b, { status: 429, code: 'rate_limited' });
    assert.match(b.json.error.message, /tokens_per_min/);
    assert.equal((await mock.chatRequests()).length, upstreamBefore, 'refused before any upstream call');
    // C: exactly at the limit → admitted. While it is in flight its whole estimate counts, so D
    // (the smallest possible ask) does not fit.
    await mock.setFaults([{ times: 1, delay_ms: 1000 }]);
    const cPending = gw.chat(chatBody('hello', { max_tokens: fit }), { key, timeoutMs: 20_000 });
    await waitFor(async () => (await mock.chatRequests()).length > upstreamBefore, { what: 'C upstream' });
    const d = await gw.chat(chatBody('hello', { max_tokens: 1 }), { key });
    assertRefused(d, { status: 429, code: 'rate_limited' });
    assert.match(d.json.error.message, /tokens_per_min/);
    const c = await cPending;
    assert.equal(c.status, 200, c.text);
    await waitEnded(gw, c);
    // After C ends its estimate is replaced by its usage: E, sized to fill the window exactly, fits.
    const usedC = c.json.usage.prompt_tokens + c.json.usage.completion_tokens;
    const fitE = TOKENS_PER_MIN - usedA - usedC - est;
    assert.ok(fitE >= 1, `room after correction (${usedA} + ${usedC} used)`);
    const e = await gw.chat(chatBody('hello', { max_tokens: fitE }), { key });
    assert.equal(e.status, 200, `after C's correction ${fitE} more fit: ${e.text}`);
    await waitEnded(gw, e);
    const usedE = e.json.usage.prompt_tokens + e.json.usage.completion_tokens;
    const f = await gw.chat(chatBody('hello', { max_tokens: TOKENS_PER_MIN - usedA - usedC - usedE - est + 1 }), { key });
    assertRefused(f, { status: 429, code: 'rate_limited' });
    console.log(`tokens_per_min ${TOKENS_PER_MIN}: estimate ${est} + max_tokens; used A ${usedA}, ` +
      `B (max_tokens ${fit + 1}) refused with Retry-After ${raB} s, C (${fit}) admitted, ` +
      `D refused while C in flight, E (${fitE}) admitted after C used ${usedC}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Shared stores across instances

describe('shared stores across gateway instances', () => {
  before(async () => {
    await ensurePg();
  }, { timeout: 150_000 });

  test('BR-06(b): requests_per_min 100 over three instances sharing Redis admits 100 ± 2 of 1,000 sent in 60 s', { timeout: 150_000 }, async () => {
    const redisUrl = await sharedRedisUrl();
    const ledgerUrl = await pgSchemaUrl();
    // Redis keys outlive the run: a persona name of its own keeps earlier runs out of its window.
    const persona = `rl_${randomId()}`;
    const keyValue = `rl-shared-${randomId()}`;
    const mock = await startMock();
    let gws = [];
    try {
      gws = await startInstances(3, mock, (c) => {
        addPersona(c, persona, { requests_per_min: 100 }, 'GW_RL_SHARED_KEY');
        c.storage.ledger_url = ledgerUrl;
        c.redis = { url: redisUrl };
      }, { GW_RL_SHARED_KEY: keyValue });
      const started = Date.now();
      const pending = [];
      // 1,000 requests paced evenly over ~57 s: all inside the sliding minute of the first.
      for (let i = 0; i < 1000; i++) {
        const gw = gws[i % 3];
        pending.push(gw.chat(chatBody(`shared ${i}`), { key: keyValue, timeoutMs: 30_000 }).then((r) => ({ r, gw: i % 3 })));
        const due = started + (i + 1) * 57;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const results = await Promise.all(pending);
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 60_000, `all 1,000 inside one sliding minute (${elapsed} ms)`);
      const admitted = results.filter(({ r }) => r.status === 200);
      const perInstance = [0, 1, 2].map((n) => admitted.filter((x) => x.gw === n).length);
      for (const { r } of results) {
        if (r.status !== 200) assertRefused(r, { status: 429, code: 'rate_limited' });
      }
      console.log(`BR-06(b): admitted ${admitted.length} of 1,000 in ${elapsed} ms; per instance ${perInstance.join('/')}`);
      assert.ok(Math.abs(admitted.length - 100) <= 2, `admitted ${admitted.length}, expected 100 ± 2`);
      assert.ok(perInstance.every((n) => n > 0), `every instance admitted some: ${perInstance}`);
      // The shared ledger recorded one cost event per admitted request, none for refusals.
      const report = await ledgerCheck({ url: ledgerUrl });
      assert.deepEqual(report.violations, []);
      assert.equal(report.ok, true);
      assert.equal(report.events, admitted.length, 'one cost event per admitted request');
    } finally {
      await stopInstances(gws);
      await mock.stop();
    }
  });

  // RELIABILITY BR-01 as written: limit $1.00 with $0.90 spent, 200 concurrent requests whose
  // reserved maximum is $0.02, across 3 replicas, 100 times. Each run has a team of its own (a key
  // bound to it), so every run starts from the same state; the burst's requests cost exactly what
  // they reserve, so exactly five fit whatever order the ledger sees them in.
  const BR01_RUNS = Number(process.env.GW_BR01_RUNS ?? 100);
  test(`BR-01 across instances: 3 gateways on one PostgreSQL ledger, ${BR01_RUNS} runs of 200 concurrent requests, exactly 5 admitted each`, { timeout: 600_000 }, async () => {
    const ledgerUrl = await pgSchemaUrl();
    const mock = await startMock();
    const runs = Array.from({ length: BR01_RUNS }, (_, i) => ({
      team: `br01_t${i}`,
      env: `GW_BR01_KEY_${i}`,
      key: `br01-${i}-${randomId()}`,
    }));
    let gws = [];
    try {
      gws = await startInstances(3, mock, (c) => {
        c.storage.ledger_url = ledgerUrl;
        c.teams = Object.fromEntries(runs.map((r) => [r.team, { budget: { daily_usd: 1.0 } }]));
        for (const r of runs) c.keys.push({ key: `env:${r.env}`, persona: PERSONA, name: `br01-${r.team}`, team: r.team });
      }, Object.fromEntries(runs.map((r) => [r.env, r.key])));
      const spendText = promptForOutput(100);  // $0.10: 100 output tokens, input free
      const burstText = promptForOutput(20);   // $0.02, reserved and spent
      let samples = 0;
      const admittedPerInstance = [0, 0, 0];
      for (const [n, run] of runs.entries()) {
        const spend = await Promise.all(
          Array.from({ length: 9 }, (_, i) => gws[i % 3].chat(chatBody(spendText, { max_tokens: 100 }), { key: run.key })),
        );
        for (const r of spend) {
          assert.equal(r.status, 200, `run ${n}: spending $0.90: ${r.text}`);
          assert.equal(r.json.usage.completion_tokens, 100, 'each spending request costs $0.10');
        }
        // I1 sampled while the 200 are in flight, and once each run at its end.
        let sampling = true;
        const sampler = (async () => {
          do {
            const report = await ledgerCheck({ url: ledgerUrl });
            assert.deepEqual(report.violations, [], `run ${n}: I1 at every sampled instant`);
            samples++;
          } while (sampling);
        })();
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) => gws[i % 3].chat(chatBody(burstText, { max_tokens: 20 }), { key: run.key, timeoutMs: 60_000 })),
        );
        sampling = false;
        await sampler;
        const admitted = results.filter((r) => r.status === 200);
        for (const r of results) if (r.status !== 200) assertRefused(r, { status: 429, code: 'budget_exceeded' });
        assert.equal(admitted.length, 5, `run ${n}: $0.10 left fits exactly five reservations of $0.02, admitted ${admitted.length}`);
        for (const r of admitted) assert.equal(r.json.usage.completion_tokens, 20, 'a burst request costs what it reserved');
        results.forEach((r, i) => { if (r.status === 200) admittedPerInstance[i % 3]++; });
      }
      const report = await ledgerCheck({ url: ledgerUrl });
      assert.deepEqual(report.violations, []);
      assert.equal(report.ok, true);
      assert.equal(report.open_reservations, 0);
      assert.equal(report.events, BR01_RUNS * 14, 'nine spending and five burst events per run');
      assert.equal(report.total_cost_nanos, BR01_RUNS * USD, 'every team spent exactly its $1.00, never more');
      console.log(`BR-01 x3: ${BR01_RUNS} runs, 5 of 200 admitted in each (per instance over all runs ${admittedPerInstance.join('/')}), ${samples} I1 samples`);
      assert.ok(admittedPerInstance.every((k) => k > 0), 'every instance admitted some');
    } finally {
      await stopInstances(gws);
      await mock.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// BR-06(a): the rate-limit store goes away

describe('BR-06(a): Redis unreachable', () => {
  const LIMITED_KEY = `rl-limited-${randomId()}`;
  const env = { GW_RL_LIMITED_KEY: LIMITED_KEY };
  // rl_a is rate-limited (needs the store); the default persona has no limits (never asks it).
  const tweak = (redisUrl) => (c) => {
    addPersona(c, `rl_a${randomId()}`, { requests_per_min: 1000 }, 'GW_RL_LIMITED_KEY');
    c.redis = { url: redisUrl };
  };

  async function assertStoreDown(gw, mock, what) {
    await mock.clearRequests();
    const limited = await Promise.all(Array.from({ length: 10 }, (_, i) => gw.chat(chatBody(`down ${i}`), { key: LIMITED_KEY })));
    assert.equal(limited.filter((r) => r.status === 200).length, 0, `${what}: never a per-instance fallback`);
    for (const r of limited) assertRefused(r, { status: 503, code: 'rate_store_unavailable' });
    assert.equal((await mock.chatRequests()).length, 0, `${what}: nothing went upstream`);
    const free = await Promise.all(Array.from({ length: 5 }, (_, i) => gw.chat(chatBody(`free ${i}`))));
    for (const r of free) assert.equal(r.status, 200, `${what}: an unlimited persona still works: ${r.text}`);
  }

  test('closed port from the start: the gateway starts, limited requests get 503, others 200', { timeout: 30_000 }, async () => {
    const port = await freePort();  // nothing listens there
    const mock = await startMock();
    let gws = [];
    try {
      gws = await startInstances(1, mock, tweak(`redis://127.0.0.1:${port}`), env);
      await assertStoreDown(gws[0], mock, 'closed port');
    } finally {
      await stopInstances(gws);
      await mock.stop();
    }
  });

  test('Redis stopped mid-run: 503 while it is gone, admitted again once it is back', { timeout: 60_000 }, async () => {
    let redis = await startOwnRedis();
    const mock = await startMock();
    let gws = [];
    try {
      gws = await startInstances(1, mock, tweak(redis.url), env);
      const gw = gws[0];
      for (let i = 0; i < 3; i++) {
        const r = await gw.chat(chatBody(`up ${i}`), { key: LIMITED_KEY });
        assert.equal(r.status, 200, `store up: ${r.text}`);
      }
      await redis.stop();
      await assertStoreDown(gw, mock, 'stopped');
      redis = await startOwnRedis(redis.port);
      const back = await waitFor(async () => {
        const r = await gw.chat(chatBody('back'), { key: LIMITED_KEY });
        if (r.status === 200) return r;
        assertRefused(r, { status: 503, code: 'rate_store_unavailable' });
        return null;
      }, { timeoutMs: 10_000, intervalMs: 250, what: 'admission after Redis is back' });
      assert.equal(back.status, 200);
    } finally {
      await stopInstances(gws);
      await mock.stop();
      await redis.stop().catch(() => {});
    }
  });
});
