// The cost API (docs/cost.md): POST /v1/cost/track records events from outside the gateway
// (idempotent on request_id per key), GET /v1/cost/summary keeps the seed's shape (total_cost, requests,
// tokens, by_provider) and grows around it, GET /v1/cost/report groups by persona/model in day
// buckets as JSON and CSV, a persona key sees only its own personas' figures (403 for another's),
// the admin key sees all, and `execution-platform cost summary --json` on the same database
// agrees with the HTTP summary. Every assertion filters by a provider name unique to this run, so
// cost events from chat traffic (or other tests) cannot disturb it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import * as h from './harness.mjs';

const OPS_KEY = 'gw-test-ops-key';
const PROVIDER = h.randomId('ext-');  // an outside provider only this run tracks under

let stack;
let gw;

h.useStack(
  {
    env: { GW_OPS_KEY: OPS_KEY },
    tweak(config) {
      config.personas.ops = { provider: 'mock', model: h.PRIMARY_MODEL, team: 'platform' };
      config.keys.push({ key: 'env:GW_OPS_KEY', persona: 'ops', name: 'ops' });
    },
  },
  (s) => {
    stack = s;
    ({ gw } = s);
  },
);

const T = { timeout: 30_000 };

function run(args, { timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(h.GW_BIN, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GW_TEST_KEY: h.GATEWAY_KEY, GW_ADMIN_KEY: h.ADMIN_KEY, GW_OPS_KEY: OPS_KEY },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const DEV_RID = h.randomId('trk-dev-');
const OPS_RID = h.randomId('trk-ops-');
let tracked = false;

// Two events: dev (100 in / 50 out, $0.0125) and ops (10 in / 5 out, $0.25), both today.
async function trackTwo() {
  if (tracked) return;
  const dev = await gw.request('/v1/cost/track', {
    method: 'POST',
    body: { request_id: DEV_RID, provider: PROVIDER, model: 'm-large', input_tokens: 100,
      output_tokens: 50, cache_read_tokens: 20, cost_usd: 0.0125 },
  });
  assert.equal(dev.status, 201, dev.text);
  assert.equal(dev.json.recorded, true);
  assert.equal(dev.json.request_id, DEV_RID);
  assert.equal(dev.json.cost_usd, 0.0125);
  const ops = await gw.request('/v1/cost/track', {
    method: 'POST',
    key: OPS_KEY,
    body: { request_id: OPS_RID, provider: PROVIDER, model: 'm-small', input_tokens: 10,
      output_tokens: 5, cost_usd: 0.25 },
  });
  assert.equal(ops.status, 201, ops.text);
  tracked = true;
}

const summary = (query, key) => gw.request(`/v1/cost/summary?${query}`, { key });

test('track is idempotent on request_id (per key) and generates one when absent', T, async () => {
  await trackTwo();
  const again = await gw.request('/v1/cost/track', {
    method: 'POST',
    body: { request_id: DEV_RID, provider: PROVIDER, model: 'm-large', input_tokens: 100,
      output_tokens: 50, cost_usd: 0.0125 },
  });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.recorded, false);
  // Idempotency is per gateway key: another caller's event with the same id is its own (at zero
  // cost under a second provider, kept out of the figures below).
  const other = await gw.request('/v1/cost/track', {
    method: 'POST',
    key: OPS_KEY,
    body: { request_id: DEV_RID, provider: `${PROVIDER}-zero`, model: 'm', input_tokens: 1,
      output_tokens: 1, cost_usd: 0 },
  });
  assert.equal(other.status, 201, other.text);
  assert.equal(other.json.recorded, true);
  // A fresh id, at zero cost under a second provider (kept out of the figures below).
  const fresh = await gw.request('/v1/cost/track', {
    method: 'POST',
    body: { provider: `${PROVIDER}-zero`, model: 'm', input_tokens: 1, output_tokens: 1, cost_usd: 0 },
  });
  assert.equal(fresh.status, 201, fresh.text);
  assert.ok(fresh.json.request_id.length >= 8);
});

test('track refuses bad bodies and another persona', T, async () => {
  const missing = await gw.request('/v1/cost/track', {
    method: 'POST', body: { provider: PROVIDER, input_tokens: 1, output_tokens: 1, cost_usd: 0 },
  });
  assert.equal(missing.status, 400, missing.text);
  assert.equal(h.openAiError(assert, missing.json).param, 'model');
  const negative = await gw.request('/v1/cost/track', {
    method: 'POST', body: { provider: PROVIDER, model: 'm', input_tokens: -1, output_tokens: 1, cost_usd: 0 },
  });
  assert.equal(negative.status, 400);
  assert.equal(negative.json.error.param, 'input_tokens');
  const unpriced = await gw.request('/v1/cost/track', {
    method: 'POST', body: { provider: PROVIDER, model: 'm', input_tokens: 1, output_tokens: 1 },
  });
  assert.equal(unpriced.status, 400);
  assert.equal(unpriced.json.error.param, 'cost_usd');
  const foreign = await gw.request('/v1/cost/track', {
    method: 'POST', body: { persona: 'ops', provider: PROVIDER, model: 'm', input_tokens: 1, output_tokens: 1, cost_usd: 1 },
  });
  assert.equal(foreign.status, 403, foreign.text);
  const get = await gw.request('/v1/cost/track');
  assert.equal(get.status, 405);
});

test('the admin summary has the seed shape and both events', T, async () => {
  await trackTwo();
  const res = await summary(`period=day&provider=${PROVIDER}`, h.ADMIN_KEY);
  assert.equal(res.status, 200, res.text);
  const s = res.json;
  assert.equal(s.total_cost_nanos, 262_500_000);
  assert.ok(Math.abs(s.total_cost - 0.2625) < 1e-9, `total_cost ${s.total_cost}`);
  assert.equal(s.requests, 2);
  assert.deepEqual(s.tokens, { input: 110, output: 55, cache_read: 20, cache_write: 0, reasoning: 0, total: 165 });
  assert.deepEqual(Object.keys(s.by_provider), [PROVIDER]);
  assert.equal(s.by_provider[PROVIDER].requests, 2);
  assert.equal(s.by_provider[PROVIDER].cost_nanos, 262_500_000);
  assert.deepEqual(Object.keys(s.by_persona).sort(), ['dev', 'ops']);
  assert.equal(s.by_model[`${PROVIDER}/m-small`].cost_nanos, 250_000_000);
  assert.equal(s.by_team.platform.requests, 1);
  assert.equal(typeof s.forecast.projected_month_end, 'number');
  assert.ok(s.forecast.projected_month_end_nanos >= 262_500_000);
  assert.equal(typeof s.anomaly.flag, 'boolean');
  assert.equal(s.anomaly.multiple, 3);
});

test('a persona key reads only its own figures; another persona is 403', T, async () => {
  await trackTwo();
  const own = await summary(`period=day&provider=${PROVIDER}`);
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.total_cost_nanos, 12_500_000);
  assert.deepEqual(Object.keys(own.json.by_persona), ['dev']);
  const named = await summary(`period=day&provider=${PROVIDER}&persona=dev`);
  assert.equal(named.json.total_cost_nanos, 12_500_000);
  const opsOwn = await summary(`period=day&provider=${PROVIDER}`, OPS_KEY);
  assert.equal(opsOwn.json.total_cost_nanos, 250_000_000);

  const before = (await gw.metrics()).sum('gateway_cost_api_errors_total', { reason: 'forbidden' });
  const other = await summary(`period=day&persona=ops`);
  assert.equal(other.status, 403, other.text);
  h.openAiError(assert, other.json, { type: 'permission_error' });
  const report = await gw.request(`/v1/cost/report?persona=ops`);
  assert.equal(report.status, 403);
  const after = (await gw.metrics()).sum('gateway_cost_api_errors_total', { reason: 'forbidden' });
  assert.equal(after - before, 2);
});

