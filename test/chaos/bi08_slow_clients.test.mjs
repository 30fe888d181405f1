// BI-08 (RELIABILITY "Slow clients"): a client that reads nothing of an endless stream is cut
// after write_timeout_ms and its upstream request is closed; a client that sends its headers a
// byte at a time is cut by header_timeout_ms; a crowd of slow connections barely moves a
// legitimate request's latency. Limits here: write and header timeouts of 1 s.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import { h, pick, startChaosStack, drained, metric, percentile, printFigures } from './chaos.mjs';

const WRITE_TIMEOUT_MS = 1_000;
const HEADER_TIMEOUT_MS = 1_000;
const BODY_TIMEOUT_MS = 1_000;
const SLOW_CONNECTIONS = pick(200, 2_000);

let stack;

before(async () => {
  stack = await startChaosStack({
    personas: { slow: { model: 'bi08' } },
    // The crowd comes from one address: keep the per-IP cap (bi08_connection_cap) out of its way.
    limits: { write_timeout_ms: WRITE_TIMEOUT_MS, header_timeout_ms: HEADER_TIMEOUT_MS, body_timeout_ms: BODY_TIMEOUT_MS,
      max_connections_per_ip: SLOW_CONNECTIONS * 4 },
  });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await Promise.all([stack.primary.reset(), stack.backup.reset()]);
});

function rawSocket(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

// Resolves with the time the peer closed (or reset) the socket, or null after `timeoutMs`.
function closedWithin(socket, timeoutMs) {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), timeoutMs);
    const done = () => {
      clearTimeout(t);
      resolve(Date.now());
    };
    socket.once('close', done);
    socket.once('end', done);
    socket.once('error', done);
  });
}

test(`BI-08 a client that reads nothing of an endless stream is cut after write_timeout_ms (${WRITE_TIMEOUT_MS} ms); its upstream is closed`, { timeout: 60_000 }, async () => {
  const { gw, primary, keys } = stack;
  const before = await metric(gw, 'gateway_client_write_timeouts_total');
  await primary.setFaults([{ times: 1, match: { model: 'bi08' }, endless: true, chunk_delay_ms: 0 }]);
  const socket = await rawSocket(gw.port);
  socket.pause(); // never read: the socket buffers fill, then the gateway's writes block
  const body = JSON.stringify({ model: 'bi08', stream: true, messages: [{ role: 'user', content: 'flood me '.repeat(200) }] });
  socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${keys.slow}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const started = Date.now();
  await h.waitFor(async () => (await primary.stats()).in_flight === 1, { what: 'the endless upstream to start' });
  // Buffers of a few MB fill in seconds; then the write timeout must cut the client.
  await h.waitFor(async () => (await metric(gw, 'gateway_client_write_timeouts_total')) >= before + 1,
    { timeoutMs: 40_000, intervalMs: 250, what: 'gateway_client_write_timeouts_total to increment' });
  const cutAfter = Date.now() - started;
  await drained(primary, 5_000);
  socket.destroy();
  printFigures('BI-08-write-timeout', { write_timeout_ms: WRITE_TIMEOUT_MS, cut_after_ms: cutAfter });
});

test(`BI-08 a client sending its headers one byte at a time is cut by header_timeout_ms (${HEADER_TIMEOUT_MS} ms)`, { timeout: 30_000 }, async () => {
  const { gw } = stack;
  const socket = await rawSocket(gw.port);
  const received = [];
  socket.on('data', (d) => received.push(d));
  const request = 'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Padding: ' + 'a'.repeat(100);
  const started = Date.now();
  const closed = closedWithin(socket, HEADER_TIMEOUT_MS + 5_000);
  let i = 0;
  const dribble = setInterval(() => {
    if (i < request.length && !socket.destroyed) socket.write(request[i++]);
  }, 250);
  const closedAt = await closed;
  clearInterval(dribble);
  socket.destroy();
  assert.ok(closedAt, `still open ${HEADER_TIMEOUT_MS + 5_000} ms after the first byte (sent ${i} bytes)`);
  const after = closedAt - started;
  assert.ok(after >= HEADER_TIMEOUT_MS - 100, `cut after ${after} ms, before the header timeout`);
  assert.ok(after <= HEADER_TIMEOUT_MS + 2_500, `cut after ${after} ms`);
  const text = Buffer.concat(received).toString('latin1');
  assert.ok(text === '' || /^HTTP\/1\.1 408 /.test(text), `a 408 or nothing: ${JSON.stringify(text.slice(0, 200))}`);
  printFigures('BI-08-header-timeout', { header_timeout_ms: HEADER_TIMEOUT_MS, cut_after_ms: after, bytes_sent: i });
});

