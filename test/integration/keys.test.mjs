// Gateway keys created at run time: POST /admin/keys (admin keys only) creates a key that works
// at once, is listed without its secret and stops working when revoked; the CLI (`keys create`,
// `keys revoke`, another process on the same database) takes effect in the running gateway
// within 3 s; bad input is a 400 naming the field; scopes limit what a key may do. With the
// ledger on PostgreSQL the keys live there, shared by every gateway instance on it.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import * as h from './harness.mjs';
import { PRICING, pgSchemaUrl } from './ledger_helpers.mjs';

const run = promisify(execFile);
const PG_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/pg.sh');
const PGBIN = process.env.PGBIN || '/usr/lib/postgresql/15/bin';

let gw;
let mock;

// Priced, so a stored key's budget can be reserved against (list prices do not cover the mock).
h.useStack({ tweak: (c) => { c.cost = { pricing: PRICING }; } }, (s) => {
  ({ gw, mock } = s);
});

const T = { timeout: 30_000 };

function admin(method, p, body, key = h.ADMIN_KEY) {
  return gw.request(p, { method, key, body });
}

async function createKey(body) {
  const res = await admin('POST', '/admin/keys', body);
  assert.equal(res.status, 201, res.text);
  return res.json;
}

// Runs the binary once (env as the harness gives the gateway, so the config's env: keys resolve).
function runCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(h.GW_BIN, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GW_TEST_KEY: h.GATEWAY_KEY, GW_ADMIN_KEY: h.ADMIN_KEY },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// The key, or any 12-character window of it past the 8-character hint that listings show.
function assertNoSecret(text, key) {
  assert.ok(!text.includes(key), 'the key itself leaked');
  const tail = key.slice(8);
  for (let i = 0; i + 12 <= tail.length; i += 4) {
    const form = tail.slice(i, i + 12);
    assert.ok(!text.includes(form), `secret fragment ${form} leaked in ${text.slice(0, 300)}`);
  }
}

test('POST /admin/keys creates a key that chats, is listed without its secret, and revoke ends it', T, async () => {
  const created = await createKey({ name: 'api-made', persona: h.PERSONA, scopes: ['chat'] });
  assert.match(created.key, /^gwk_[A-Za-z0-9_-]{43}$/);
  assert.match(created.id, /^key_[0-9a-f]{12}$/);
  assert.equal(created.hint, created.key.slice(0, 8));
  assert.deepEqual(created.personas, [h.PERSONA]);
  assert.equal(created.status, 'active');

  const chat = await gw.chat(h.chatBody('stored key'), { key: created.key });
  assert.equal(chat.status, 200, chat.text);
  assert.equal(chat.json.choices[0].message.content, h.mockReply('stored key'));
  const line = await gw.waitForAccessLog((l) => l.request_id === chat.headers.get('x-request-id'));
  assert.equal(line?.key, 'api-made', 'the access log names the key by its name');

  const list = await admin('GET', '/admin/keys');
  assert.equal(list.status, 200, list.text);
  const listed = list.json.keys.find((k) => k.id === created.id);
  assert.ok(listed, `listed: ${list.text}`);
  assert.equal(listed.name, 'api-made');
  assert.equal(listed.hint, created.key.slice(0, 8));
  assert.ok(!('key' in listed), 'no key field in listings');
  assertNoSecret(list.text, created.key);

  const one = await admin('GET', `/admin/keys/${created.id}`);
  assert.equal(one.status, 200);
  assertNoSecret(one.text, created.key);

  const revoked = await admin('DELETE', `/admin/keys/${created.id}`);
  assert.equal(revoked.status, 200, revoked.text);
  assert.deepEqual(revoked.json, { id: created.id, revoked: true });

  const refused = await gw.chat(h.chatBody('after revoke'), { key: created.key });
  assert.equal(refused.status, 401, refused.text);
  h.openAiError(assert, refused.json, { type: 'authentication_error', code: 'key_revoked' });
  const after = await admin('GET', `/admin/keys/${created.id}`);
  assert.equal(after.json.status, 'revoked');
  assert.ok(after.json.revoked_at);

  const missing = await admin('DELETE', '/admin/keys/key_000000000000');
  assert.equal(missing.status, 404);
  h.openAiError(assert, missing.json, { code: 'key_not_found' });
  assertNoSecret(gw.output(), created.key);
});

