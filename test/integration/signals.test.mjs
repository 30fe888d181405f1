// Process lifecycle (RELIABILITY DD-03, DESIGN §4): SIGTERM stops accepting at once, drains
// in-flight streams (or cuts them with a terminal event at the grace deadline) and exits 0;
// SIGHUP reloads the config atomically, and a bad file is rejected while the old config keeps
// serving. Each SIGTERM case runs its own gateway.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import * as h from './harness.mjs';

const drained = []; // gateways stopped by the SIGTERM cases, swept for secrets at the end

// Starts `n` streams and resolves once each has delivered its first content event.
function startStreams(gw, n, label) {
  const firsts = [];
  const streams = [];
  for (let i = 0; i < n; i++) {
    let seen;
    firsts.push(new Promise((resolve) => (seen = resolve)));
    streams.push(gw.chatStream(h.chatBody(`${label} ${i}`), {
      timeoutMs: 40_000,
      onEvent: (ev, count) => {
        if (count >= 2) seen();
      },
    }));
  }
  const allStarted = Promise.all(firsts.map((f, i) => Promise.race([f, streams[i].then(() => {})])));
  return { streams, allStarted };
}

test('SIGTERM with 5 slow streams in flight: all complete, new connections refused, exit 0', { timeout: 60_000 }, async () => {
  const s = await h.startStack({ drainGraceMs: 20_000 });
  drained.push(s.gw);
  try {
    await s.mock.setFaults([{ times: 0, match: { stream: true }, chunks: 10, chunk_delay_ms: 150 }]);
    const { streams, allStarted } = startStreams(s.gw, 5, 'drain');
    await allStarted;
    const termAt = Date.now();
    assert.ok(s.gw.proc.signal('SIGTERM'));
    await h.sleep(300);
    const outcome = await h.newConnectionOutcome(s.gw.port);
    const results = await Promise.all(streams);
    const lastDone = Date.now();
    assert.match(outcome, /^refused/, `a new connection after SIGTERM was ${outcome}`);
    results.forEach((r, i) => {
      assert.equal(r.status, 200);
      assert.equal(r.readError, null, `stream ${i}: connection broken (${r.readError}) after [${r.order}]`);
      assert.equal(r.errors.length, 0, `stream ${i} cut: ${JSON.stringify(r.errors)}`);
      assert.equal(r.text, h.mockReply(`drain ${i}`), `stream ${i} text`);
      assert.ok(r.done, `stream ${i} ends with [DONE]`);
    });
    assert.ok(lastDone - termAt > 300, 'streams were still running when SIGTERM arrived');
    const exit = await s.gw.proc.waitExit(10_000);
    assert.ok(exit, 'gateway exited after draining');
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    assert.ok(Date.now() - lastDone < 5_000, 'exit soon after the last stream, not at the grace deadline');
  } finally {
    await s.stop();
  }
});

test('SIGTERM with streams longer than drain_grace_ms: cut with a terminal event, exit 0 near the deadline', { timeout: 60_000 }, async () => {
  const s = await h.startStack({ drainGraceMs: 1_500 });
  drained.push(s.gw);
  try {
    await s.mock.setFaults([{ times: 0, match: { stream: true }, chunks: 20, chunk_delay_ms: 500 }]);
    const { streams, allStarted } = startStreams(s.gw, 3, 'cut');
    await allStarted;
    const termAt = Date.now();
    s.gw.proc.signal('SIGTERM');
    const results = await Promise.all(streams.map((p) => p.catch((err) => ({ thrown: err }))));
    const exit = await s.gw.proc.waitExit(10_000);
    assert.ok(exit, 'gateway exited');
    assert.equal(exit.code, 0, JSON.stringify(exit));
    const exitedAfter = Date.now() - termAt;
    assert.ok(exitedAfter < 1_500 + 4_000, `exit ${exitedAfter} ms after SIGTERM with a 1500 ms grace`);
    results.forEach((r, i) => {
      assert.ok(!r.thrown, `stream ${i} failed: ${r.thrown}`);
      assert.equal(r.readError, null,
        `stream ${i}: connection broken without a terminal event (${r.readError}) after records [${r.order}]`);
      assert.ok(r.errors.length === 1 || r.done, `stream ${i}: neither finished nor cut with an error record: ${r.order.join(',')}`);
      if (!r.done || r.errors.length) assert.equal(r.errors.length, 1);
      assert.ok(h.mockReply(`cut ${i}`).startsWith(r.text), `stream ${i} text is a prefix, not duplicated`);
    });
  } finally {
    await s.stop();
  }
});

