// Request ids, the access log and /metrics: X-Request-ID echoed/generated/forwarded upstream and
// logged, one JSON access-log line per request that never carries a key and cannot be split by
// attacker input, the metric families the dashboards use, counters that move, and bounded label
// values whatever the caller sends.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as h from './harness.mjs';

let stack;
let gw;
let mock;

h.useStack({}, (s) => {
  stack = s;
  ({ gw, mock } = s);
});

const T = { timeout: 20_000 };

// ---- request ids ----------------------------------------------------------------------------

test('X-Request-ID sent by the client is echoed, forwarded upstream and logged', T, async () => {
  const rid = h.randomId('rid-client-');
  const res = await gw.chat(h.chatBody('with id'), { headers: { 'x-request-id': rid } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers.get('x-request-id'), rid);
  const [up] = await mock.chatRequests();
  assert.equal(up.headers['x-request-id'], rid, 'forwarded upstream');
  const line = await gw.waitForAccessLog((l) => l.request_id === rid);
  assert.ok(line, `access log line with request_id ${rid}`);
});

test('X-Request-ID is generated when absent: unique, echoed and forwarded', T, async () => {
  const a = await gw.chat(h.chatBody('gen a'));
  const b = await gw.chat(h.chatBody('gen b'));
  assert.equal(a.status, 200);
  assert.equal(b.status, 200);
  const ida = a.headers.get('x-request-id');
  const idb = b.headers.get('x-request-id');
  assert.ok(ida && ida.length >= 8, `generated id ${ida}`);
  assert.ok(idb && idb !== ida, 'ids are unique');
  const ups = await mock.chatRequests();
  assert.deepEqual(ups.map((u) => u.headers['x-request-id']), [ida, idb]);
  assert.ok(await gw.waitForAccessLog((l) => l.request_id === ida));
});

test('X-Request-ID on streamed responses and on errors', T, async () => {
  const rid = h.randomId('rid-stream-');
  const s = await gw.chatStream(h.chatBody('stream id'), { headers: { 'x-request-id': rid } });
  assert.equal(s.status, 200);
  assert.equal(s.headers.get('x-request-id'), rid);
  const [up] = await mock.chatRequests();
  assert.equal(up.headers['x-request-id'], rid);

  const rid401 = h.randomId('rid-401-');
  const e = await gw.chat(h.chatBody('x'), { key: null, headers: { 'x-request-id': rid401 } });
  assert.equal(e.status, 401);
  assert.equal(e.headers.get('x-request-id'), rid401);
  const generated = await gw.chat({ model: 'nope', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(generated.status, 404);
  assert.ok(generated.headers.get('x-request-id'));
});

test('an oversized or hostile X-Request-ID does not break the response or the log', T, async () => {
  const conn = await h.RawHttpConnection.connect(gw.port, { sink: gw });
  try {
    const hostile = `"},{"injected":true,"x":"${'z'.repeat(2_000)}`;
    const res = await conn.request({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: [['Authorization', `Bearer ${h.GATEWAY_KEY}`], ['Content-Type', 'application/json'], ['X-Request-ID', hostile]],
      body: JSON.stringify(h.chatBody('hostile id')),
    });
    assert.ok([200, 400].includes(res.status), `${res.status} ${res.text}`);
    const echoed = res.headers['x-request-id'];
    assert.ok(echoed, 'some request id is echoed');
  } finally {
    conn.close();
  }
  await h.sleep(300);
  assertAllLogLinesAreJson('"injected":true');
  assert.ok(!gw.accessLog().some((l) => l.injected === true), 'request id injected a JSON field');
});

// ---- access log ----------------------------------------------------------------------------

// Every JSON-looking line parses (no line was split), and no line carrying `marker` is anything
// but a complete JSON object (no line was forged). Plain-text banner lines are tolerated.
function assertAllLogLinesAreJson(marker) {
  for (const [name, lines] of [['stdout', gw.proc.stdout], ['stderr', gw.proc.stderr]]) {
    for (const line of lines) {
      const t = line.trim();
      if (!t.startsWith('{') && !(marker && line.includes(marker))) continue;
      let obj;
      assert.doesNotThrow(() => (obj = JSON.parse(t)), `${name} line is not one JSON object: ${line.slice(0, 300)}`);
      assert.ok(obj && typeof obj === 'object' && !Array.isArray(obj), `${name} line is not a JSON object: ${line.slice(0, 300)}`);
    }
  }
}

test('one access-log line per request with the documented fields', T, async () => {
  const ok = h.randomId('rid-ok-');
  const unauth = h.randomId('rid-401-');
  const missing = h.randomId('rid-404-');
  const streamed = h.randomId('rid-sse-');
  await gw.chat(h.chatBody('logged'), { headers: { 'x-request-id': ok } });
  await gw.chat(h.chatBody('logged'), { key: 'gw-wrong-key-for-log-test', headers: { 'x-request-id': unauth } });
  await gw.chat({ model: 'missing-model', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-request-id': missing } });
  await gw.chatStream(h.chatBody('logged stream'), { headers: { 'x-request-id': streamed } });

  const want = { [ok]: 200, [unauth]: 401, [missing]: 404, [streamed]: 200 };
  for (const [rid, status] of Object.entries(want)) {
    const line = await gw.waitForAccessLog((l) => l.request_id === rid);
    assert.ok(line, `no access-log line for ${rid}`);
    assert.equal(gw.accessLog().filter((l) => l.request_id === rid).length, 1, `exactly one line for ${rid}`);
    assert.equal(line.status, status);
    assert.equal(line.method, 'POST');
    assert.equal(line.path, '/v1/chat/completions');
    assert.equal(typeof line.ts, 'string');
    assert.ok(!Number.isNaN(Date.parse(line.ts)), `ts ${line.ts} is a timestamp`);
    assert.equal(typeof line.duration_ms, 'number');
    assert.ok(line.duration_ms >= 0);
  }
  const okLine = gw.accessLog().find((l) => l.request_id === ok);
  assert.equal(okLine.persona, h.PERSONA);
  assert.equal(okLine.provider, 'mock');
  assert.equal(okLine.model, h.PRIMARY_MODEL);
  const unauthLine = gw.accessLog().find((l) => l.request_id === unauth);
  assert.ok(!JSON.stringify(unauthLine).includes('gw-wrong-key-for-log-test'));
  assertAllLogLinesAreJson();
});

test('access-log lines for GET endpoints too', T, async () => {
  const rid = h.randomId('rid-models-');
  await gw.request('/v1/models', { headers: { 'x-request-id': rid } });
  const line = await gw.waitForAccessLog((l) => l.request_id === rid);
  assert.ok(line);
  assert.equal(line.method, 'GET');
  assert.equal(line.path, '/v1/models');
  assert.equal(line.status, 200);
});

test('CR/LF and JSON in attacker-controlled fields cannot split or forge log lines', T, async () => {
  const marker = h.randomId('forged');
  const res = await gw.chat({
    model: `evil\n{"forged":"${marker}"}\r\n`,
    messages: [{ role: 'user', content: `line1\n{"forged":"${marker}"}` }],
  });
  assert.equal(res.status, 404, res.text);
  await h.sleep(300);
  assertAllLogLinesAreJson(marker);
  for (const l of gw.accessLog()) assert.notEqual(l.forged, marker, 'forged log line');
});

// ---- metrics -------------------------------------------------------------------------------

test('/metrics exposes the documented families in valid Prometheus text', T, async () => {
  await gw.chat(h.chatBody('metrics warmup'));
  const m = await gw.metrics();
  const families = {
    gateway_http_requests_total: 'counter',
    gateway_http_request_duration_seconds: 'histogram',
    gateway_upstream_request_duration_seconds: 'histogram',
    gateway_http_requests_in_flight: 'gauge',
    gateway_errors_total: 'counter',
    gateway_config_reloads_total: 'counter',
  };
  for (const [fam, type] of Object.entries(families)) {
    assert.equal(m.types[fam], type, `# TYPE ${fam} ${type}`);
  }
  const reqs = m.find('gateway_http_requests_total');
  assert.ok(reqs.length > 0);
  for (const s of reqs) {
    for (const label of ['route', 'status', 'provider']) assert.ok(label in s.labels, `${label} label on ${JSON.stringify(s)}`);
  }
  // Histogram consistency: cumulative buckets, +Inf == _count.
  for (const fam of ['gateway_http_request_duration_seconds', 'gateway_upstream_request_duration_seconds']) {
    const buckets = m.find(`${fam}_bucket`);
    assert.ok(buckets.length > 0, `${fam}_bucket samples`);
    const groups = new Map();
    for (const b of buckets) {
      const { le, ...rest } = b.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      if (!groups.has(key)) groups.set(key, { rest, buckets: [] });
      groups.get(key).buckets.push({ le: le === '+Inf' ? Infinity : Number(le), v: b.value });
    }
    for (const { rest, buckets: bs } of groups.values()) {
      bs.sort((x, y) => x.le - y.le);
      for (let i = 1; i < bs.length; i++) assert.ok(bs[i].v >= bs[i - 1].v, `${fam} buckets cumulative`);
      assert.equal(bs.at(-1).le, Infinity, `${fam} has le="+Inf"`);
      const count = m.find(`${fam}_count`, rest);
      assert.equal(count.length, 1, `${fam}_count for ${JSON.stringify(rest)}`);
      assert.equal(count[0].value, bs.at(-1).v, `${fam} +Inf bucket == _count`);
      assert.equal(m.find(`${fam}_sum`, rest).length, 1);
    }
  }
});

test('request and error counters move with traffic', T, async () => {
  const before = await gw.metrics();
  await gw.chat(h.chatBody('counted'));
  await gw.chat(h.chatBody('counted'), { key: null });
  await mock.setFaults([{ times: 0, status: 500 }]);
  await gw.chat(h.chatBody('counted 500'), { timeoutMs: 15_000 });
  await mock.clearFaults();
  await h.sleep(100);
  const after = await gw.metrics();
  const delta = (name, labels) => after.sum(name, labels) - before.sum(name, labels);
  assert.ok(delta('gateway_http_requests_total', { status: '200', provider: 'mock' }) >= 1, '200 counted');
  assert.ok(delta('gateway_http_requests_total', { status: '401' }) >= 1, '401 counted');
  assert.ok(delta('gateway_http_requests_total', { status: '502' }) >= 1, '502 counted');
  assert.ok(delta('gateway_errors_total') >= 2, `errors counted (Δ ${delta('gateway_errors_total')})`);
  assert.ok(delta('gateway_http_request_duration_seconds_count') >= 3);
  assert.ok(delta('gateway_upstream_request_duration_seconds_count') >= 2, 'upstream calls timed');
});

test('attacker-chosen model names and paths never become metric label values', T, async () => {
  const tag = h.randomId('cardinality');
  for (let i = 0; i < 5; i++) {
    await gw.chat({ model: `${tag}-${i}`, messages: [{ role: 'user', content: 'x' }] });
    await gw.request(`/v1/${tag}/${i}`, { method: 'GET' });
  }
  const text = await gw.metricsText();
  assert.ok(!text.includes(tag), 'unbounded label value in /metrics');
});

test('/healthz and /metrics carry no secret and need no key', T, async () => {
  const hz = await gw.request('/healthz', { key: null });
  assert.equal(hz.status, 200);
  const text = await gw.metricsText();
  assert.ok(!text.includes(stack.canary));
  assert.ok(!text.includes(h.GATEWAY_KEY));
});

h.secretSweepTests(() => [gw]);
