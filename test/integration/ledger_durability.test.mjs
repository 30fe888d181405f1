// Durability of the cost ledger (RELIABILITY DD-01, DD-03, DD-04 in part, DD-05) at the counts
// RELIABILITY gives: SIGKILL at a random point of a 1,000-completion burst, 100 times, restarting
// on the same SQLite file (GW_DD01_ROUNDS runs fewer, by hand); SIGTERM with 200 streams in
// flight; a crash with 100 reservations held open; the PostgreSQL ledger going away under a
// running gateway; SQLite with outside writers competing for its lock. Every gateway here has a
// budget, so every request reserves before its upstream call and settles before its answer.
// Evidence comes from the database itself (`sqlite3`, `psql`) and `execution-platform ledger check`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import * as h from './harness.mjs';
import { withBudget, ledgerCheck, NANOS_PER_TOKEN } from './ledger_helpers.mjs';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PG_SCRIPT = path.join(ROOT, 'scripts/pg.sh');
const PGBIN = process.env.PGBIN || '/usr/lib/postgresql/15/bin';

const everyGateway = []; // every gateway started here, swept for secrets at the end

// ---- helpers ---------------------------------------------------------------------------------

// Rows of a query as objects (sqlite3 -json); [] when the query returns nothing.
async function sqlRows(db, query) {
  const { stdout } = await run('sqlite3', ['-json', '-cmd', '.timeout 5000', db, query], { maxBuffer: 1 << 28 });
  return stdout.trim() ? JSON.parse(stdout) : [];
}

async function integrityCheck(db) {
  const { stdout } = await run('sqlite3', ['-cmd', '.timeout 5000', db, 'PRAGMA integrity_check']);
  return stdout.trim();
}