test(`BI-08 a slow POST body (a byte every 1.5 s) is cut by body_timeout_ms (${BODY_TIMEOUT_MS} ms), nothing goes upstream`, { timeout: 30_000 }, async () => {
  const { gw, primary, keys } = stack;
  const socket = await rawSocket(gw.port);
  const received = [];
  socket.on('data', (d) => received.push(d));
  const body = JSON.stringify({ model: 'bi08', messages: [{ role: 'user', content: 'slow body' }] });
  socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${keys.slow}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
  const started = Date.now();
  const closed = closedWithin(socket, BODY_TIMEOUT_MS + 6_000);
  let i = 0;
  const dribble = setInterval(() => {
    if (i < body.length && !socket.destroyed) socket.write(body[i++]);
  }, 1_500);
  const closedAt = await closed;
  clearInterval(dribble);
  socket.destroy();
  assert.ok(closedAt, `still open ${BODY_TIMEOUT_MS + 6_000} ms into the body (sent ${i} bytes)`);
  const after = closedAt - started;
  assert.ok(after >= BODY_TIMEOUT_MS - 100 && after <= BODY_TIMEOUT_MS + 3_000, `cut after ${after} ms`);
  const text = Buffer.concat(received).toString('latin1');
  assert.ok(text === '' || /^HTTP\/1\.1 408 /.test(text), `a 408 or nothing: ${JSON.stringify(text.slice(0, 200))}`);
  assert.equal((await primary.chatRequests()).length, 0, 'a half-received request never goes upstream');
  printFigures('BI-08-body-timeout', { body_timeout_ms: BODY_TIMEOUT_MS, cut_after_ms: after, bytes_sent: i });
});

test(`BI-08 ${SLOW_CONNECTIONS} slow-header connections barely move a legitimate request's latency`, { timeout: 120_000 }, async () => {
  const { gw, keys } = stack;
  // Sequential legitimate requests for `spanMs` (and at least 40), 20 ms apart.
  const legit = async (spanMs) => {
    const ms = [];
    const until = Date.now() + spanMs;
    for (let i = 0; Date.now() < until || ms.length < 40; i++) {
      const t0 = Date.now();
      const r = await gw.chat({ model: 'bi08', messages: [{ role: 'user', content: `legit ${i}` }] }, { key: keys.slow });
      ms.push(Date.now() - t0);
      assert.equal(r.status, 200, r.text);
      await h.sleep(20);
    }
    return ms;
  };
  await legit(0); // warm up
  const quiet = await legit(3_000);

  // The crowd: each connection dribbles a header byte every 500 ms and is replaced as soon as
  // the gateway cuts it, so SLOW_CONNECTIONS stay open throughout the measurement.
  let stop = false;
  let opened = 0;
  let cut = 0;
  const live = new Set();
  const slowClient = async () => {
    while (!stop) {
      let s;
      try {
        s = await rawSocket(gw.port);
      } catch {
        await h.sleep(50);
        continue;
      }
      opened++;
      live.add(s);
      s.on('error', () => {});
      const header = 'GET /healthz HTTP/1.1\r\nX-Slow: ' + 'b'.repeat(64);
      let i = 0;
      const t = setInterval(() => {
        if (!s.destroyed) s.write(header[i++ % header.length]);
      }, 500);
      await new Promise((resolve) => s.once('close', resolve));
      clearInterval(t);
      live.delete(s);
      if (!stop) cut++;
    }
  };
  const crowd = Array.from({ length: SLOW_CONNECTIONS }, () => slowClient());
  await h.waitFor(() => live.size >= SLOW_CONNECTIONS * 0.9, { timeoutMs: 20_000, what: 'slow connections to open' });
  // Measure across several header-timeout periods, so the gateway is busy cutting and the
  // crowd reconnecting while the legitimate requests run.
  const loaded = await legit(3 * HEADER_TIMEOUT_MS + 500);
  stop = true;
  for (const s of live) s.destroy();
  await Promise.all(crowd);

  const figures = {
    slow_connections: SLOW_CONNECTIONS,
    opened,
    cut_by_gateway: cut,
    p50_quiet_ms: percentile(quiet, 50),
    p99_quiet_ms: percentile(quiet, 99),
    samples: [quiet.length, loaded.length],
    p50_loaded_ms: percentile(loaded, 50),
    p99_loaded_ms: percentile(loaded, 99),
  };
  printFigures('BI-08-slow-crowd', figures);
  assert.ok(cut > 0, 'the header timeout cut slow connections during the measurement');
  // RELIABILITY asks for < 20 % p99 regression on production hardware; on a shared 2-core
  // sanitizer build (the crowd's churn runs on the same cores) the bound is 3× + 100 ms, which a
  // worker blocked by slow clients would still blow through (a header timeout per request).
  assert.ok(figures.p99_loaded_ms <= 3 * figures.p99_quiet_ms + 100,
    `p99 ${figures.p99_loaded_ms} ms with ${SLOW_CONNECTIONS} slow connections vs ${figures.p99_quiet_ms} ms without`);
});