test('/admin/keys needs an admin key: others get 403, no key 401', T, async () => {
  const plain = await admin('GET', '/admin/keys', undefined, h.GATEWAY_KEY);
  assert.equal(plain.status, 403, plain.text);
  h.openAiError(assert, plain.json, { type: 'permission_error', code: 'admin_only' });
  const post = await admin('POST', '/admin/keys', { name: 'x', persona: h.PERSONA }, h.GATEWAY_KEY);
  assert.equal(post.status, 403);

  const stored = await createKey({ name: 'stored-user', persona: h.PERSONA });
  const byStored = await admin('GET', '/admin/keys', undefined, stored.key);
  assert.equal(byStored.status, 403, 'a stored user key is not an admin');

  const storedAdmin = await createKey({ name: 'stored-admin', persona: h.PERSONA, role: 'admin' });
  const byStoredAdmin = await admin('GET', '/admin/keys', undefined, storedAdmin.key);
  assert.equal(byStoredAdmin.status, 200, 'a stored admin key may use the admin endpoints');

  const none = await admin('GET', '/admin/keys', undefined, null);
  assert.equal(none.status, 401);
});

test('bad input to POST /admin/keys is a 400 naming the field', T, async () => {
  const cases = [
    [{ persona: h.PERSONA }, 'name'],
    [{ name: 'x', persona: 'nobody' }, 'persona'],
    [{ name: 'x', persona: h.PERSONA, expires_at: 'next week' }, 'expires_at'],
    [{ name: 'x', persona: h.PERSONA, expires_in_days: -1 }, 'expires_in_days'],
    [{ name: 'x', persona: h.PERSONA, role: 'root' }, 'role'],
    [{ name: 'x', persona: h.PERSONA, expires_in_day: 3 }, 'expires_in_day'],
  ];
  for (const [body, param] of cases) {
    const res = await admin('POST', '/admin/keys', body);
    assert.equal(res.status, 400, `${JSON.stringify(body)} -> ${res.text}`);
    const e = h.openAiError(assert, res.json, { type: 'invalid_request_error' });
    assert.equal(e.param, param, JSON.stringify(body));
  }
  const notJson = await admin('POST', '/admin/keys', 'not json');
  assert.equal(notJson.status, 400);
});

test('a key without the "chat" scope may not chat; an expiry in the future still works', T, async () => {
  const reader = await createKey({ name: 'reader', persona: h.PERSONA, scopes: ['cost:read'] });
  const res = await gw.chat(h.chatBody('no scope'), { key: reader.key });
  assert.equal(res.status, 403, res.text);
  h.openAiError(assert, res.json, { code: 'scope_not_permitted' });

  const dated = await createKey({ name: 'dated', persona: h.PERSONA, expires_in_days: 1 });
  assert.ok(Date.parse(dated.expires_at) > Date.now());
  const ok = await gw.chat(h.chatBody('dated'), { key: dated.key });
  assert.equal(ok.status, 200, ok.text);
});

