// RELIABILITY DD-02, power-loss simulation (docs/adr/0009-ledger-durability-dd02.md): the ledger
// driver settles cost events one by one, acknowledging each on stdout, under an LD_PRELOAD shim
// that keeps every write to ledger.db* not yet covered by fsync in memory. SIGKILL then loses
// exactly what a power cut would. With synchronous=FULL every acknowledged event must be on disk;
// with NORMAL some must be missing (else the shim simulates nothing), and without the shim (a
// process crash, not a power cut) NORMAL loses nothing. Binaries: <dir of GW_BIN>/test/dd02/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { GW_BIN, makeTempDir, sleep } from './harness.mjs';

const run = promisify(execFile);
const BIN_DIR = path.join(path.dirname(GW_BIN), 'test/dd02');
const DRIVER = path.join(BIN_DIR, 'dd02_driver');
const SHIM = path.join(BIN_DIR, 'libdd02_shim.so');
const RUNS = 5;
const FIRST_ACK_TIMEOUT_MS = 20_000;

const missing = [DRIVER, SHIM].filter((f) => !fs.existsSync(f));
const T = { skip: missing.length ? `not built: ${missing.join(', ')} (ninja dd02_driver dd02_shim)` : false };

// Lines "acked <n>" from the driver's stdout; a line cut by the kill is not an acknowledgement.
function ackedNumbers(stdout) {
  const acked = [];
  for (const line of stdout.split('\n')) {
    const m = /^acked (\d+)$/.exec(line);
    if (m) acked.push(Number(m[1]));
  }
  return acked;
}

// Runs the driver, cuts it with SIGKILL 300–800 ms after its first acknowledgement, and reads
// back what survived, without the shim: {acked, survived, lost, integrity}.
async function powerCut(mode, { shim = true } = {}) {
  const dir = makeTempDir('dd02');
  const db = path.join(dir, 'ledger.db');
  try {
    const env = { ...process.env, ASAN_OPTIONS: 'verify_asan_link_order=0:detect_leaks=0' };
    if (shim) Object.assign(env, { LD_PRELOAD: SHIM, DD02_MATCH: 'ledger.db' });
    const child = spawn(DRIVER, [db, mode], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

    const started = Date.now();
    while (!stdout.includes('acked ') && child.exitCode === null && Date.now() - started < FIRST_ACK_TIMEOUT_MS) {
      await sleep(10);
    }
    assert.ok(stdout.includes('acked '), `driver acknowledged nothing (exit ${child.exitCode}): ${stderr}`);
    await sleep(300 + Math.floor(Math.random() * 500));
    child.kill('SIGKILL');
    const { signal } = await exited;
    assert.equal(signal, 'SIGKILL', `driver ended before the cut: ${stderr}`);

    const acked = ackedNumbers(stdout);
    const integrity = (await run('sqlite3', ['-cmd', '.timeout 5000', db, 'PRAGMA integrity_check'])).stdout.trim();
    const rows = (await run('sqlite3', ['-cmd', '.timeout 5000', db, 'SELECT request_id FROM cost_event'])).stdout;
    const present = new Set(rows.split('\n').filter(Boolean));
    const lost = acked.filter((n) => !present.has(`e${n}`));
    return { acked: acked.length, survived: present.size, lost: lost.length, integrity };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function series(t, mode, options) {
  const results = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await powerCut(mode, options);
    results.push(r);
    const line = `DD-02 ${mode}${options?.shim === false ? ' (no shim)' : ''} run ${i + 1}: acked ${r.acked}, survived ${r.survived}, lost ${r.lost}, integrity ${r.integrity}`;
    t.diagnostic(line);
    assert.equal(r.integrity, 'ok', line);
  }
  return results;
}

const total = (results, key) => results.reduce((sum, r) => sum + r[key], 0);

// The shim on its own, with dash and dd: a process reads back what it wrote, the disk keeps only
// what was fsync'd, and files that do not match DD02_MATCH are written as usual.
test('DD-02 shim: unsynced writes are visible in-process and gone from disk; fsync makes them stick', T, async () => {
  const dir = makeTempDir('dd02-shim');
  try {
    const env = { ...process.env, LD_PRELOAD: SHIM, DD02_MATCH: 'ledger.db' };
    const file = (name) => path.join(dir, name);
    const { stdout } = await run('sh', ['-c', `printf 'hello\\n' > '${file('a.ledger.db')}' && read line < '${file('a.ledger.db')}' && echo "$line"`], { env });
    assert.equal(stdout, 'hello\n', 'the writer reads its own unsynced write');
    assert.equal(fs.statSync(file('a.ledger.db')).size, 0, 'an unsynced write never reached the disk');
    const dd = (name, ...extra) => run('dd', ['if=/dev/zero', `of=${file(name)}`, 'bs=100', 'count=3', 'status=none', ...extra], { env });
    await dd('synced.ledger.db', 'conv=fsync');
    await dd('unsynced.ledger.db');
    await dd('other.db');
    assert.equal(fs.statSync(file('synced.ledger.db')).size, 300);
    assert.equal(fs.statSync(file('unsynced.ledger.db')).size, 0);
    assert.equal(fs.statSync(file('other.db')).size, 300, 'a file outside DD02_MATCH is untouched');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('DD-02 synchronous=FULL: no acknowledged cost event is lost across 5 power cuts', T, async (t) => {
  const results = await series(t, 'full');
  for (const r of results) assert.equal(r.lost, 0, `FULL lost ${r.lost} of ${r.acked} acknowledged events`);
  assert.ok(total(results, 'acked') > 0);
});

test('DD-02 the gateway\'s path (unsynced group commits, WAL fdatasync before the acknowledgement): no acknowledged cost event is lost across 5 power cuts', T, async (t) => {
  const results = await series(t, 'service');
  for (const r of results) assert.equal(r.lost, 0, `the ledger service lost ${r.lost} of ${r.acked} acknowledged events`);
  assert.ok(total(results, 'acked') > 0);
});

test('DD-02 synchronous=NORMAL: power cuts lose acknowledged cost events (the reason for FULL)', T, async (t) => {
  const results = await series(t, 'normal');
  const lost = total(results, 'lost');
  t.diagnostic(`DD-02 normal: lost ${lost} of ${total(results, 'acked')} acknowledged events in ${RUNS} cuts`);
  assert.ok(lost > 0, 'NORMAL lost nothing: the shim is not dropping unsynced writes');
});

test('DD-02 control: without the shim a SIGKILL (process crash, not power loss) loses nothing, even with NORMAL', T, async (t) => {
  const results = await series(t, 'normal', { shim: false });
  for (const r of results) assert.equal(r.lost, 0, `a process crash lost ${r.lost} events`);
});
