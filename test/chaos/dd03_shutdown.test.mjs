// DD-03 (RELIABILITY "Graceful shutdown") at scale: SIGTERM with K streams in flight (CI 50,
// soak 200), half of them short enough to finish inside drain_grace_ms and half far longer.
// New connections are refused at once; every short stream completes; every long one either
// completes or ends with exactly one terminal error event (never a silent cut); the upstream
// requests are all closed; exit code 0 soon after the grace deadline. (signals.test.mjs covers
// the two halves separately with 5 and 3 streams.)
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { h, pick, SOAK, startChaosStack, printFigures } from './chaos.mjs';

const K = pick(50, 200);
const GRACE_MS = 2_000;

test(`DD-03 SIGTERM with ${K} streams in flight: refused at once, short ones finish, long ones end with a terminal event, exit 0`, { timeout: SOAK ? 180_000 : 90_000 }, async () => {
  const stack = await startChaosStack({
    personas: { short: { model: 'dd03-short' }, long: { model: 'dd03-long' } },
    drainGraceMs: GRACE_MS,
  });
  try {
    const { gw, primary, keys } = stack;
    await primary.setFaults([
      { times: 0, match: { model: 'dd03-short', stream: true }, chunks: 10, chunk_delay_ms: 100 },
      { times: 0, match: { model: 'dd03-long', stream: true }, chunks: 40, chunk_delay_ms: 250 },
    ]);
    const kinds = Array.from({ length: K }, (_, i) => (i % 2 === 0 ? 'short' : 'long'));
    const firsts = [];
    const streams = kinds.map((kind, i) => {
      let seen;
      firsts.push(new Promise((resolve) => (seen = resolve)));
      const p = gw.chatStream({ model: `dd03-${kind}`, messages: [{ role: 'user', content: `${kind} ${i}` }] }, {
        key: keys[kind],
        timeoutMs: 60_000,
        onEvent: (_, count) => count >= 2 && seen(),
      }).catch((err) => ({ thrown: err }));
      return p;
    });
    await Promise.all(firsts.map((f, i) => Promise.race([f, streams[i]])));
    const termAt = Date.now();
    assert.ok(gw.proc.signal('SIGTERM'));
    await h.sleep(200);
    const outcome = await h.newConnectionOutcome(gw.port);
    const results = await Promise.all(streams);
    const exit = await gw.proc.waitExit(15_000);
    const exitedAfter = Date.now() - termAt;

    assert.match(outcome, /^refused/, `a new connection 200 ms after SIGTERM was ${outcome}`);
    let completed = 0;
    let cut = 0;
    results.forEach((r, i) => {
      const label = `${kinds[i]} stream ${i}`;
      assert.ok(!r.thrown, `${label} failed: ${r.thrown}`);
      assert.equal(r.status, 200, label);
      assert.equal(r.readError, null, `${label}: cut without a terminal event (${r.readError}) after [${r.order}]`);
      const full = h.mockReply(`${kinds[i]} ${i}`);
      if (kinds[i] === 'short') {
        assert.deepEqual(r.errors, [], `${label} should have finished inside the grace period`);
        assert.equal(r.text, full, label);
        assert.ok(r.done, `${label} ends with [DONE]`);
        completed++;
        return;
      }
      if (r.errors.length === 0) {
        assert.equal(r.text, full, label);
        assert.ok(r.done, label);
        completed++;
      } else {
        assert.equal(r.errors.length, 1, `${label}: one terminal error: ${r.order.join(',')}`);
        assert.ok(full.startsWith(r.text), `${label}: text is a prefix, not duplicated`);
        cut++;
      }
    });
    assert.ok(exit, `the gateway exited (${exitedAfter} ms after SIGTERM)`);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    assert.ok(exitedAfter <= GRACE_MS + 4_000, `exit ${exitedAfter} ms after SIGTERM with a ${GRACE_MS} ms grace`);
    assert.ok(cut > 0, 'the long streams outlived the grace period and were cut with a terminal event');
    await h.waitFor(async () => (await primary.stats()).in_flight === 0, { what: 'the mock to hold no upstream request' });
    printFigures('DD-03', { streams: K, completed, cut_with_terminal_event: cut, exit_after_sigterm_ms: exitedAfter, grace_ms: GRACE_MS });
  } finally {
    await stack.stop();
  }
});
