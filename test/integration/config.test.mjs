// The binary's command-line contract (API.md "Binary and commands"): check-config exit codes and
// `pointer: message` lines, usage errors, and `serve` refusing a bad config without listening.
// No secret from a rejected file may be printed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import * as h from './harness.mjs';

let dir;

before(() => {
  dir = h.makeTempDir('cfg');
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// Runs the binary to completion (bounded) and returns {code, signal, stdout, stderr}.
function run(args, { timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(h.GW_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function writeJson(name, obj) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof obj === 'string' ? obj : JSON.stringify(obj, null, 2));
  return file;
}

function validConfig(canary = h.canaryKey()) {
  return h.baseConfig({ mockUrl: 'http://127.0.0.1:9', canary, dir });
}

const T = { timeout: 20_000 };

test('check-config: a valid file → exit 0', T, async () => {
  const file = writeJson('valid.json', validConfig());
  const r = await run(['check-config', file]);
  assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
});

test('check-config: schema errors → exit 1 with a JSON pointer per problem', T, async () => {
  const c = validConfig();
  c.version = 2;
  c.server.workers = 'many';
  c.personas[h.PERSONA].routes.fast = 'not a target';
  const r = await run(['check-config', writeJson('invalid.json', c)]);
  assert.equal(r.code, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  assert.ok(lines.length >= 3, `one line per problem:\n${r.stderr}`);
  assert.match(r.stderr, /^\/version: .+/m);
  assert.match(r.stderr, /^\/server\/workers: .+/m);
  assert.match(r.stderr, /^\/personas\/dev\/routes\/fast: .+/m);
});

test('check-config: semantic errors (unknown provider, unknown persona) point at the field', T, async () => {
  const c = validConfig();
  c.personas[h.PERSONA].provider = 'nonexistent';
  c.keys.push({ key: 'gw-k2', persona: 'ghost' });
  const ghost = c.keys.length - 1;
  const r = await run(['check-config', writeJson('semantic.json', c)]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^\/personas\/dev\/provider: .+/m);
  assert.match(r.stderr, new RegExp(`^/keys/${ghost}/persona: .+`, 'm'));
});

test('check-config: a plaintext secret without local_demo is rejected and not printed', T, async () => {
  const canary = h.canaryKey();
  const c = validConfig(canary);
  delete c.local_demo;
  const r = await run(['check-config', writeJson('plaintext.json', c)]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^\/providers\/mock\/api_key: .+/m);
  assert.deepEqual(h.findLeaks([['stdout', r.stdout], ['stderr', r.stderr]], canary), []);
  assert.ok(!r.stderr.includes(h.GATEWAY_KEY), 'gateway key printed');
});

test('check-config: unparsable JSON → exit 1 with a location', T, async () => {
  const r = await run(['check-config', writeJson('broken.json', '{"version": 1,, }')]);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.stderr.trim().length > 0);
});

test('check-config: a missing file → exit 1; no argument → exit 2', T, async () => {
  const missing = await run(['check-config', path.join(dir, 'does-not-exist.json')]);
  assert.equal(missing.code, 1, missing.stderr);
  assert.ok(missing.stderr.trim().length > 0);
  const usage = await run(['check-config']);
  assert.equal(usage.code, 2, usage.stderr);
});

test('--help on every documented command exits 0; an unknown command exits 2', T, async () => {
  for (const cmd of ['serve', 'check-config', 'mock-provider']) {
    const r = await run([cmd, '--help']);
    assert.equal(r.code, 0, `${cmd} --help: ${r.stderr}`);
    assert.ok((r.stdout + r.stderr).length > 0);
  }
  const r = await run(['no-such-command']);
  assert.equal(r.code, 2, r.stderr);
});

test('serve with an invalid config exits 1 without listening and without printing secrets', T, async () => {
  const canary = h.canaryKey();
  const c = validConfig(canary);
  c.personas[h.PERSONA].provider = 'nonexistent';
  const r = await run(['serve', '--config', writeJson('serve-invalid.json', c)]);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(!/listening on/.test(r.stdout), r.stdout);
  assert.match(r.stderr, /\/personas\/dev\/provider/);
  assert.deepEqual(h.findLeaks([['stdout', r.stdout], ['stderr', r.stderr]], canary), []);
});
