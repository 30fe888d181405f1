// Harness for the integration and SDK-compatibility suites: runs the real `execution-platform`
// binary (gateway and mock provider) as child processes on loopback ports chosen by the OS,
// and gives the tests raw-socket HTTP, SSE parsing, Prometheus parsing and a secret sweep over
// everything the gateway said. Only the PIDs spawned here are ever signalled.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';

export const GW_BIN = process.env.GW_BIN || '/work/main/build/lead/execution-platform';
export const GATEWAY_KEY = 'gw-test-key';
export const ADMIN_KEY = 'gw-test-admin-key';
export const PERSONA = 'dev';
export const PRIMARY_MODEL = 'mock-gpt';
export const MINI_MODEL = 'mock-gpt-mini';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export { sleep };

export function randomId(prefix = '') {
  return prefix + crypto.randomBytes(8).toString('hex');
}

// A provider API key nobody else uses, so any occurrence in the gateway's output is a leak.
export function canaryKey() {
  return `sk-test-upstream-canary-${crypto.randomBytes(16).toString('hex')}`;
}

export function makeTempDir(label = 'gw') {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ep-${label}-`));
}

// ---------------------------------------------------------------------------------------------
// Child processes

const live = new Set();

// Last-resort cleanup if a test file dies without running its after() hooks: only our PIDs.
process.on('exit', () => {
  for (const p of live) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export class ManagedProcess {
  constructor(name, args, { env } = {}) {
    this.name = name;
    this.args = args;
    this.stdout = [];
    this.stderr = [];
    this.exitInfo = null;
    this.waiters = [];
    this.child = spawn(GW_BIN, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, GW_TEST_KEY: GATEWAY_KEY, GW_ADMIN_KEY: ADMIN_KEY, ...(env || {}) },
    });
    this.pid = this.child.pid;
    live.add(this);
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.spawnError = err;
        this.exitInfo = { code: null, signal: null, error: err };
        live.delete(this);
        this.notify();
        resolve(this.exitInfo);
      });
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        this.notify();
        resolve(this.exitInfo);
      });
    });
    this.pipeLines(this.child.stdout, this.stdout);
    this.pipeLines(this.child.stderr, this.stderr);
  }

  pipeLines(stream, sink) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (data) => {
      pending += data;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        sink.push(pending.slice(0, nl).replace(/\r$/, ''));
        pending = pending.slice(nl + 1);
      }
      this.notify();
    });
    stream.on('end', () => {
      if (pending) sink.push(pending);
      pending = '';
      this.notify();
    });
  }

  notify() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  changed() {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  // Resolves with the first match of `regex` on a line of `which` ('stdout' | 'stderr').
  async waitForLine(which, regex, timeoutMs = START_TIMEOUT_MS) {
    const deadline = Date.now() + timeoutMs;
    let scanned = 0;
    for (;;) {
      const lines = this[which];
      for (; scanned < lines.length; scanned++) {
        const m = lines[scanned].match(regex);
        if (m) return m;
      }
      if (this.spawnError) {
        throw new Error(`cannot run ${GW_BIN} (set GW_BIN to the execution-platform binary): ${this.spawnError.message}`);
      }
      if (this.exitInfo) {
        throw new Error(
          `${this.name} exited (${JSON.stringify(this.exitInfo)}) before printing ${regex}\n` +
            this.describeOutput(),
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`${this.name}: no line matching ${regex} within ${timeoutMs} ms\n` +
          this.describeOutput());
      }
      await Promise.race([this.changed(), sleep(Math.min(left, 250))]);
    }
  }

  describeOutput(max = 30) {
    const tail = (lines) => lines.slice(-max).join('\n');
    return `--- ${this.name} stdout (tail) ---\n${tail(this.stdout)}\n` +
      `--- ${this.name} stderr (tail) ---\n${tail(this.stderr)}`;
  }

  signal(sig) {
    if (this.exitInfo) return false;
    return this.child.kill(sig);
  }

  async waitExit(timeoutMs) {
    const t = sleep(timeoutMs).then(() => null);
    return Promise.race([this.exited, t]);
  }

  // SIGTERM, then SIGKILL if the process has not exited after `timeoutMs`.
  async stop(timeoutMs = STOP_TIMEOUT_MS) {
    if (this.exitInfo) return this.exitInfo;
    this.signal('SIGTERM');
    const info = await this.waitExit(timeoutMs);
    if (info) return info;
    this.signal('SIGKILL');
    return this.exited;
  }
}

// ---------------------------------------------------------------------------------------------
// Mock provider

export class MockProvider {
  constructor(proc, url) {
    this.proc = proc;
    this.url = url;
  }

  async control(method, p, body) {
    const res = await fetch(this.url + p, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`mock ${method} ${p} -> ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }

  // faults: [{times, match, status, body, retry_after, delay_ms, hang, drop_after, ...}]
  setFaults(faults) {
    return this.control('POST', '/_mock/faults', { faults });
  }

  clearFaults() {
    return this.control('DELETE', '/_mock/faults');
  }

  // The recorded upstream requests, oldest first, with `body` parsed when it is JSON.
  async requests() {
    const out = await this.control('GET', '/_mock/requests');
    return (out.requests || []).map((r) => {
      let body = r.body;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          // leave raw
        }
      }
      return { ...r, body };
    });
  }

  // Inference requests only (ignores the mock's control endpoints if it records them).
  async chatRequests() {
    return (await this.requests()).filter((r) => /\/chat\/completions$/.test(r.path ?? r.target ?? ''));
  }

  clearRequests() {
    return this.control('DELETE', '/_mock/requests');
  }

  stats() {
    return this.control('GET', '/_mock/stats');
  }

  async reset() {
    await this.clearFaults();
    await this.clearRequests();
  }

  stop() {
    return this.proc.stop();
  }
}