test('bad parameters are 400 naming the parameter; no key is 401', T, async () => {
  for (const [query, param] of [['period=week', 'period'], ['from=yesterday', 'from'],
    ['colour=red', 'colour'], ['period=day&period=month', 'period']]) {
    const res = await summary(query);
    assert.equal(res.status, 400, `${query}: ${res.text}`);
    assert.equal(h.openAiError(assert, res.json).param, param, query);
  }
  const bucket = await gw.request('/v1/cost/report?bucket=week');
  assert.equal(bucket.status, 400);
  assert.equal(bucket.json.error.param, 'bucket');
  const anon = await gw.request('/v1/cost/summary', { key: null });
  assert.equal(anon.status, 401);
});

test('report grouped by persona and model in day buckets, as JSON and CSV', T, async () => {
  await trackTwo();
  const q = `group_by=persona,model&bucket=day&provider=${PROVIDER}&period=day`;
  const json = await gw.request(`/v1/cost/report?${q}&format=json`, { key: h.ADMIN_KEY });
  assert.equal(json.status, 200, json.text);
  assert.deepEqual(json.json.group_by, ['persona', 'model']);
  assert.equal(json.json.rows.length, 2);
  const [devRow, opsRow] = json.json.rows;
  assert.equal(devRow.persona, 'dev');
  assert.equal(devRow.model, 'm-large');
  assert.equal(devRow.requests, 1);
  assert.equal(devRow.input_tokens, 100);
  assert.equal(devRow.cost_nanos, 12_500_000);
  assert.match(devRow.bucket_start, /^\d{4}-\d{2}-\d{2}T00:00:00(Z|[+-]\d{2}:\d{2})$/);
  assert.equal(opsRow.persona, 'ops');
  assert.equal(opsRow.cost_usd, 0.25);

  const csv = await gw.request(`/v1/cost/report?${q}&format=csv`, { key: h.ADMIN_KEY });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /^text\/csv/);
  const lines = csv.text.split('\r\n').filter(Boolean);
  assert.equal(lines[0], 'bucket_start,persona,model,requests,input_tokens,output_tokens,' +
    'cache_read_tokens,cache_write_tokens,reasoning_tokens,cost_usd,cost_nanos');
  assert.equal(lines.length, 3);
  assert.ok(lines[1].endsWith(',dev,m-large,1,100,50,20,0,0,0.012500000,12500000'), lines[1]);
  assert.ok(lines[2].endsWith(',ops,m-small,1,10,5,0,0,0,0.250000000,250000000'), lines[2]);

  // The dev key's report holds only dev's row.
  const mine = await gw.request(`/v1/cost/report?${q}`);
  assert.equal(mine.status, 200);
  assert.deepEqual(mine.json.rows.map((r) => r.persona), ['dev']);
});