// One mock and a gateway with a budget in front of it, restartable on the same directory and
// config (so the same gw.db). `start()` (re)starts the gateway; `stop()` tears everything down.
async function openStack({ label, budget = { daily_usd: 1000 }, cost, ledgerUrl, drainGraceMs } = {}) {
  const dir = h.makeTempDir(label);
  const canary = h.canaryKey();
  let mock;
  try {
    mock = await h.startMock();
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const config = withBudget(h.baseConfig({ mockUrl: mock.url, canary, dir, drainGraceMs }), {
    persona: budget,
    cost,
    ledgerUrl,
  });
  const s = {
    dir,
    mock,
    config,
    db: path.join(dir, 'gw.db'),
    gw: null,
    async start() {
      s.gw = await h.startGateway({ config, dir, canary });
      everyGateway.push(s.gw);
      return s.gw;
    },
    check: () => ledgerCheck({ config: path.join(dir, 'config.json') }),
    async stop() {
      await s.gw?.stop();
      await mock.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await s.start();
  } catch (err) {
    await mock.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return s;
}

async function kill9(gw) {
  gw.proc.signal('SIGKILL');
  const exit = await gw.proc.exited;
  assert.equal(exit.signal, 'SIGKILL', `the gateway died of SIGKILL, not ${JSON.stringify(exit)}`);
}

// The count the startup sweep logs ("settled N reservations left open by a crash"), or 0.
function sweptAtStartup(gw) {
  const m = gw.output().match(/settled (\d+) reservations left open by a crash/);
  return m ? Number(m[1]) : 0;
}

async function assertLedgerOk(s, what) {
  const report = await s.check();
  assert.deepEqual(report.violations, [], `${what}: ledger invariants (I1–I3)`);
  assert.equal(report.ok, true, `${what}: ledger check ok`);
  return report;
}

// Every cost_event row, grouped by request id.
async function eventsById(db, idLike = '%') {
  const rows = await sqlRows(db, `SELECT request_id, attempt, cost_nanos, outcome, settlement_reason FROM cost_event WHERE request_id LIKE '${idLike}'`);
  const byId = new Map();
  for (const r of rows) {
    if (!byId.has(r.request_id)) byId.set(r.request_id, []);
    byId.get(r.request_id).push(r);
  }
  return { rows, byId };
}

async function assertNoDuplicateEvents(db, what) {
  const dups = await sqlRows(db, 'SELECT request_id, attempt, count(*) AS n FROM cost_event GROUP BY request_id, attempt HAVING n > 1');
  assert.deepEqual(dups, [], `${what}: no duplicate (request_id, attempt)`);
}

// Starts `n` streams; `ready` resolves once each has delivered `events` SSE records (or ended).
function startStreams(gw, n, { body, events = 2, ids, timeoutMs = 40_000 }) {
  const seen = [];
  const streams = [];
  for (let i = 0; i < n; i++) {
    let mark;
    seen.push(new Promise((resolve) => (mark = resolve)));
    const headers = ids ? { 'x-request-id': ids[i] } : {};
    streams.push(gw.chatStream(body(i), { headers, timeoutMs, onEvent: (_, count) => count >= events && mark() })
      .catch((err) => ({ thrown: err })));
  }
  const ready = Promise.all(seen.map((p, i) => Promise.race([p, streams[i]])));
  return { streams, ready };
}

// ---- DD-01 -----------------------------------------------------------------------------------

const DD01_ROUNDS = Number(process.env.GW_DD01_ROUNDS ?? 100);
const DD01_COMPLETIONS = 1000;

// A burst of `max` completions from `concurrency` workers; the gateway is SIGKILLed once the
// `killAfter`-th request has been sent (a random point of the burst). Returns the ids of the
// 200s and what happened to the rest.
async function burstUntilKilled(gw, { concurrency, max, killAfter, label }) {
  const completed = [];
  const other = {};
  let sent = 0;
  let killed = false;
  let reachedKillPoint;
  const killPoint = new Promise((resolve) => (reachedKillPoint = resolve));
  const worker = async () => {
    while (!killed && sent < max) {
      const i = sent++;
      if (sent >= killAfter) reachedKillPoint();
      const id = `${label}-${i}`;
      let r;
      try {
        r = await gw.chat(h.chatBody(`${label} ${i}`, { max_tokens: 20 }), {
          headers: { 'x-request-id': id },
          timeoutMs: 15_000,
        });
      } catch {
        other.connection = (other.connection ?? 0) + 1;  // cut by the kill, or sent after it
        continue;
      }
      if (r.status === 200) {
        assert.equal(r.headers.get('x-request-id'), id, 'the gateway kept the client request id');
        completed.push(id);
      } else {
        other[`http ${r.status}`] = (other[`http ${r.status}`] ?? 0) + 1;
      }
    }
    reachedKillPoint();  // the burst ended first (only if killAfter > max)
  };
  const workers = Promise.all(Array.from({ length: concurrency }, worker));
  await killPoint;
  killed = true;
  await kill9(gw);
  await workers;
  return { completed: completed.length, ids: completed, other, sent };
}

test(`DD-01: SIGKILL at a random point of a ${DD01_COMPLETIONS}-completion burst, ${DD01_ROUNDS} rounds on one SQLite file: no acknowledged event lost or doubled`, { timeout: 900_000 }, async (t) => {
  const s = await openStack({ label: 'dd01' });
  const completed = new Set();
  const kills = [];
  let crashRecovered = 0;
  let openAtKills = 0;
  try {
    // A few milliseconds upstream keep every worker's request in flight when the kill lands.
    await s.mock.setFaults([{ times: 0, delay_ms: 2 }]);
    for (let round = 1; round <= DD01_ROUNDS; round++) {
      const killAfter = 1 + Math.floor(Math.random() * (DD01_COMPLETIONS - 1));
      const b = await burstUntilKilled(s.gw, { concurrency: 32, max: DD01_COMPLETIONS, killAfter, label: `dd01-r${round}` });
      for (const id of b.ids) completed.add(id);
      // The file as the kill left it, before anything reopens it.
      assert.equal(await integrityCheck(s.db), 'ok', `round ${round}: PRAGMA integrity_check after SIGKILL`);
      const [{ n: openAtKill }] = await sqlRows(s.db, 'SELECT count(*) AS n FROM reservation');
      await s.start();
      assert.equal(sweptAtStartup(s.gw), openAtKill, `round ${round}: the startup sweep settled what the kill left open`);
      const report = await assertLedgerOk(s, `round ${round} after restart`);
      assert.equal(report.open_reservations, 0, `round ${round}: no reservation left open after the startup sweep`);
      // This round's events: none doubled, every completed request exactly once, settled from
      // its usage.
      const { rows: roundRows, byId } = await eventsById(s.db, `dd01-r${round}-%`);
      const keys = new Set(roundRows.map((e) => `${e.request_id}/${e.attempt}`));
      assert.equal(keys.size, roundRows.length, `round ${round}: no duplicate (request_id, attempt)`);
      for (const id of b.ids) {
        const ev = byId.get(id) ?? [];
        assert.equal(ev.length, 1, `round ${round}: completed request ${id} has exactly one cost_event, got ${JSON.stringify(ev)}`);
        // Settled before the answer was sent: a 200 is never left to crash recovery.
        assert.equal(ev[0].settlement_reason, 'usage', `completed ${id} was settled from its usage`);
      }
      const recovered = [...byId.values()].flat().filter((e) => e.settlement_reason === 'crash_recovery');
      assert.equal(recovered.length, openAtKill, `round ${round}: one crash_recovery event per reservation the kill left open`);
      for (const e of recovered) assert.ok(!completed.has(e.request_id), `crash recovery never touches a completed request (${e.request_id})`);
      crashRecovered += recovered.length;
      openAtKills += openAtKill;
      kills.push(killAfter);
    }
    // The last gateway serves, then stops gracefully, and the file is still whole.
    const r = await s.gw.chat(h.chatBody('after the last kill', { max_tokens: 20 }));
    assert.equal(r.status, 200, r.text);
    const exit = await s.gw.stop();
    assert.equal(exit.code, 0, `graceful stop: ${JSON.stringify(exit)}`);
    assert.equal(await integrityCheck(s.db), 'ok', 'integrity at the end');
    const final = await assertLedgerOk(s, 'at the end');
    assert.equal(final.open_reservations, 0);
    await assertNoDuplicateEvents(s.db, 'at the end');
    const { rows, byId } = await eventsById(s.db);
    for (const id of completed) assert.equal(byId.get(id)?.length, 1, `completed ${id}: one event at the end`);
    assert.equal(rows.filter((e) => e.settlement_reason === 'crash_recovery').length, crashRecovered);
    assert.ok(completed.size > 0, 'some requests completed before the kills');
    assert.ok(crashRecovered > 0, 'the kills left reservations open for the startup sweep to settle');
    kills.sort((a, b) => a - b);
    t.diagnostic(`DD-01: ${DD01_ROUNDS} rounds, killed after request ${kills[0]}…${kills.at(-1)} (median ${kills[kills.length >> 1]}) of ${DD01_COMPLETIONS}; completed ${completed.size}, open at the kills ${openAtKills}, crash-recovered ${crashRecovered}, cost_event rows ${rows.length}`);
  } finally {
    await s.stop();
  }
});

// ---- DD-03 -----------------------------------------------------------------------------------

const DD03_STREAMS = 200;

test(`DD-03: SIGTERM with ${DD03_STREAMS} streams in flight: finished or cut with a terminal event, all settled, exit 0`, { timeout: 90_000 }, async (t) => {
  const s = await openStack({ label: 'dd03', drainGraceMs: 4_000 });
  try {
    // Half the streams, ~2 s each (mock-gpt), finish inside the grace; the other half, endless
    // (the `fast` route, mock-gpt-mini), are still running at the deadline and are cut.
    await s.mock.setFaults([
      { times: 0, match: { stream: true, model: h.PRIMARY_MODEL }, chunks: 20, chunk_delay_ms: 100 },
      { times: 0, match: { stream: true, model: h.MINI_MODEL }, endless: true, chunk_delay_ms: 100 },
    ]);
    const ids = Array.from({ length: DD03_STREAMS }, (_, i) => `dd03-${i}-${h.randomId()}`);
    const isShort = (i) => i % 2 === 0;
    const { streams, ready } = startStreams(s.gw, DD03_STREAMS, {
      ids,
      body: (i) => h.chatBody(`dd03 ${i}`, isShort(i) ? {} : { model: 'fast' }),
    });
    await ready;
    const termAt = Date.now();
    assert.ok(s.gw.proc.signal('SIGTERM'));
    await h.sleep(300);
    const outcome = await h.newConnectionOutcome(s.gw.port, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: [['authorization', `Bearer ${h.GATEWAY_KEY}`], ['content-type', 'application/json']],
      body: JSON.stringify(h.chatBody('after sigterm', { max_tokens: 5 })),
    });
    assert.match(outcome, /^(refused|served 503)/, `a new connection after SIGTERM was ${outcome}`);
    const results = await Promise.all(streams);
    const exit = await s.gw.proc.waitExit(15_000);
    assert.ok(exit, 'the gateway exited after the drain');
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    let finished = 0;
    let cut = 0;
    results.forEach((r, i) => {
      assert.ok(!r.thrown, `stream ${i} failed: ${r.thrown}`);
      assert.equal(r.status, 200, `stream ${i}`);
      assert.equal(r.headers.get('x-request-id'), ids[i]);
      assert.equal(r.readError, null, `stream ${i}: connection broken without a terminal event after [${r.order}]`);
      const last = r.order.filter((o) => o !== 'done').at(-1);
      if (r.done && r.errors.length === 0) {
        finished++;
      } else {
        assert.equal(r.errors.length, 1, `stream ${i}: neither [DONE] nor one terminal error: [${r.order}]`);
        assert.equal(last, 'error', `stream ${i}: the error record is the last one`);
        assert.equal(r.errors[0].code, 'draining', `stream ${i}: cut by the drain`);
        cut++;
      }
      if (isShort(i)) assert.ok(r.done && r.errors.length === 0, `short stream ${i} finished within the grace: [${r.order}]`);
      else assert.equal(r.errors.length, 1, `endless stream ${i} was cut at the drain deadline`);
    });
    // The ledger after exit: nothing open, one event per stream, none left to crash recovery.
    assert.equal(await integrityCheck(s.db), 'ok');
    const report = await assertLedgerOk(s, 'after the drain');
    assert.equal(report.open_reservations, 0, 'every reservation settled before exit');
    const { byId } = await eventsById(s.db);
    ids.forEach((id, i) => {
      const ev = byId.get(id) ?? [];
      assert.equal(ev.length, 1, `stream ${i} (${id}) has exactly one cost_event: ${JSON.stringify(ev)}`);
      assert.notEqual(ev[0].settlement_reason, 'crash_recovery', `stream ${i} settled by the drain, not left to a sweep`);
      if (isShort(i)) assert.equal(ev[0].settlement_reason, 'usage');
      else assert.ok(ev[0].cost_nanos > 0, `cut stream ${i} is charged its metered output, not $0`);
    });
    t.diagnostic(`DD-03: ${finished} finished, ${cut} cut, exit ${Date.now() - termAt} ms after SIGTERM, new connection: ${outcome}, events ${report.events}`);
  } finally {
    await s.stop();
  }
});

// ---- DD-05 -----------------------------------------------------------------------------------

const DD05_OPEN = 100;

test(`DD-05: SIGKILL with ${DD05_OPEN} reservations open: restart settles them at the reserved amount, budget not pinned`, { timeout: 90_000 }, async (t) => {
  // Input is priced too ($100 per million tokens), so "never below input cost" means something.
  const INPUT_NANOS_PER_TOKEN = 100_000;
  const pricing = [{ provider: 'mock', model: '*', input: '100', output: '1000' }];
  const s = await openStack({ label: 'dd05', cost: { pricing } });
  try {
    // What the provider counts for a prompt as long as the held ones.
    const probe = await s.gw.chat(h.chatBody('dd05 prob 000', { max_tokens: 50 }));
    assert.equal(probe.status, 200, probe.text);
    const promptTokens = probe.json.usage.prompt_tokens;
    assert.ok(promptTokens > 0);

    await s.mock.setFaults([{ times: 0, match: { stream: true }, stall_after: 2 }]);
    const ids = Array.from({ length: DD05_OPEN }, (_, i) => `dd05-${String(i).padStart(3, '0')}-${h.randomId()}`);
    const { streams, ready } = startStreams(s.gw, DD05_OPEN, {
      ids,
      events: 2,
      body: (i) => h.chatBody(`dd05 held ${String(i).padStart(3, '0')}`, { max_tokens: 50 }),
    });
    await ready;
    const killedAt = Date.now();
    await kill9(s.gw);
    await Promise.all(streams);
    assert.equal(await integrityCheck(s.db), 'ok');
    const open = await sqlRows(s.db, "SELECT request_id, attempt, amount_nanos FROM reservation");
    assert.deepEqual(open.map((r) => r.request_id).sort(), [...ids].sort(), `exactly the ${DD05_OPEN} held streams have open reservations`);
    const reserved = new Map(open.map((r) => [r.request_id, r.amount_nanos]));

    await s.start();
    assert.equal(sweptAtStartup(s.gw), DD05_OPEN, `the startup sweep settled ${DD05_OPEN} reservations`);
    const report = await assertLedgerOk(s, 'after restart');
    assert.equal(report.open_reservations, 0);
    assert.equal(report.open_reserved_nanos, 0);
    const { byId } = await eventsById(s.db);
    for (const id of ids) {
      const ev = byId.get(id) ?? [];
      assert.equal(ev.length, 1, `${id}: one cost_event`);
      assert.equal(ev[0].settlement_reason, 'crash_recovery', `${id}`);
      assert.equal(ev[0].cost_nanos, reserved.get(id), `${id}: charged the reserved amount`);
      assert.ok(ev[0].cost_nanos >= promptTokens * INPUT_NANOS_PER_TOKEN + 50 * NANOS_PER_TOKEN,
        `${id}: ${ev[0].cost_nanos} covers the input cost (${promptTokens} tokens) and the held output`);
    }
    // The startup sweep's cutoff (INT64_MAX on SQLite) is not the events' time: they carry the
    // moment they were settled, so every time-range read (reports, `ledger check`) counts them.
    await t.test('crash-recovered events carry their recovery time and attribution and are counted by reads', async () => {
      const stamped = await sqlRows(s.db, "SELECT request_id, ts_ms, persona, provider, model FROM cost_event WHERE settlement_reason = 'crash_recovery'");
      const persona = Object.keys(s.config.personas)[0];
      for (const r of stamped) {
        assert.ok(r.ts_ms >= killedAt && r.ts_ms <= Date.now(), `${r.request_id}: ts_ms ${r.ts_ms}`);
        assert.equal(r.persona, persona, `${r.request_id}: crash-recovered spend keeps its persona`);
        assert.ok(r.provider && r.model, `${r.request_id}: and its provider/model (${r.provider}/${r.model})`);
      }
      const [{ n }] = await sqlRows(s.db, 'SELECT count(*) AS n FROM cost_event');
      assert.equal(report.events, n, 'ledger check counts every cost_event row');
    });
    const windows = await sqlRows(s.db, 'SELECT scope, period, reserved_nanos FROM budget');
    assert.ok(windows.length > 0);
    for (const w of windows) assert.equal(w.reserved_nanos, 0, `${w.scope} ${w.period} holds nothing after recovery`);
    await s.mock.clearFaults();
    const next = await s.gw.chat(h.chatBody('after recovery', { max_tokens: 50 }));
    assert.equal(next.status, 200, `a new request is admitted: ${next.text}`);
    t.diagnostic(`DD-05: ${DD05_OPEN} open at kill, ${DD05_OPEN} settled by crash_recovery, reserved ${[...reserved.values()][0]} nanos each (input ${promptTokens} tokens)`);
  } finally {
    await s.stop();
  }
});

// RELIABILITY step 8: a long stream checkpoints its metered cost on its reservation (every 256
// output tokens or 2 s), so a crash charges what it had used, not its whole reservation.
test('DD-05 with a checkpoint: SIGKILL during a long budgeted stream settles it at its last checkpoint', { timeout: 90_000 }, async () => {
  const INPUT_NANOS_PER_TOKEN = 100_000;
  const pricing = [{ provider: 'mock', model: '*', input: '100', output: '1000' }];
  const s = await openStack({ label: 'dd05cp', cost: { pricing } });
  try {
    // A stream that ignores max_tokens: 4,000 keeps its reservation ($4) far above what it meters.
    await s.mock.setFaults([{ times: 1, match: { stream: true }, endless: true, chunk_delay_ms: 2 }]);
    const id = `dd05cp-${h.randomId()}`;
    const prompt = 'dd05 checkpointed';
    const { streams, ready } = startStreams(s.gw, 1, {
      ids: [id],
      events: 400,
      body: () => h.chatBody(prompt, { max_tokens: 4000 }),
    });
    await ready;
    const held = async () => (await sqlRows(s.db, `SELECT amount_nanos, metered_nanos FROM reservation WHERE request_id = '${id}'`))[0];
    await h.waitFor(async () => (await held())?.metered_nanos > 0, { timeoutMs: 10_000, what: 'a checkpoint on the reservation' });
    await kill9(s.gw);
    await Promise.all(streams);
    const atKill = await held();
    assert.ok(atKill.metered_nanos > 0 && atKill.metered_nanos < atKill.amount_nanos, JSON.stringify(atKill));
    await s.start();
    assert.equal(sweptAtStartup(s.gw), 1, 'the startup sweep settled the stream');
    await assertLedgerOk(s, 'after restart');
    const ev = (await eventsById(s.db, id)).byId.get(id) ?? [];
    assert.equal(ev.length, 1, JSON.stringify(ev));
    assert.equal(ev[0].settlement_reason, 'crash_recovery');
    assert.equal(ev[0].cost_nanos, atKill.metered_nanos, 'charged its last checkpoint, not the reservation');
    const inputEstimate = Math.floor(Buffer.byteLength(prompt) / 3) + 4 + 16;
    assert.ok(ev[0].cost_nanos > inputEstimate * INPUT_NANOS_PER_TOKEN, 'never below the input cost');
  } finally {
    await s.stop();
  }
});

// ---- DD-04 -----------------------------------------------------------------------------------

test('DD-04a: the PostgreSQL ledger goes away: budgeted requests get 503 ledger_unavailable with Retry-After, never 200', { timeout: 90_000 }, async (t) => {
  if (!fs.existsSync(path.join(PGBIN, 'initdb'))) {
    t.skip(`no PostgreSQL server binaries in ${PGBIN} (set PGBIN): cannot start a throwaway cluster to stop`);
    return;
  }
  const pgDir = h.makeTempDir('dd04-pg');
  let pgRunning = false;
  let s;
  try {
    const port = await h.freePort();
    const { stdout } = await run('bash', [PG_SCRIPT, 'start', pgDir, String(port)], { timeout: 60_000 });
    pgRunning = true;
    const url = stdout.trim();
    assert.match(url, /^postgresql:\/\//);
    s = await openStack({ label: 'dd04a', ledgerUrl: url });
    const ok = await s.gw.chat(h.chatBody('before the outage', { max_tokens: 20 }));
    assert.equal(ok.status, 200, ok.text);
    const { stdout: n } = await run('psql', [url, '-tAc', 'SELECT count(*) FROM cost_event']);
    assert.equal(n.trim(), '1', 'the first request was recorded in PostgreSQL');

    await run('bash', [PG_SCRIPT, 'stop', pgDir], { timeout: 60_000 });
    pgRunning = false;
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(await s.gw.chat(h.chatBody(`outage ${i}`, { max_tokens: 20 }), { timeoutMs: 15_000 }));
      answers.push(await s.gw.chatStream(h.chatBody(`outage stream ${i}`, { max_tokens: 20 }), { timeoutMs: 15_000 }));
    }
    answers.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) =>
      s.gw.chat(h.chatBody(`outage burst ${i}`, { max_tokens: 20 }), { timeoutMs: 15_000 })))));
    for (const [i, r] of answers.entries()) {
      const text = r.text ?? r.raw ?? '';
      assert.doesNotMatch(text, /database is locked/i, `answer ${i}`);
      assert.equal(r.status, 503, `answer ${i} while the ledger is down: ${r.status} ${text}`);
      h.openAiError(assert, r.json, { status: 503, code: 'ledger_unavailable' });
      assert.ok(Number(r.headers.get('retry-after')) >= 1, `answer ${i}: Retry-After ${r.headers.get('retry-after')}`);
    }
    assert.equal(s.gw.proc.exitInfo, null, 'the gateway keeps running without its ledger');
    t.diagnostic(`DD-04a: 1 request recorded in PostgreSQL, then ${answers.length} budgeted requests during the outage, all 503 ledger_unavailable`);
  } finally {
    await s?.stop();
    if (pgRunning || fs.existsSync(pgDir)) await run('bash', [PG_SCRIPT, 'stop', pgDir]).catch(() => {});
  }
});

