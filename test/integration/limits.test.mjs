// Bad input and protocol abuse over raw sockets (RELIABILITY BI-01/02/03/06): malformed JSON on
// a keep-alive connection that must stay usable, body limits by Content-Length, by chunked
// encoding and by a lying Content-Length, JSON nesting, header limits. None may reach upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as h from './harness.mjs';

const MAX_BODY = 65_536;
const MAX_HEADER = 8_192;

let stack;
let gw;
let mock;

h.useStack({ limits: { max_body_bytes: MAX_BODY, max_header_bytes: MAX_HEADER } }, (s) => {
  stack = s;
  ({ gw, mock } = s);
});

const T = { timeout: 20_000 };

const AUTH = [
  ['Authorization', `Bearer ${h.GATEWAY_KEY}`],
  ['Content-Type', 'application/json'],
];

function post(body, extraHeaders = []) {
  return { method: 'POST', path: '/v1/chat/completions', headers: [...AUTH, ...extraHeaders], body };
}

// A valid chat body padded with spaces to exactly `size` bytes.
function paddedBody(size, text = 'padded') {
  const base = JSON.stringify(h.chatBody(text));
  assert.ok(base.length <= size);
  return base.slice(0, -1) + ' '.repeat(size - base.length) + '}';
}

async function withConn(fn) {
  const conn = await h.RawHttpConnection.connect(gw.port, { sink: gw });
  try {
    return await fn(conn);
  } finally {
    conn.close();
  }
}

async function assertAlive() {
  const res = await gw.chat(h.chatBody('still alive'));
  assert.equal(res.status, 200, `gateway unhealthy after abuse: ${res.status} ${res.text}`);
}

test('malformed JSON → 400 invalid_json, and the same keep-alive socket then serves a valid request', T, async () => {
  await withConn(async (conn) => {
    const bad = await conn.request(post('{"model": "mock-gpt", "messages": [{"role": "user", "content": "x"'));
    assert.equal(bad.status, 400, bad.text);
    h.openAiError(assert, bad.json, { status: 400, type: 'invalid_request_error', code: 'invalid_json' });
    assert.ok(!/close/i.test(bad.headers.connection ?? ''), 'connection kept open after a 400');
    const good = await conn.request(post(JSON.stringify(h.chatBody('after malformed'))));
    assert.equal(good.status, 200, good.text);
    assert.equal(good.json.choices[0].message.content, h.mockReply('after malformed'));
  });
  assert.equal((await mock.chatRequests()).length, 1, 'only the valid request went upstream');
});

test('malformed body variants → 400 each, one socket, nothing upstream', T, async () => {
  const variants = [
    ['truncated', '{"model": "mock-gpt", "mess'],
    ['trailing garbage', JSON.stringify(h.chatBody('x')) + ' garbage'],
    ['two documents', JSON.stringify(h.chatBody('x')) + JSON.stringify(h.chatBody('y'))],
    ['NaN', '{"model": "mock-gpt", "temperature": NaN, "messages": [{"role": "user", "content": "x"}]}'],
    ['Infinity', '{"model": "mock-gpt", "temperature": Infinity, "messages": [{"role": "user", "content": "x"}]}'],
    ['comment', '{"model": "mock-gpt", /* c */ "messages": [{"role": "user", "content": "x"}]}'],
    ['single quotes', "{'model': 'mock-gpt'}"],
    ['empty body', ''],
    ['top-level array', '[]'],
    ['top-level string', '"hello"'],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"model": "mock-gpt", "messages": [{"role": "user", "content": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]}')])],
    ['lone surrogate escape', '{"model": "mock-gpt", "messages": [{"role": "user", "content": "\\ud800"}]}'],
  ];
  await withConn(async (conn) => {
    for (const [name, body] of variants) {
      const res = await conn.request(post(body));
      if (name === 'lone surrogate escape') {
        // Either policy is allowed (reject, or normalise); it must answer and keep the socket.
        assert.ok([200, 400].includes(res.status), `${name} → ${res.status} ${res.text}`);
        continue;
      }
      assert.equal(res.status, 400, `${name} → ${res.status} ${res.text}`);
      h.openAiError(assert, res.json, { type: 'invalid_request_error' });
    }
    const good = await conn.request(post(JSON.stringify(h.chatBody('after variants'))));
    assert.equal(good.status, 200, good.text);
  });
  const ups = await mock.chatRequests();
  assert.ok(ups.length <= 2, `${ups.length} upstream calls`);
  assert.equal(ups.at(-1).body.messages[0].content, 'after variants');
});

test('body one byte over max_body_bytes (Content-Length) → 413, nothing upstream', T, async () => {
  await withConn(async (conn) => {
    const res = await conn.request(post(paddedBody(MAX_BODY + 1)));
    assert.equal(res.status, 413, res.text);
    h.openAiError(assert, res.json, { status: 413 });
  });
  assert.equal((await mock.chatRequests()).length, 0);
  await assertAlive();
});

test('body exactly max_body_bytes is accepted', T, async () => {
  await withConn(async (conn) => {
    const res = await conn.request(post(paddedBody(MAX_BODY, 'at the limit')));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.choices[0].message.content, h.mockReply('at the limit'));
  });
});