export async function startMock() {
  const proc = new ManagedProcess('mock-provider', ['mock-provider', '--listen', '127.0.0.1:0']);
  try {
    const m = await proc.waitForLine('stdout', /mock-provider listening on (http:\/\/\S+)/);
    return new MockProvider(proc, m[1].replace(/\/$/, ''));
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Gateway config

export function baseConfig({ mockUrl, canary, dir, limits = {}, drainGraceMs = 10_000 }) {
  return {
    version: 1,
    local_demo: true,
    server: {
      listen: '127.0.0.1:0',
      workers: 2,
      limits: { max_body_bytes: 1_048_576, max_header_bytes: 16_384, ...limits },
      drain_grace_ms: drainGraceMs,
    },
    storage: { url: `sqlite://${path.join(dir, 'gw.db')}` },
    logging: { access_log: 'stdout' },
    providers: {
      mock: { type: 'openai', base_url: mockUrl, api_key: canary },
    },
    personas: {
      [PERSONA]: {
        provider: 'mock',
        model: PRIMARY_MODEL,
        routes: { fast: `mock/${MINI_MODEL}` },
        allow: ['mock/*'],
      },
    },
    // The gateway key comes from the environment, as in production (a plaintext key under
    // local_demo would be printed in the quick-start curl hint).
    keys: [
      { key: 'env:GW_TEST_KEY', persona: PERSONA, name: 'test' },
      { key: 'env:GW_ADMIN_KEY', persona: PERSONA, name: 'admin', role: 'admin' },
    ],
  };
}

// Writes atomically (temp file + rename) so a SIGHUP never sees half a file.
export function writeConfigFile(file, config) {
  const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
  const tmp = `${file}.${process.pid}.${randomId()}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Gateway

export class Gateway {
  constructor(proc, url, { dir, configPath, canary, config }) {
    this.proc = proc;
    this.url = url;
    this.port = Number(new URL(url).port);
    this.dir = dir;
    this.configPath = configPath;
    this.canary = canary;
    this.config = config;
    this.captured = []; // every response head and body the tests received, for the secret sweep
  }

  capture(what, text) {
    this.captured.push(`${what}\n${text}`);
  }

  captureHeaders(res) {
    const lines = [];
    res.headers.forEach((v, k) => lines.push(`${k}: ${v}`));
    this.capture(`HTTP ${res.status}`, lines.join('\n'));
  }

  // Forgets the gateway's breaker and cooling state (DELETE /admin/breakers), so one test's
  // injected failures do not leave the next test facing an open breaker or a resting credential.
  async resetBreakers() {
    const res = await fetch(`${this.url}/admin/breakers`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status !== 200) throw new Error(`DELETE /admin/breakers -> ${res.status}: ${await res.text()}`);
    await res.text();
  }

  // GET /admin/breakers as JSON.
  async breakers() {
    const res = await fetch(`${this.url}/admin/breakers`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status !== 200) throw new Error(`GET /admin/breakers -> ${res.status}: ${await res.text()}`);
    return res.json();
  }

  headersFor({ key = GATEWAY_KEY, headers = {}, json = false } = {}) {
    const h = { ...headers };
    if (key !== null && key !== undefined) h.authorization = `Bearer ${key}`;
    if (json) h['content-type'] = 'application/json';
    return h;
  }

  // A fetch failure annotated with the gateway's state, so a crash shows its stderr.
  async fetchOrExplain(url, init, what) {
    try {
      return await fetch(url, init);
    } catch (err) {
      await sleep(200);
      const state = this.proc.exitInfo ? `gateway exited ${JSON.stringify(this.proc.exitInfo)}` : 'gateway still running';
      const wrapped = new Error(`${what} failed: ${err.cause?.code ?? err.cause?.message ?? err.message} (${state})\n${this.proc.describeOutput(15)}`);
      wrapped.cause = err;
      wrapped.name = err.name;
      throw wrapped;
    }
  }

  // One request; the body is read completely. Returns {status, headers, text, json, elapsedMs}.
  async request(p, { method = 'GET', key, headers, body, timeoutMs = 30_000 } = {}) {
    const started = Date.now();
    const isJson = body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array);
    const res = await this.fetchOrExplain(this.url + p, {
      method,
      headers: this.headersFor({ key, headers, json: body !== undefined }),
      body: body === undefined ? undefined : isJson ? JSON.stringify(body) : body,
      signal: AbortSignal.timeout(timeoutMs),
    }, `${method} ${p}`);
    const text = await res.text();
    this.captureHeaders(res);
    this.capture('body', text);
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, headers: res.headers, text, json, elapsedMs: Date.now() - started };
  }

  chat(body, opts = {}) {
    return this.request('/v1/chat/completions', { method: 'POST', body, ...opts });
  }

  // A streamed chat completion read to the end. Returns the SSE parse plus status/headers.
  async chatStream(body, { key, headers, timeoutMs = 30_000, onEvent, signal } = {}) {
    const sig = signal ?? AbortSignal.timeout(timeoutMs);
    const res = await this.fetchOrExplain(this.url + '/v1/chat/completions', {
      method: 'POST',
      headers: this.headersFor({ key, headers, json: true }),
      body: JSON.stringify({ stream: true, ...body }),
      signal: sig,
    }, 'POST /v1/chat/completions (stream)');
    this.captureHeaders(res);
    const ctype = res.headers.get('content-type') || '';
    if (!ctype.includes('text/event-stream')) {
      const text = await res.text();
      this.capture('body', text);
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, headers: res.headers, sse: false, text, json };
    }
    const sse = await readSSE(res, { onEvent });
    this.capture('sse', sse.raw);
    // Our own abort or timeout is the caller's business; a broken connection is a finding.
    if (sse.readError && sig.aborted) throw sse.readError;
    return { status: res.status, headers: res.headers, sse: true, ...sse, ...summarizeChatStream(sse.events) };
  }

  async metricsText() {
    const res = await fetch(this.url + '/metrics', { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    this.capture('metrics', text);
    if (res.status !== 200) throw new Error(`/metrics -> ${res.status}: ${text}`);
    return text;
  }

  async metrics() {
    return parsePrometheus(await this.metricsText());
  }

  // The JSON lines of the access log (stdout, minus the listening line).
  accessLog() {
    const out = [];
    for (const line of this.proc.stdout) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // not JSON
      }
    }
    return out;
  }

  async waitForAccessLog(pred, timeoutMs = 3_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.accessLog().find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) return null;
      await sleep(50);
    }
  }

  output() {
    return [...this.proc.stdout, ...this.proc.stderr].join('\n');
  }

  async reload(config) {
    writeConfigFile(this.configPath, config);
    this.proc.signal('SIGHUP');
  }

  stop(timeoutMs) {
    return this.proc.stop(timeoutMs);
  }
}

// A fetch for SDK clients that records every response (head and body) for the secret sweep.
export function capturingFetch(gw) {
  return async (url, init) => {
    const res = await fetch(url, init);
    gw.captureHeaders(res);
    res.clone().text().then((t) => gw.capture('body', t), () => {});
    return res;
  };
}

export async function startGateway({ config, dir, canary, env }) {
  const configPath = writeConfigFile(path.join(dir, 'config.json'), config);
  const proc = new ManagedProcess('gateway', ['serve', '--config', configPath], { env });
  try {
    const m = await proc.waitForLine('stdout', /execution-platform listening on (http:\/\/\S+)/);
    return new Gateway(proc, m[1].replace(/\/$/, ''), { dir, configPath, canary, config });
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

// Registers the per-file hooks most test files share: start one stack before the tests
// (`onReady(stack)` receives it), stop it after them, and reset the mock's faults and request
// log before each test.
export function useStack(options, onReady) {
  let stack;
  before(async () => {
    stack = await startStack(options);
    onReady(stack);
  }, { timeout: 30_000 });
  after(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await stack.mock.reset();
    await stack.gw.resetBreakers();
  });
}

// The usual fixture: one mock and one gateway in front of it. `tweak(config)` may edit the
// config before start. Call stop() in after().
export async function startStack({ tweak, limits, drainGraceMs, env } = {}) {
  const dir = makeTempDir();
  const canary = canaryKey();
  let mock;
  let gw;
  try {
    mock = await startMock();
    const config = baseConfig({ mockUrl: mock.url, canary, dir, limits, drainGraceMs });
    if (tweak) tweak(config);
    gw = await startGateway({ config, dir, canary, env });
  } catch (err) {
    await mock?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    mock,
    gw,
    canary,
    dir,
    async stop() {
      await Promise.all([gw.stop(), mock.stop()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Secret sweep

// Forms a secret can leak in: raw, JSON-escaped, URL-encoded, base64 and any 12-char window of
// its random tail (prefixes are shared with the test's own naming and would false-positive).
export function secretForms(secret) {
  const forms = new Set([
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64'),
    Buffer.from(`Bearer ${secret}`).toString('base64'),
  ]);
  const tail = secret.replace(/^.*-/, '');
  if (tail.length >= 16) {
    for (let i = 0; i + 12 <= tail.length; i += 4) forms.add(tail.slice(i, i + 12));
  }
  return [...forms];
}

export function findLeaks(haystacks, secret) {
  const leaks = [];
  for (const [label, text] of haystacks) {
    for (const form of secretForms(secret)) {
      const at = text.indexOf(form);
      if (at >= 0) {
        leaks.push(`${label}: contains ${JSON.stringify(form)} near ${JSON.stringify(text.slice(Math.max(0, at - 80), at + 80))}`);
        break;
      }
    }
  }
  return leaks;
}

// Every sink the tests can see: responses (captured), stdout (access log), stderr (app log),
// /metrics. Returns a description of each leak of each secret.
export async function sweepSecrets(gw, secrets) {
  let metrics = '';
  if (!gw.proc.exitInfo) metrics = await gw.metricsText();
  const haystacks = [
    ['responses', gw.captured.join('\n')],
    ['gateway stdout', gw.proc.stdout.join('\n')],
    ['gateway stderr', gw.proc.stderr.join('\n')],
    ['/metrics', metrics],
  ];
  const leaks = [];
  for (const secret of secrets) leaks.push(...findLeaks(haystacks, secret));
  return leaks;
}

// The two closing tests of a suite file (registered last, so they see everything the file
// did): each gateway's provider key (its canary) and the gateway keys must appear in no sink.
// `gateways()` returns the Gateway objects to sweep (running or stopped).
export function secretSweepTests(gateways, gatewayKeys = [GATEWAY_KEY]) {
  test('secret sweep: the provider key never appears in responses, logs or /metrics', { timeout: 15_000 }, async () => {
    const leaks = [];
    for (const gw of gateways()) leaks.push(...(await sweepSecrets(gw, [gw.canary])));
    assert.deepEqual(leaks, []);
  });
  test('secret sweep: gateway keys never appear in responses, logs or /metrics', { timeout: 15_000 }, async () => {
    const leaks = [];
    for (const gw of gateways()) leaks.push(...(await sweepSecrets(gw, gatewayKeys)));
    assert.deepEqual(leaks, []);
  });
}

// ---------------------------------------------------------------------------------------------
// SSE

// Reads a fetch Response carrying text/event-stream to its end. Records: {event, data, id}.
export async function readSSE(res, { onEvent } = {}) {
  const decoder = new TextDecoder();
  const events = [];
  let raw = '';
  let pending = '';
  const flush = (block) => {
    const ev = parseSSEBlock(block);
    if (ev) {
      events.push(ev);
      if (onEvent) onEvent(ev, events.length);
    }
  };
  // A connection that breaks mid-body is a result to assert on, not a harness failure.
  let readError = null;
  try {
    for await (const chunk of res.body) {
      const text = decoder.decode(chunk, { stream: true });
      raw += text;
      pending += text;
      for (;;) {
        const m = pending.match(/\r\n\r\n|\n\n|\r\r/);
        if (!m) break;
        flush(pending.slice(0, m.index));
        pending = pending.slice(m.index + m[0].length);
      }
    }
  } catch (err) {
    readError = err;
  }
  raw += decoder.decode();
  const trailingPartial = pending.trim() !== '';
  if (trailingPartial) flush(pending);
  return { events, raw, trailingPartial, readError };
}

export function parseSSEBlock(block) {
  const data = [];
  let event;
  let id;
  let sawField = false;
  for (const line of block.split(/\r\n|\n|\r/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    sawField = true;
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
  }
  if (!sawField) return null;
  return { event, id, data: data.join('\n') };
}

// Interprets OpenAI chat.completion.chunk records.
export function summarizeChatStream(events) {
  const chunks = [];
  const errors = [];
  const order = []; // 'chunk' | 'error' | 'done' | 'junk', in arrival order
  let done = false;
  let text = '';
  let finishReason = null;
  let usage = null;
  let role = null;
  const toolCalls = [];
  for (const ev of events) {
    if (ev.data === '[DONE]') {
      done = true;
      order.push('done');
      continue;
    }
    let obj;
    try {
      obj = JSON.parse(ev.data);
    } catch {
      order.push('junk');
      continue;
    }
    if (obj && obj.error) {
      errors.push(obj.error);
      order.push('error');
      continue;
    }
    order.push('chunk');
    chunks.push(obj);
    if (obj.usage) usage = obj.usage;
    for (const choice of obj.choices || []) {
      const d = choice.delta || {};
      if (d.role) role = d.role;
      if (typeof d.content === 'string') text += d.content;
      for (const tc of d.tool_calls || []) {
        const slot = (toolCalls[tc.index] ??= { id: null, type: null, name: '', arguments: '' });
        if (tc.id) slot.id = tc.id;
        if (tc.type) slot.type = tc.type;
        if (tc.function?.name) slot.name += tc.function.name;
        if (tc.function?.arguments) slot.arguments += tc.function.arguments;
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  }
  return { chunks, errors, order, done, text, finishReason, usage, role, toolCalls };
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP/1.1 over one socket

export class RawHttpConnection {
  // `sink`: an object with capture(label, text) (a Gateway) that records every response read.
  constructor(socket, sink) {
    this.socket = socket;
    this.sink = sink;
    this.buf = Buffer.alloc(0);
    this.ended = false;
    this.error = null;
    this.waiters = [];
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (err) => {
      // EPIPE/ECONNRESET after the server answered early are expected in limit tests.
      this.error = err;
      this.ended = true;
      this.notify();
    });
  }

  static connect(port, { host = '127.0.0.1', timeoutMs = 5_000, sink } = {}) {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new RawHttpConnection(socket, sink));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  notify() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  changed(ms) {
    return Promise.race([new Promise((r) => this.waiters.push(r)), sleep(ms)]);
  }

  // Writes, tolerating a peer that already closed (the response may still be readable).
  write(data) {
    return new Promise((resolve) => {
      if (this.socket.destroyed || this.socket.writableEnded) return resolve(false);
      this.socket.write(data, (err) => resolve(!err));
    });
  }

  // Writes a complete request. `headers` is a list of [name, value] so duplicates are possible.
  async send({ method = 'GET', path: p = '/', headers = [], body, host = `127.0.0.1` }) {
    const lines = [`${method} ${p} HTTP/1.1`, `Host: ${host}`];
    for (const [k, v] of headers) lines.push(`${k}: ${v}`);
    const hasLength = headers.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k));
    const bodyBuf = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body);
    if (bodyBuf && !hasLength) lines.push(`Content-Length: ${bodyBuf.length}`);
    const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n');
    return this.write(bodyBuf ? Buffer.concat([head, bodyBuf]) : head);
  }

  async request(opts) {
    await this.send(opts);
    return this.readResponse({ method: opts.method, timeoutMs: opts.timeoutMs });
  }

  // Reads one response. Throws if the connection ends first or the timeout passes.
  async readResponse({ method = 'GET', timeoutMs = 15_000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseHttpResponse(this.buf, { ended: this.ended, head: method === 'HEAD' });
      if (parsed) {
        this.buf = this.buf.subarray(parsed.consumed);
        const r = parsed.response;
        if (this.sink) this.sink.capture(`HTTP ${r.status}`, r.headerList.map(([k, v]) => `${k}: ${v}`).join('\n') + '\n\n' + r.text);
        if (r.status >= 100 && r.status < 200) continue;
        return r;
      }
      if (this.ended) {
        const err = new Error(`connection closed before a complete response (${this.buf.length} bytes buffered` +
          (this.error ? `, ${this.error.code}` : '') + ')');
        err.partial = this.buf.toString('latin1');
        err.code = 'ERR_INCOMPLETE_RESPONSE';
        throw err;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const err = new Error(`no complete response within ${timeoutMs} ms (${this.buf.length} bytes buffered)`);
        err.partial = this.buf.toString('latin1');
        err.code = 'ERR_RESPONSE_TIMEOUT';
        throw err;
      }
      await this.changed(Math.min(left, 200));
    }
  }

  // Resolves true if the peer closes the connection within `timeoutMs`.
  async waitClosed(timeoutMs = 2_000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) await this.changed(Math.min(200, deadline - Date.now()));
    return this.ended;
  }

  close() {
    this.socket.destroy();
  }
}

// Parses one HTTP/1.1 response from the front of `buf`; null when more bytes are needed.
export function parseHttpResponse(buf, { ended = false, head = false } = {}) {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const headText = buf.subarray(0, headEnd).toString('latin1');
  const [statusLine, ...headerLines] = headText.split('\r\n');
  const m = statusLine.match(/^HTTP\/1\.[01] (\d{3})(?: (.*))?$/);
  if (!m) throw new Error(`bad status line: ${JSON.stringify(statusLine)}`);
  const status = Number(m[1]);
  const headers = {};
  const headerList = [];
  for (const line of headerLines) {
    const c = line.indexOf(':');
    if (c < 0) continue;
    const k = line.slice(0, c).trim().toLowerCase();
    const v = line.slice(c + 1).trim();
    headerList.push([k, v]);
    headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
  }
  let pos = headEnd + 4;
  const noBody = head || status === 204 || status === 304 || (status >= 100 && status < 200);
  let body = Buffer.alloc(0);
  if (!noBody) {
    if (/chunked/i.test(headers['transfer-encoding'] || '')) {
      const parts = [];
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', pos);
        if (lineEnd < 0) return null;
        const size = parseInt(buf.subarray(pos, lineEnd).toString('latin1').split(';')[0], 16);
        if (Number.isNaN(size)) throw new Error('bad chunk size');
        pos = lineEnd + 2;
        if (size === 0) {
          // trailers until an empty line
          for (;;) {
            const e = buf.indexOf('\r\n', pos);
            if (e < 0) return null;
            const empty = e === pos;
            pos = e + 2;
            if (empty) break;
          }
          break;
        }
        if (buf.length < pos + size + 2) return null;
        parts.push(buf.subarray(pos, pos + size));
        pos += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers['content-length'] !== undefined) {
      const len = Number(headers['content-length']);
      if (buf.length < pos + len) return null;
      body = buf.subarray(pos, pos + len);
      pos += len;
    } else {
      // Delimited by close.
      if (!ended) return null;
      body = buf.subarray(pos);
      pos = buf.length;
    }
  }
  const text = body.toString('utf8');
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { consumed: pos, response: { status, reason: m[2] ?? '', headers, headerList, body, text, json } };
}

// ---------------------------------------------------------------------------------------------
// Prometheus text exposition

// Returns {samples: [{name, labels, value}], types: {family: type}, get(name, labels), sum(name, labels)}.
export function parsePrometheus(text) {
  const samples = [];
  const types = {};
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , fam, type] = line.split(/\s+/);
      types[fam] = type;
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/);
    if (!m) throw new Error(`unparsable metrics line: ${JSON.stringify(line)}`);
    const labels = {};
    if (m[3]) {
      const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/g;
      let lm;
      while ((lm = re.exec(m[3]))) labels[lm[1]] = lm[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: m[1], labels, value: Number(m[4]) });
  }
  const match = (s, name, labels) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  return {
    text,
    samples,
    types,
    find(name, labels = {}) {
      return samples.filter((s) => match(s, name, labels));
    },
    sum(name, labels = {}) {
      return samples.filter((s) => match(s, name, labels)).reduce((a, s) => a + s.value, 0);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the suites

export function chatBody(text = 'hello', extra = {}) {
  return { model: PRIMARY_MODEL, messages: [{ role: 'user', content: text }], ...extra };
}

// What the mock answers to `text` (see src/mock/mock_openai_request.cc).
export function mockReply(text) {
  return `Mock reply to: ${text}`;
}

export async function waitFor(fn, { timeoutMs = 5_000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// Asserts the OpenAI error envelope and returns the inner error.
export function openAiError(assert, json, { status, type, code } = {}) {
  assert.ok(json && typeof json === 'object', `expected a JSON error body, got ${JSON.stringify(json)}`);
  assert.ok(json.error && typeof json.error === 'object', `no "error" object in ${JSON.stringify(json)}`);
  const e = json.error;
  assert.equal(typeof e.message, 'string', 'error.message is a string');
  assert.ok(e.message.length > 0, 'error.message is not empty');
  assert.ok('type' in e && 'param' in e && 'code' in e, `envelope has type/param/code: ${JSON.stringify(e)}`);
  if (type !== undefined) assert.equal(e.type, type, `error.type for HTTP ${status ?? '?'}`);
  if (code !== undefined) assert.equal(e.code, code, 'error.code');
  return e;
}

// A free loopback port (for a server the test starts itself: PostgreSQL, Redis, a second gateway).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// What happens to a brand-new connection during a drain: 'refused …', 'accepted but not
// served …' or 'served N'. `request` is what it sends (default GET /healthz).
export async function newConnectionOutcome(port, request = { method: 'GET', path: '/healthz' }) {
  let conn;
  try {
    conn = await RawHttpConnection.connect(port, { timeoutMs: 2_000 });
  } catch (err) {
    return `refused (${err.code ?? err.message})`;
  }
  try {
    const res = await conn.request({ timeoutMs: 1_500, ...request });
    return `served ${res.status}`;
  } catch (err) {
    return `accepted but not served (${err.code ?? err.message})`;
  } finally {
    conn.close();
  }
}