test('DD-04c: the PostgreSQL ledger goes away mid-traffic: settlements are spooled locally, replayed once it is back, none lost or doubled', { timeout: 120_000 }, async (t) => {
  if (!fs.existsSync(path.join(PGBIN, 'initdb'))) {
    t.skip(`no PostgreSQL server binaries in ${PGBIN} (set PGBIN): cannot start a throwaway cluster to stop`);
    return;
  }
  const pgDir = h.makeTempDir('dd04c-pg');
  let s;
  try {
    const port = await h.freePort();
    const { stdout } = await run('bash', [PG_SCRIPT, 'start', pgDir, String(port)], { timeout: 60_000 });
    const url = stdout.trim();
    // No budget: admission needs no ledger, so requests are served during the outage and only
    // their settlements have nowhere to go but the spool.
    s = await openStack({ label: 'dd04c', ledgerUrl: url, budget: {} });
    const ids = [];
    const first = await s.gw.chat(h.chatBody('before the outage', { max_tokens: 20 }), { headers: { 'x-request-id': 'dd04c-before' } });
    assert.equal(first.status, 200, first.text);
    ids.push('dd04c-before');

    await run('bash', [PG_SCRIPT, 'pause', pgDir], { timeout: 60_000 });
    for (let i = 0; i < 6; i++) {
      const unary = await s.gw.chat(h.chatBody(`outage ${i}`, { max_tokens: 20 }), { headers: { 'x-request-id': `dd04c-u${i}` }, timeoutMs: 15_000 });
      assert.equal(unary.status, 200, `unary ${i} during the outage: ${unary.text}`);
      const stream = await s.gw.chatStream(h.chatBody(`outage stream ${i}`, { max_tokens: 20 }), { headers: { 'x-request-id': `dd04c-s${i}` }, timeoutMs: 15_000 });
      assert.equal(stream.status, 200, `stream ${i} during the outage`);
      ids.push(`dd04c-u${i}`, `dd04c-s${i}`);
    }
    const spooled = (await s.gw.metrics()).sum('gateway_ledger_spool_total', { event: 'spooled' });
    assert.equal(spooled, 12, 'every settlement made during the outage went to the local spool');
    const [{ n: waiting }] = await sqlRows(s.db, 'SELECT count(*) AS n FROM settlement_spool');
    assert.equal(waiting, 12, 'the spool is on disk, not only in memory');

    await run('bash', [PG_SCRIPT, 'start', pgDir, String(port)], { timeout: 60_000 });
    let replayed = 0;
    for (const started = Date.now(); Date.now() - started < 30_000; await h.sleep(200)) {
      replayed = (await s.gw.metrics()).sum('gateway_ledger_spool_total', { event: 'replayed' });
      if (replayed >= 12) break;
    }
    assert.equal(replayed, 12, 'the writer replayed the spool once PostgreSQL answered again');
    const { stdout: rows } = await run('psql', [url, '-tAc', "SELECT request_id || ' ' || count(*) FROM cost_event GROUP BY request_id ORDER BY 1"]);
    const counts = new Map(rows.trim().split('\n').map((l) => l.split(' ')).map(([id, n]) => [id, Number(n)]));
    for (const id of ids) assert.equal(counts.get(id), 1, `${id}: exactly one cost_event in PostgreSQL`);
    assert.equal(counts.size, ids.length, `no other events: ${[...counts.keys()]}`);
    const [{ n: left }] = await sqlRows(s.db, 'SELECT count(*) AS n FROM settlement_spool');
    assert.equal(left, 0, 'the spool is empty again');
    t.diagnostic(`DD-04c: 1 event before, 12 spooled during the outage (6 unary, 6 streamed), 12 replayed, ${counts.size} events in PostgreSQL, each once`);
  } finally {
    await s?.stop();
    await run('bash', [PG_SCRIPT, 'stop', pgDir]).catch(() => {});
  }
});