test('Content-Length of 10 GiB with a tiny body → 413 at once, without waiting for the body', T, async () => {
  await withConn(async (conn) => {
    const started = Date.now();
    const res = await conn.request({ ...post('{"model"', [['Content-Length', String(10 * 1024 ** 3)]]), timeoutMs: 5_000 });
    assert.equal(res.status, 413, res.text);
    assert.ok(Date.now() - started < 3_000, 'answered before any body timeout');
  });
  assert.equal((await mock.chatRequests()).length, 0);
});

test('chunked body without Content-Length crossing max_body_bytes → 413', T, async () => {
  await withConn(async (conn) => {
    const head = [
      'POST /v1/chat/completions HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${h.GATEWAY_KEY}`,
      'Content-Type: application/json',
      'Transfer-Encoding: chunked',
      '',
      '',
    ].join('\r\n');
    await conn.write(head);
    const body = paddedBody(MAX_BODY * 2);
    const piece = 8_192;
    for (let i = 0; i < body.length && !conn.ended; i += piece) {
      const part = body.slice(i, i + piece);
      await conn.write(`${part.length.toString(16)}\r\n${part}\r\n`);
    }
    if (!conn.ended) await conn.write('0\r\n\r\n');
    const res = await conn.readResponse({ timeoutMs: 10_000 });
    assert.equal(res.status, 413, res.text);
  });
  assert.equal((await mock.chatRequests()).length, 0);
  await assertAlive();
});

test('chunked body under the limit is accepted', T, async () => {
  await withConn(async (conn) => {
    const body = JSON.stringify(h.chatBody('chunked ok'));
    const mid = Math.floor(body.length / 2);
    await conn.write([
      'POST /v1/chat/completions HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${h.GATEWAY_KEY}`,
      'Content-Type: application/json',
      'Transfer-Encoding: chunked',
      '',
      `${mid.toString(16)}\r\n${body.slice(0, mid)}\r\n${(body.length - mid).toString(16)}\r\n${body.slice(mid)}\r\n0\r\n\r\n`,
    ].join('\r\n'));
    const res = await conn.readResponse();
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.choices[0].message.content, h.mockReply('chunked ok'));
  });
});

test('JSON nested deeper than 64 → 400 json_too_deep', T, async () => {
  const deep = (n) => '['.repeat(n) + ']'.repeat(n);
  const cases = [
    ['extra field', `{"model":"mock-gpt","messages":[{"role":"user","content":"x"}],"metadata":${deep(100)}}`],
    ['inside content', `{"model":"mock-gpt","messages":[{"role":"user","content":${deep(100)}}]}`],
    ['objects', `{"model":"mock-gpt","messages":[{"role":"user","content":"x"}],"x":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`],
  ];
  await withConn(async (conn) => {
    for (const [name, body] of cases) {
      const res = await conn.request(post(body));
      assert.equal(res.status, 400, `${name} → ${res.status} ${res.text}`);
      h.openAiError(assert, res.json, { type: 'invalid_request_error', code: 'json_too_deep' });
    }
  });
  assert.equal((await mock.chatRequests()).length, 0);
});

test('pathological nesting ([ × 60 000) → 400, gateway stays up', T, async () => {
  await withConn(async (conn) => {
    const res = await conn.request(post('['.repeat(60_000)));
    assert.equal(res.status, 400, res.text);
  });
  await assertAlive();
});

test('one oversized header → 431', T, async () => {
  await withConn(async (conn) => {
    const res = await conn.request(post(JSON.stringify(h.chatBody('x')), [['X-Big', 'a'.repeat(MAX_HEADER + 100)]]));
    assert.equal(res.status, 431, res.text);
  });
  assert.equal((await mock.chatRequests()).length, 0);
  await assertAlive();
});

test('many small headers adding up past max_header_bytes → 431', T, async () => {
  const many = Array.from({ length: 200 }, (_, i) => [`X-Filler-${i}`, 'v'.repeat(60)]);
  await withConn(async (conn) => {
    const res = await conn.request(post(JSON.stringify(h.chatBody('x')), many));
    assert.equal(res.status, 431, res.text);
  });
  assert.equal((await mock.chatRequests()).length, 0);
});

test('headers just under the limit are accepted', T, async () => {
  await withConn(async (conn) => {
    const res = await conn.request(post(JSON.stringify(h.chatBody('big but fine')), [['X-Pad', 'p'.repeat(MAX_HEADER - 1_024)]]));
    assert.equal(res.status, 200, res.text);
  });
});

test('garbage instead of HTTP → 400 or close, gateway stays up', T, async () => {
  await withConn(async (conn) => {
    await conn.write('THIS IS NOT HTTP\r\n\r\n');
    try {
      const res = await conn.readResponse({ timeoutMs: 5_000 });
      assert.equal(res.status, 400);
    } catch (err) {
      assert.equal(err.code, 'ERR_INCOMPLETE_RESPONSE', `neither 400 nor close: ${err.message}`);
    }
  });
  await assertAlive();
});

h.secretSweepTests(() => [gw]);