test('keys created and revoked with the CLI take effect in the running gateway within 3 s', T, async () => {
  const made = await runCli(['keys', 'create', '--config', gw.configPath, '--name', 'cli-made',
    '--persona', h.PERSONA, '--scope', 'chat']);
  assert.equal(made.code, 0, made.stderr);
  const key = made.stdout.match(/gwk_[A-Za-z0-9_-]{43}/)?.[0];
  const id = made.stdout.match(/key_[0-9a-f]{12}/)?.[0];
  assert.ok(key && id, made.stdout);

  const started = Date.now();
  await h.waitFor(async () => (await gw.chat(h.chatBody('cli key'), { key })).status === 200,
    { timeoutMs: 3_000, intervalMs: 100, what: 'the CLI-made key to be accepted' });
  const acceptedMs = Date.now() - started;

  const listed = await runCli(['keys', 'list', '--config', gw.configPath, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const entry = JSON.parse(listed.stdout).keys.find((k) => k.id === id);
  assert.equal(entry?.name, 'cli-made');
  assertNoSecret(listed.stdout, key);
  const table = await runCli(['keys', 'list', '--config', gw.configPath]);
  assert.equal(table.code, 0);
  assert.ok(table.stdout.includes(id));
  assertNoSecret(table.stdout, key);

  const revoked = await runCli(['keys', 'revoke', '--config', gw.configPath, id]);
  assert.equal(revoked.code, 0, revoked.stderr);
  const revokedAt = Date.now();
  const refused = await h.waitFor(async () => {
    const r = await gw.chat(h.chatBody('cli key revoked'), { key });
    return r.status === 401 ? r : null;
  }, { timeoutMs: 3_000, intervalMs: 100, what: 'the revoked key to be refused' });
  h.openAiError(assert, refused.json, { code: 'key_revoked' });
  console.log(`# CLI key accepted after ${acceptedMs} ms; refused ${Date.now() - revokedAt} ms after revoke`);
  assertNoSecret(gw.output(), key);
});

test('the CLI exit codes: 2 for usage errors, 1 for runtime errors', T, async () => {
  const unknownPersona = await runCli(['keys', 'create', '--config', gw.configPath, '--name', 'x',
    '--persona', 'nobody']);
  assert.equal(unknownPersona.code, 2, unknownPersona.stderr);
  assert.match(unknownPersona.stderr, /nobody/);
  const noName = await runCli(['keys', 'create', '--config', gw.configPath, '--persona', h.PERSONA]);
  assert.equal(noName.code, 2);
  const unknownId = await runCli(['keys', 'revoke', '--config', gw.configPath, 'key_000000000000']);
  assert.equal(unknownId.code, 1);
  assert.match(unknownId.stderr, /no key with id/);
  const badConfig = await runCli(['keys', 'list', '--config', `${gw.dir}/missing.json`]);
  assert.equal(badConfig.code, 1);
  const noSource = await runCli(['keys', 'import', '--config', gw.configPath]);
  assert.equal(noSource.code, 2, noSource.stderr);
  // A mistyped source is an error, never an empty database created and "0 keys imported".
  const missingSource = `${gw.dir}/no-such-keys.db`;
  const mistyped = await runCli(['keys', 'import', '--config', gw.configPath, '--from', `sqlite://${missingSource}`]);
  assert.equal(mistyped.code, 1, mistyped.stderr);
  assert.match(mistyped.stderr, /no key database at/);
  assert.equal(fs.existsSync(missingSource), false, 'nothing created');
});

// A key created at run time carries its own budget and rate limits (the config's budget object),
// enforced like a config key's: a reservation in its "key:<name>" windows, its own sliding minute.
test('a stored key\'s own budget and rate limits are enforced; a bad budget is a 400', T, async () => {
  const tiny = await createKey({ name: 'budget-tiny', persona: h.PERSONA, budget: { daily_usd: 0.000000001 } });
  assert.deepEqual(tiny.budget, { daily_usd: 0.000000001 }, 'the answer shows the budget');
  const refused = await gw.chat(h.chatBody('over a stored key budget', { max_tokens: 50 }), { key: tiny.key });
  assert.equal(refused.status, 429, refused.text);
  h.openAiError(assert, refused.json, { code: 'budget_exceeded' });
  assert.match(refused.json.error.message, /key:budget-tiny day:/, 'the key window refused it');

  const paced = await createKey({ name: 'budget-paced', persona: h.PERSONA, budget: { requests_per_min: 2 } });
  for (let i = 0; i < 2; i++) {
    const ok = await gw.chat(h.chatBody(`paced ${i}`), { key: paced.key });
    assert.equal(ok.status, 200, ok.text);
  }
  const third = await gw.chat(h.chatBody('paced 2'), { key: paced.key });
  assert.equal(third.status, 429, third.text);
  h.openAiError(assert, third.json, { code: 'rate_limited' });
  assert.match(third.json.error.message, /key:budget-paced/);
  const other = await gw.chat(h.chatBody('another key is not paced'));
  assert.equal(other.status, 200, 'the limit is the stored key\'s own, not the persona\'s');

  const listed = (await admin('GET', `/admin/keys/${paced.id}`)).json;
  assert.deepEqual(listed.budget, { requests_per_min: 2 });

  for (const budget of [{ daily_usd: -1 }, { daily_usd: 'five' }, { bogus: 1 }, { max_concurrent: 1.5 }, 7]) {
    const bad = await admin('POST', '/admin/keys', { name: 'bad-budget', persona: h.PERSONA, budget });
    assert.equal(bad.status, 400, `${JSON.stringify(budget)}: ${bad.text}`);
    h.openAiError(assert, bad.json, { status: 400 });
    assert.equal(bad.json.error.param, 'budget', bad.text);
  }
  const cliBad = await runCli(['keys', 'create', '--config', gw.configPath, '--name', 'x',
    '--persona', h.PERSONA, '--budget', '{"hourly_usd": "x"}']);
  assert.equal(cliBad.code, 2, cliBad.stderr);
  assert.match(cliBad.stderr, /hourly_usd/);
  const cliGood = await runCli(['keys', 'create', '--config', gw.configPath, '--name', 'cli-budget',
    '--persona', h.PERSONA, '--budget', '{"daily_usd": 5}', '--json']);
  assert.equal(cliGood.code, 0, cliGood.stderr);
  assert.deepEqual(JSON.parse(cliGood.stdout).budget, { daily_usd: 5 });
});

// ---- keys shared through a PostgreSQL ledger -------------------------------------------------

// PostgreSQL as rate_limits.test.mjs finds it: GW_TEST_PG_URL, or a throwaway cluster started
// here with scripts/pg.sh (stopped after this file). A reason to skip when neither is possible
// (no server binaries, as in ledger_durability.test.mjs), else null.
const ownedPg = [];
after(async () => {
  for (const dir of ownedPg) await run(PG_SCRIPT, ['stop', dir]).catch(() => {});
});

async function ensurePg() {
  if (process.env.GW_TEST_PG_URL) return null;
  if (!fs.existsSync(path.join(PGBIN, 'initdb'))) {
    return `no GW_TEST_PG_URL and no PostgreSQL server binaries in ${PGBIN} (set PGBIN)`;
  }
  const dir = h.makeTempDir('keys-pg');
  ownedPg.push(dir);
  const { stdout } = await run(PG_SCRIPT, ['start', dir, String(await h.freePort())], { timeout: 120_000 });
  process.env.GW_TEST_PG_URL = stdout.trim();
  return null;
}

test('two gateways on one PostgreSQL ledger share stored keys: made on A works on B, revoked on B is refused on A', { timeout: 150_000 }, async (t) => {
  const skip = await ensurePg();
  if (skip) {
    t.skip(skip);
    return;
  }
  const ledgerUrl = await pgSchemaUrl();
  const mock = await h.startMock();
  const gws = [];
  try {
    for (let i = 0; i < 2; i++) {
      // Each instance has a SQLite storage database of its own; only the ledger is shared.
      const dir = h.makeTempDir('keys-shared');
      const canary = h.canaryKey();
      const config = h.baseConfig({ mockUrl: mock.url, canary, dir });
      config.cost = { pricing: PRICING };
      config.storage.ledger_url = ledgerUrl;
      gws.push(await h.startGateway({ config, dir, canary }));
    }
    const [a, b] = gws;
    const made = await a.request('/admin/keys', { method: 'POST', key: h.ADMIN_KEY,
      body: { name: 'shared-key', persona: h.PERSONA, scopes: ['chat'] } });
    assert.equal(made.status, 201, made.text);
    const { key, id } = made.json;
    const { stdout: stored } = await run('psql', [ledgerUrl, '-tAc', 'SELECT name FROM gateway_key']);
    assert.equal(stored.trim(), 'shared-key', 'the key is a row in the PostgreSQL ledger');

    const madeAt = Date.now();
    const accepted = await h.waitFor(async () => {
      const r = await b.chat(h.chatBody('made on A'), { key });
      if (r.status === 200) return r;
      assert.equal(r.status, 401, `until B reads it the key is unknown there: ${r.text}`);
      return null;
    }, { timeoutMs: 10_000, intervalMs: 100, what: 'instance B to accept the key made on A' });
    assert.equal(accepted.json.choices[0].message.content, h.mockReply('made on A'));
    const acceptedMs = Date.now() - madeAt;
    const listed = await b.request('/admin/keys', { key: h.ADMIN_KEY });
    assert.ok(listed.json.keys.some((k) => k.id === id), `B lists it: ${listed.text}`);

    const revoked = await b.request(`/admin/keys/${id}`, { method: 'DELETE', key: h.ADMIN_KEY });
    assert.equal(revoked.status, 200, revoked.text);
    const revokedAt = Date.now();
    const refused = await h.waitFor(async () => {
      const r = await a.chat(h.chatBody('revoked on B'), { key });
      if (r.status === 401) return r;
      assert.equal(r.status, 200, `until A re-reads the table the key still works there: ${r.text}`);
      return null;
    }, { timeoutMs: 10_000, intervalMs: 100, what: 'instance A to refuse the key revoked on B' });
    h.openAiError(assert, refused.json, { type: 'authentication_error', code: 'key_revoked' });
    const onB = await b.chat(h.chatBody('revoked here'), { key });
    assert.equal(onB.status, 401, 'B, which revoked it, refuses it at once');
    console.log(`# shared key accepted on B ${acceptedMs} ms after its creation on A; ` +
      `refused on A ${Date.now() - revokedAt} ms after its revocation on B`);
    for (const gw of gws) assertNoSecret(gw.output(), key);
  } finally {
    await Promise.all(gws.map((g) => g.stop()));
    for (const g of gws) fs.rmSync(g.dir, { recursive: true, force: true });
    await mock.stop();
  }
});

// A deployment moving its ledger to PostgreSQL: the keys it kept in SQLite are copied by
// `keys import` — hashes, so the same secrets keep working; revocations kept — and a second
// import changes nothing.
test('keys import copies SQLite-stored keys to a PostgreSQL ledger: they chat there, revoked ones stay revoked', { timeout: 120_000 }, async (t) => {
  const skip = await ensurePg();
  if (skip) {
    t.skip(skip);
    return;
  }
  const made = await runCli(['keys', 'create', '--config', gw.configPath, '--name', 'moving',
    '--persona', h.PERSONA, '--json']);
  assert.equal(made.code, 0, made.stderr);
  const { key } = JSON.parse(made.stdout);
  const gone = JSON.parse((await runCli(['keys', 'create', '--config', gw.configPath, '--name',
    'left-behind', '--persona', h.PERSONA, '--json'])).stdout);
  assert.equal((await runCli(['keys', 'revoke', '--config', gw.configPath, gone.id])).code, 0);
  const inSqlite = JSON.parse((await runCli(['keys', 'list', '--config', gw.configPath, '--json'])).stdout).keys;

  const dir = h.makeTempDir('keys-moved');
  const canary = h.canaryKey();
  const config = h.baseConfig({ mockUrl: mock.url, canary, dir });
  config.cost = { pricing: PRICING };
  config.storage.ledger_url = await pgSchemaUrl();
  const moved = await h.startGateway({ config, dir, canary });
  try {
    const before = await moved.chat(h.chatBody('not yet'), { key });
    assert.equal(before.status, 401, 'the PostgreSQL ledger has no keys until the import');

    const imported = await runCli(['keys', 'import', '--config', moved.configPath, '--from',
      gw.config.storage.url, '--json']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout), { imported: inSqlite.length, present: 0, conflicts: [] });
    const accepted = await h.waitFor(async () => {
      const r = await moved.chat(h.chatBody('moved'), { key });
      return r.status === 200 ? r : null;
    }, { timeoutMs: 5_000, intervalMs: 100, what: 'the imported key to chat' });
    assert.equal(accepted.json.choices[0].message.content, h.mockReply('moved'));
    const refused = await moved.chat(h.chatBody('revoked'), { key: gone.key });
    assert.equal(refused.status, 401, refused.text);
    h.openAiError(assert, refused.json, { type: 'authentication_error', code: 'key_revoked' });
    const listed = await moved.request('/admin/keys', { key: h.ADMIN_KEY });
    assert.deepEqual(listed.json.keys.map((k) => [k.id, k.hint, k.status]).sort(),
      inSqlite.map((k) => [k.id, k.hint, k.status]).sort(), 'the same keys, ids and states');

    const again = await runCli(['keys', 'import', '--config', moved.configPath, '--from', gw.config.storage.url]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^imported 0 keys \\(${inSqlite.length} already there\\)`));
    assertNoSecret(imported.stdout + again.stdout + moved.output(), key);
  } finally {
    await moved.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