test('DD-04b: SQLite with 50 concurrent requests and outside writers: nobody sees "database is locked"', { timeout: 60_000 }, async (t) => {
  const s = await openStack({ label: 'dd04b' });
  try {
    await s.mock.setFaults([{ times: 0, delay_ms: 20 }]);
    await run('sqlite3', ['-cmd', '.timeout 5000', s.db, 'CREATE TABLE dd04_noise (writer INTEGER, n INTEGER, pad TEXT)']);
    // Three other processes taking SQLite's write lock over and over while the burst runs.
    const script = (w) => Array.from({ length: 40 }, (_, n) =>
      `BEGIN IMMEDIATE; INSERT INTO dd04_noise VALUES (${w}, ${n}, hex(randomblob(2048))); COMMIT;`).join('\n');
    const writers = [1, 2, 3].map((w) => run('sqlite3', ['-cmd', '.timeout 10000', s.db, script(w)]));
    const ids = Array.from({ length: 50 }, (_, i) => `dd04b-${i}-${h.randomId()}`);
    const answers = await Promise.all(ids.map((id, i) => i % 2
      ? s.gw.chatStream(h.chatBody(`dd04b ${i}`, { max_tokens: 20 }), { headers: { 'x-request-id': id } })
      : s.gw.chat(h.chatBody(`dd04b ${i}`, { max_tokens: 20 }), { headers: { 'x-request-id': id } })));
    await Promise.all(writers);
    const [{ n: noise }] = await sqlRows(s.db, 'SELECT count(*) AS n FROM dd04_noise');
    assert.equal(noise, 120, 'the outside writers committed');
    for (const [i, r] of answers.entries()) {
      const text = r.text ?? r.raw ?? '';
      assert.doesNotMatch(text, /database is locked|SQLITE_BUSY/i, `answer ${i}`);
      assert.equal(r.status, 200, `answer ${i}: ${text}`);
      if (r.sse) assert.ok(r.done && r.errors.length === 0, `stream ${i} finished: [${r.order}]`);
    }
    const report = await assertLedgerOk(s, 'after the burst');
    assert.equal(report.open_reservations, 0);
    const { byId } = await eventsById(s.db);
    for (const id of ids) assert.equal(byId.get(id)?.length, 1, `${id}: one cost_event`);
    const busyLogged = s.gw.output().split('\n').filter((l) => /database is locked|SQLITE_BUSY/i.test(l)).length;
    t.diagnostic(`DD-04b: 50 requests (25 streamed) with 3×40 outside write transactions: all 200, ${busyLogged} busy lines in the gateway log`);
  } finally {
    await s.stop();
  }
});

h.secretSweepTests(() => everyGateway);
