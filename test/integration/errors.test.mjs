// Error paths: authentication, routing (404 listing the caller's routes) and the mapping of every
// upstream failure to the OpenAI envelope and status, including retry discipline (no retry on
// 4xx, none within a 429's Retry-After, none on quota exhaustion) and no echo of upstream
// bodies that carry secrets.
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

// ---- authentication -----------------------------------------------------------------------

test('missing key → 401 authentication_error, no upstream call', T, async () => {
  const res = await gw.chat(h.chatBody('no key'), { key: null });
  assert.equal(res.status, 401, res.text);
  h.openAiError(assert, res.json, { status: 401, type: 'authentication_error' });
  assert.equal((await mock.chatRequests()).length, 0);
});

test('unknown key → 401 and the presented key is not echoed', T, async () => {
  const bogus = h.randomId('gw-bogus-');
  const res = await gw.chat(h.chatBody('bad key'), { key: bogus });
  assert.equal(res.status, 401, res.text);
  h.openAiError(assert, res.json, { status: 401, type: 'authentication_error' });
  assert.ok(!res.text.includes(bogus), 'unknown key echoed in the error body');
  assert.equal((await mock.chatRequests()).length, 0);
  await h.sleep(200);
  assert.ok(!gw.output().includes(bogus), 'unknown key written to the logs');
});

test('wrong scheme and empty bearer → 401', T, async () => {
  for (const auth of [`Basic ${Buffer.from(`user:${h.GATEWAY_KEY}`).toString('base64')}`, 'Bearer ', 'Bearer', h.GATEWAY_KEY]) {
    const res = await gw.chat(h.chatBody('scheme'), { key: null, headers: { authorization: auth } });
    assert.equal(res.status, 401, `Authorization: ${JSON.stringify(auth)} → ${res.status} ${res.text}`);
    h.openAiError(assert, res.json, { type: 'authentication_error' });
  }
});

test('duplicate Authorization headers are refused (400 or 401), in either order', T, async () => {
  const body = JSON.stringify(h.chatBody('dup auth'));
  for (const pair of [
    [h.GATEWAY_KEY, 'gw-other-key'],
    ['gw-other-key', h.GATEWAY_KEY],
  ]) {
    const conn = await h.RawHttpConnection.connect(gw.port, { sink: gw });
    try {
      const res = await conn.request({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: [
          ['Content-Type', 'application/json'],
          ['Authorization', `Bearer ${pair[0]}`],
          ['Authorization', `Bearer ${pair[1]}`],
        ],
        body,
      });
      assert.ok([400, 401].includes(res.status), `duplicate Authorization ${JSON.stringify(pair)} → ${res.status} ${res.text}`);
      h.openAiError(assert, res.json);
    } finally {
      conn.close();
    }
  }
  assert.equal((await mock.chatRequests()).length, 0);
});

// ---- routing ------------------------------------------------------------------------------