test('SIGTERM on an idle gateway with an idle keep-alive connection exits 0 promptly', { timeout: 30_000 }, async () => {
  const s = await h.startStack({ drainGraceMs: 20_000 });
  drained.push(s.gw);
  try {
    const conn = await h.RawHttpConnection.connect(s.gw.port);
    const res = await conn.request({ method: 'GET', path: '/healthz' });
    assert.equal(res.status, 200);
    const termAt = Date.now();
    s.gw.proc.signal('SIGTERM');
    const exit = await s.gw.proc.waitExit(10_000);
    conn.close();
    assert.ok(exit, 'exited');
    assert.equal(exit.code, 0);
    assert.ok(Date.now() - termAt < 3_000, `idle keep-alive held the drain for ${Date.now() - termAt} ms`);
  } finally {
    await s.stop();
  }
});

// ---- SIGHUP --------------------------------------------------------------------------------

let stack;
let gw;
const KEY2 = 'gw-test-key-second';

before(async () => {
  stack = await h.startStack();
  gw = stack.gw;
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

function configWith(mutate) {
  const c = structuredClone(gw.config);
  mutate(c);
  return c;
}

async function reloads(result) {
  return (await gw.metrics()).sum('gateway_config_reloads_total', { result });
}

test('SIGHUP with a good config: a new key starts working, old key keeps working', { timeout: 30_000 }, async () => {
  const okBefore = await reloads('ok');
  assert.equal((await gw.chat(h.chatBody('k2'), { key: KEY2 })).status, 401);
  const next = configWith((c) => c.keys.push({ key: KEY2, persona: h.PERSONA, name: 'second' }));
  await gw.reload(next);
  gw.config = next;
  await h.waitFor(async () => (await gw.chat(h.chatBody('k2'), { key: KEY2 })).status === 200, { what: 'the new key to work' });
  const res = await gw.chat(h.chatBody('old key'));
  assert.equal(res.status, 200);
  assert.equal(await reloads('ok'), okBefore + 1);
  assert.ok(gw.proc.exitInfo === null, 'still running');
});

for (const [name, bad] of [
  ['unparsable JSON', '{"version": 1, "providers": {'],
  ['schema-invalid (version 2, unknown persona provider)', null],
]) {
  test(`SIGHUP with a bad config (${name}) is rejected and the old config keeps serving`, { timeout: 30_000 }, async () => {
    const rejectedBefore = await reloads('rejected');
    const okBefore = await reloads('ok');
    const stderrBefore = gw.proc.stderr.length;
    const text = bad ?? JSON.stringify(configWith((c) => {
      c.version = 2;
      c.personas[h.PERSONA].provider = 'nonexistent';
      c.keys = [{ key: 'gw-would-be-new', persona: h.PERSONA }];
    }));
    h.writeConfigFile(gw.configPath, text);
    gw.proc.signal('SIGHUP');
    await h.waitFor(async () => (await reloads('rejected')) >= rejectedBefore + 1, { what: 'reloads_total{result="rejected"}' });
    assert.equal(await reloads('ok'), okBefore);
    for (const key of [h.GATEWAY_KEY, KEY2]) {
      const res = await gw.chat(h.chatBody(`after bad reload, key #${[h.GATEWAY_KEY, KEY2].indexOf(key)}`), { key });
      assert.equal(res.status, 200, `${key}: ${res.text}`);
    }
    assert.equal((await gw.chat(h.chatBody('x'), { key: 'gw-would-be-new' })).status, 401);
    assert.ok(gw.proc.stderr.length > stderrBefore, 'the rejection is logged on stderr');
    assert.ok(gw.proc.exitInfo === null);
    // Restore a good file so later reloads start from a valid config.
    h.writeConfigFile(gw.configPath, gw.config);
  });
}

test('SIGHUP removing a key revokes it; a stream in flight during the reload completes', { timeout: 30_000 }, async () => {
  await stack.mock.reset();
  await stack.mock.setFaults([{ times: 1, match: { stream: true }, chunks: 8, chunk_delay_ms: 150 }]);
  let started;
  const first = new Promise((r) => (started = r));
  const inflight = gw.chatStream(h.chatBody('across reload'), { key: KEY2, onEvent: (_, n) => n >= 2 && started() });
  await Promise.race([first, inflight]);
  const next = configWith((c) => {
    c.keys = c.keys.filter((k) => k.key !== KEY2);
  });
  await gw.reload(next);
  gw.config = next;
  await h.waitFor(async () => (await gw.chat(h.chatBody('revoked'), { key: KEY2 })).status === 401, { what: 'the removed key to be refused' });
  const s = await inflight;
  assert.equal(s.status, 200);
  assert.equal(s.errors.length, 0);
  assert.equal(s.text, h.mockReply('across reload'));
  assert.ok(s.done);
  assert.equal((await gw.chat(h.chatBody('still'))).status, 200);
});

h.secretSweepTests(() => [gw, ...drained], [h.GATEWAY_KEY, KEY2]);