test('the CLI summary agrees with the HTTP summary on the same database', T, async () => {
  await trackTwo();
  const http = await summary(`period=day&provider=${PROVIDER}`, h.ADMIN_KEY);
  assert.equal(http.status, 200);
  const cli = await run(['cost', 'summary', '--config', gw.configPath, '--period', 'day',
    '--provider', PROVIDER, '--json']);
  assert.equal(cli.code, 0, cli.stderr);
  const s = JSON.parse(cli.stdout);
  for (const key of ['total_cost', 'total_cost_nanos', 'requests', 'tokens', 'by_provider',
    'by_model', 'by_persona', 'by_team']) {
    assert.deepEqual(s[key], http.json[key], key);
  }
  const table = await run(['cost', 'summary', '--config', gw.configPath, '--period', 'day',
    '--provider', PROVIDER]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /total\s+\$0\.262500000/);
  const csv = await run(['cost', 'report', '--config', gw.configPath, '--period', 'day',
    '--provider', PROVIDER, '--group-by', 'persona,model']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.equal(csv.stdout.split('\r\n').filter(Boolean).length, 3);
  const usage = await run(['cost', 'report', '--config', gw.configPath, '--bucket', 'week']);
  assert.equal(usage.code, 2, usage.stdout + usage.stderr);
});