test('unknown model → 404 listing the routes the caller may use', T, async () => {
  const res = await gw.chat({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(res.status, 404, res.text);
  const e = h.openAiError(assert, res.json, { status: 404 });
  assert.ok(e.message.includes('mock-gpt'), e.message);
  assert.ok(e.message.includes('fast'), e.message);
  assert.match(e.message, /mock\/(\*|mock-gpt-mini)/);
  assert.equal((await mock.chatRequests()).length, 0);
});

test('a provider/model the persona is not allowed → 404', T, async () => {
  const res = await gw.chat({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(res.status, 404, res.text);
  h.openAiError(assert, res.json, { status: 404 });
  assert.equal((await mock.chatRequests()).length, 0);
});

test('invalid request shapes → 400 invalid_request_error without an upstream call', T, async () => {
  for (const body of [
    { model: h.PRIMARY_MODEL },
    { model: h.PRIMARY_MODEL, messages: 'hello' },
    { messages: [{ role: 'user', content: 'no model' }] },
    { model: 42, messages: [{ role: 'user', content: 'x' }] },
  ]) {
    const res = await gw.chat(body);
    assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${res.text}`);
    h.openAiError(assert, res.json, { type: 'invalid_request_error' });
  }
  assert.equal((await mock.chatRequests()).length, 0);
});

// ---- upstream status mapping --------------------------------------------------------------

test('upstream 400 → 400 invalid_request_error, not retried, upstream body secrets not echoed', T, async () => {
  await mock.setFaults([{
    times: 0,
    status: 400,
    body: { error: { message: `bad request for key ${stack.canary}`, type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } },
  }]);
  const res = await gw.chat(h.chatBody('upstream 400'));
  assert.equal(res.status, 400, res.text);
  h.openAiError(assert, res.json, { status: 400, type: 'invalid_request_error' });
  assert.ok(!res.text.includes(stack.canary), 'provider key echoed from the upstream body');
  assert.equal((await mock.chatRequests()).length, 1, 'a 400 is never retried');
});

test('upstream 401 (bad provider key) → 502 api_error, key not echoed', T, async () => {
  await mock.setFaults([{
    times: 0,
    status: 401,
    body: { error: { message: `Incorrect API key provided: ${stack.canary}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
  }]);
  const res = await gw.chat(h.chatBody('upstream 401'));
  assert.equal(res.status, 502, res.text);
  h.openAiError(assert, res.json, { status: 502, type: 'api_error' });
  assert.ok(!res.text.includes(stack.canary));
  for (const [k, v] of res.headers) assert.ok(!v.includes(stack.canary), `header ${k}`);
  // One re-fetch-and-retry of a rotated key is allowed (RELIABILITY SE-05), a storm is not.
  assert.ok((await mock.chatRequests()).length <= 2);
});

test('upstream 429 with Retry-After → 429 rate_limit_error with Retry-After ≥ upstream, no early retry', { timeout: 45_000 }, async () => {
  await mock.setFaults([{ times: 0, status: 429, retry_after: 20 }]);
  const res = await gw.chat(h.chatBody('upstream 429'), { timeoutMs: 40_000 });
  assert.equal(res.status, 429, res.text);
  h.openAiError(assert, res.json, { status: 429, type: 'rate_limit_error' });
  const ra = Number(res.headers.get('retry-after'));
  assert.ok(Number.isFinite(ra) && ra >= 20, `Retry-After ${res.headers.get('retry-after')}`);
  const attempts = (await mock.chatRequests()).length;
  assert.ok(attempts === 1 || res.elapsedMs >= 20_000, `${attempts} upstream attempts within ${res.elapsedMs} ms despite Retry-After: 20`);
});

test('upstream quota exhausted (429 insufficient_quota) → 429 insufficient_quota, zero retries', T, async () => {
  await mock.setFaults([{
    times: 0,
    status: 429,
    body: { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
  }]);
  const res = await gw.chat(h.chatBody('quota'));
  assert.equal(res.status, 429, res.text);
  h.openAiError(assert, res.json, { status: 429, type: 'insufficient_quota' });
  assert.equal((await mock.chatRequests()).length, 1, 'quota exhaustion is never retried');
});

test('upstream 500 (persistent) → 502 api_error after at most 3 attempts', { timeout: 30_000 }, async () => {
  await mock.setFaults([{ times: 0, status: 500 }]);
  const res = await gw.chat(h.chatBody('upstream 500'), { timeoutMs: 25_000 });
  assert.equal(res.status, 502, res.text);
  h.openAiError(assert, res.json, { status: 502, type: 'api_error' });
  assert.ok(!/req_mock/.test(res.text), 'upstream body echoed raw');
  const attempts = (await mock.chatRequests()).length;
  assert.ok(attempts >= 1 && attempts <= 3, `${attempts} upstream attempts`);
});

test('upstream 503 (persistent) → 502 or 503 with the error envelope', { timeout: 30_000 }, async () => {
  await mock.setFaults([{ times: 0, status: 503 }]);
  const res = await gw.chat(h.chatBody('upstream 503'), { timeoutMs: 25_000 });
  assert.ok([502, 503].includes(res.status), `${res.status} ${res.text}`);
  h.openAiError(assert, res.json);
});

test('upstream 500 once with no fallback → retried after a backoff, 200; the failed attempt is named', { timeout: 30_000 }, async () => {
  await mock.setFaults([{ times: 1, status: 500 }]);
  const res = await gw.chat(h.chatBody('transient'), { timeoutMs: 25_000 });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.choices[0].message.content, h.mockReply('transient'));
  assert.equal((await mock.chatRequests()).length, 2);
  assert.equal(res.headers.get('x-gateway-attempts'), '2');
  assert.equal(res.headers.get('x-gateway-fallbacks'), `mock/${h.PRIMARY_MODEL}=provider_server_error`);
});

test('upstream 500 persistent → stops at max_attempts (3) with the last error', { timeout: 30_000 }, async () => {
  await mock.setFaults([{ times: 0, status: 500 }]);
  const res = await gw.chat(h.chatBody('persistent'), { timeoutMs: 25_000 });
  assert.equal(res.status, 502, res.text);
  assert.equal(res.headers.get('x-gateway-error-kind'), 'provider_server_error');
  assert.equal(res.headers.get('x-gateway-attempts'), '3');
  assert.equal((await mock.chatRequests()).length, 3, 'persona max_attempts (3) counts every attempt');
});

test('streamed request failing upstream before any byte → plain JSON error, not SSE', { timeout: 30_000 }, async () => {
  await mock.setFaults([{ times: 0, status: 500 }]);
  const s = await gw.chatStream(h.chatBody('stream 500'), { timeoutMs: 25_000 });
  assert.equal(s.sse, false, 'nothing was committed, so the error is an HTTP status');
  assert.equal(s.status, 502, s.text);
  h.openAiError(assert, s.json, { status: 502, type: 'api_error' });
});

test('streamed request hitting upstream 429 → HTTP 429 with Retry-After', { timeout: 45_000 }, async () => {
  await mock.setFaults([{ times: 0, status: 429, retry_after: 7 }]);
  const s = await gw.chatStream(h.chatBody('stream 429'), { timeoutMs: 40_000 });
  assert.equal(s.sse, false);
  assert.equal(s.status, 429, s.text);
  h.openAiError(assert, s.json, { type: 'rate_limit_error' });
  assert.ok(Number(s.headers.get('retry-after')) >= 7, `Retry-After ${s.headers.get('retry-after')}`);
});

test('upstream 200 with an unparsable body → 502, nothing raw echoed', { timeout: 30_000 }, async () => {
  await mock.setFaults([{ times: 0, status: 200, body: `{"id": "chatcmpl-x", "choices": [ ${stack.canary}` }]);
  const res = await gw.chat(h.chatBody('garbage body'), { timeoutMs: 25_000 });
  assert.equal(res.status, 502, res.text);
  h.openAiError(assert, res.json, { status: 502 });
  assert.ok(!res.text.includes(stack.canary));
});

test('client headers are not forwarded upstream (x-mock-* cannot be injected)', T, async () => {
  const res = await gw.chat(h.chatBody('header injection'), { headers: { 'x-mock-status': '500', cookie: 'a=b' } });
  assert.equal(res.status, 200, res.text);
  const [up] = await mock.chatRequests();
  assert.equal(up.headers['x-mock-status'], undefined);
  assert.equal(up.headers.cookie, undefined);
});

h.secretSweepTests(() => [gw]);
