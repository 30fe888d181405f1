// Shared pieces of the chaos suite (docs/chaos.md): a stack of the real gateway in front of two
// real mock providers ("primary", which the tests break, and "backup", the fallback), one
// persona and one gateway key per scenario so breaker and cooling state never leak between
// tests, and the measuring tools (admin breakers, /proc fd and RSS, load generation,
// percentiles, the CHAOS-FIGURES line). Only PIDs started by the harness are ever signalled.
import fs from 'node:fs';
import assert from 'node:assert/strict';

import * as h from '../integration/harness.mjs';

export { h };

// CHAOS_SOAK=1 selects the long variants (RELIABILITY's figures); the default is the CI size.
export const SOAK = process.env.CHAOS_SOAK === '1';
export const pick = (ci, soak) => (SOAK ? soak : ci);

// Breaker settings short enough for a test: 5 consecutive failures or ≥50% of ≥20 calls open
// it for 1 s × ejections (≤ 4 s), one probe.
export const FAST_BREAKER = {
  consecutive_failures: 5,
  failure_rate_percent: 50,
  window_ms: 30_000,
  min_calls: 20,
  open_ms: 1_000,
  max_open_ms: 4_000,
  half_open_probes: 1,
};

// Keeps client-visible waits short where a test needs a retry to happen at all.
export const FAST_RETRY = { base_ms: 50, cap_ms: 500, max_retry_after_ms: 30_000, budget_percent: 20, budget_min: 3 };

// A persona name becomes part of an environment variable name.
function envName(persona) {
  return `CHAOS_KEY_${persona.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

// Starts mocks + gateway. `personas`: {name: {model, provider?, fallback?, ...persona fields}};
// each gets its own gateway key (stack.keys[name]) from the environment. `providers`: extra
// fields per provider name (primary/backup) or whole extra providers. `server`: fields merged
// into config.server. The first persona also has an admin key (stack.adminKey).
export async function startChaosStack({ personas, providers = {}, server = {}, limits = {}, drainGraceMs, env = {} }) {
  const dir = h.makeTempDir('chaos');
  const canary = h.canaryKey();
  const backupCanary = h.canaryKey();
  let primary;
  let backup;
  let gw;
  try {
    [primary, backup] = await Promise.all([h.startMock(), h.startMock()]);
    const config = h.baseConfig({ mockUrl: primary.url, canary, dir, limits, drainGraceMs });
    Object.assign(config.server, server);
    const extraProviders = { ...providers };
    config.providers = {
      primary: { type: 'openai', base_url: primary.url, api_key: canary, ...(extraProviders.primary || {}) },
      backup: { type: 'openai', base_url: backup.url, api_key: backupCanary, ...(extraProviders.backup || {}) },
    };
    delete extraProviders.primary;
    delete extraProviders.backup;
    for (const [name, p] of Object.entries(extraProviders)) {
      config.providers[name] = { type: 'openai', base_url: primary.url, api_key: canary, ...p };
    }
    const keys = {};
    const keyEnv = { ...env };
    config.personas = {};
    config.keys = [];
    for (const [name, spec] of Object.entries(personas)) {
      config.personas[name] = { provider: 'primary', allow: ['primary/*', 'backup/*'], ...spec };
      keys[name] = `gw-chaos-${name}-${h.randomId()}`;
      keyEnv[envName(name)] = keys[name];
      config.keys.push({ key: `env:${envName(name)}`, persona: name, name });
    }
    const first = Object.keys(personas)[0];
    const adminKey = `gw-chaos-admin-${h.randomId()}`;
    keyEnv.CHAOS_ADMIN_KEY = adminKey;
    config.keys.push({ key: 'env:CHAOS_ADMIN_KEY', persona: first, name: 'chaos-admin', role: 'admin' });
    gw = await h.startGateway({ config, dir, canary, env: keyEnv });
    return {
      primary,
      backup,
      gw,
      keys,
      adminKey,
      canaries: [canary, backupCanary],
      dir,
      config,
      async stop() {
        await Promise.all([gw.stop(), primary.stop(), backup.stop()]);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all([primary?.stop(), backup?.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// What the gateway exposes

export async function adminBreakers(gw, adminKey) {
  const res = await gw.request('/admin/breakers', { key: adminKey });
  assert.equal(res.status, 200, `GET /admin/breakers: ${res.status} ${res.text}`);
  assert.ok(Array.isArray(res.json?.breakers), `breakers array in ${res.text}`);
  return res.json.breakers;
}

export async function breakerOf(gw, adminKey, { provider = 'primary', model, credential = '0' }) {
  const all = await adminBreakers(gw, adminKey);
  return all.find((b) => b.provider === provider && b.model === model && String(b.credential) === String(credential)) ?? null;
}

export async function metric(gw, name, labels = {}) {
  return (await gw.metrics()).sum(name, labels);
}

// The gateway's open descriptors and resident memory, from /proc.
export function fdCount(pid) {
  return fs.readdirSync(`/proc/${pid}/fd`).length;
}

export function rssMb(pid) {
  const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
  return m ? Number(m[1]) / 1024 : NaN;
}

// ---------------------------------------------------------------------------------------------
// The mocks

// The requests a mock received for `model` (its log holds the last 1000).
export async function attemptsFor(mock, model) {
  return (await mock.chatRequests()).filter((r) => r.body?.model === model);
}

// Waits until a mock answers nothing any more (no leaked upstream request).
export async function drained(mock, timeoutMs = 5_000) {
  await h.waitFor(async () => (await mock.stats()).in_flight === 0, { timeoutMs, what: 'mock in_flight to return to 0' });
}

// Polls a mock's request log and stamps each entry with the window in which it arrived: it was
// logged after the previous poll started and before this poll finished. A "retry came too
// early" verdict built from those bounds can only err towards passing, never towards failing.
export function logRecorder(mock, intervalMs = 100) {
  const seen = []; // {entry, after, before}
  let stop = false;
  let prevStart = Date.now();
  const loop = (async () => {
    while (!stop) {
      const start = Date.now();
      const log = await mock.requests();
      const end = Date.now();
      for (let i = seen.length; i < log.length; i++) seen.push({ entry: log[i], after: prevStart, before: end });
      prevStart = start;
      await h.sleep(intervalMs);
    }
  })();
  return {
    seen,
    async stop() {
      stop = true;
      await loop;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Load

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// Open-loop load: starts send(i) at `rps` for `durationMs`, never more than `concurrency` at
// once (a start that would exceed it is counted in `skipped`, not queued: queueing in the
// client would hide the gateway's latency). Resolves with the settled results.
export async function runLoad({ rps, durationMs, concurrency, send }) {
  const started = Date.now();
  const results = [];
  const pending = new Set();
  let skipped = 0;
  let i = 0;
  const intervalMs = 1000 / rps;
  while (Date.now() - started < durationMs) {
    const due = Math.floor((Date.now() - started) / intervalMs) + 1;
    while (i < due) {
      if (pending.size >= concurrency) {
        skipped++;
        i++;
        continue;
      }
      const n = i++;
      const t0 = Date.now();
      const p = send(n)
        .then((r) => results.push({ n, t0, ms: Date.now() - t0, ...r }))
        .catch((err) => results.push({ n, t0, ms: Date.now() - t0, error: String(err) }))
        .finally(() => pending.delete(p));
      pending.add(p);
    }
    await h.sleep(Math.max(1, Math.min(intervalMs, 10)));
  }
  await Promise.all(pending);
  return { results, skipped, sent: i - skipped, elapsedMs: Date.now() - started };
}

// Runs `fn` over `items` with at most `limit` at a time.
export async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}

// One request on its own connection, closed afterwards (so the client keeps no keep-alive
// socket open in the gateway: fd counts then measure only the gateway's own descriptors).
export async function oneShot(gw, { method = 'POST', path = '/v1/chat/completions', key, body, timeoutMs = 20_000 }) {
  const conn = await h.RawHttpConnection.connect(gw.port);
  try {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = [['Connection', 'close']];
    if (key) headers.push(['Authorization', `Bearer ${key}`]);
    if (text !== undefined) headers.push(['Content-Type', 'application/json']);
    await conn.send({ method, path, headers, body: text });
    return await conn.readResponse({ method, timeoutMs });
  } finally {
    conn.close();
  }
}

// The greppable line the lead copies into the closing note.
export function printFigures(caseId, figures) {
  console.log(`CHAOS-FIGURES ${JSON.stringify({ case: caseId, soak: SOAK, ...figures })}`);
}

// ---------------------------------------------------------------------------------------------
// The three ingress dialects, streamed, summarised the same way:
// {status, headers, sse, text, errors: [..], finished, order: [...], raw, readError}

// Posts a streamed request and summarises the answer: a non-SSE answer (an error before the
// commit point) as its body; otherwise each event's parsed JSON goes to `onEvent(ev, obj, out)`,
// and an event that is not JSON is recorded as 'junk'.
async function summarizeStream(gw, { path, headers, body, what, timeoutMs, onEvent }) {
  const res = await gw.fetchOrExplain(`${gw.url}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  }, what);
  gw.captureHeaders(res);
  if (!(res.headers.get('content-type') || '').includes('text/event-stream')) {
    const text = await res.text();
    gw.capture('body', text);
    return { status: res.status, headers: res.headers, sse: false, text, errors: [], order: [] };
  }
  const sse = await h.readSSE(res);
  gw.capture('sse', sse.raw);
  const out = { status: res.status, headers: res.headers, sse: true, text: '', errors: [], order: [], finished: false, raw: sse.raw, readError: sse.readError };
  for (const ev of sse.events) {
    let obj = null;
    try {
      obj = JSON.parse(ev.data);
    } catch {
      out.order.push('junk');
      continue;
    }
    onEvent(ev, obj, out);
  }
  return out;
}

export function anthropicStream(gw, { key, model, text, timeoutMs = 20_000 }) {
  return summarizeStream(gw, {
    path: '/v1/messages',
    headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    body: { model, max_tokens: 256, stream: true, messages: [{ role: 'user', content: text }] },
    what: 'POST /v1/messages (stream)',
    timeoutMs,
    onEvent(ev, obj, out) {
      const type = ev.event ?? obj.type;
      out.order.push(type);
      if (type === 'error') out.errors.push(obj.error ?? obj);
      if (type === 'content_block_delta' && obj.delta?.type === 'text_delta') out.text += obj.delta.text;
      if (type === 'message_stop') out.finished = true;
    },
  });
}

export function geminiStream(gw, { key, model, text, timeoutMs = 20_000 }) {
  return summarizeStream(gw, {
    path: `/v1beta/models/${encodeURIComponent(model)}:streamGenerateContent?alt=sse`,
    headers: { 'x-goog-api-key': key },
    body: { contents: [{ role: 'user', parts: [{ text }] }] },
    what: 'POST :streamGenerateContent',
    timeoutMs,
    onEvent(ev, obj, out) {
      if (obj.error) {
        out.errors.push(obj.error);
        out.order.push('error');
        return;
      }
      out.order.push('chunk');
      for (const c of obj.candidates || []) {
        for (const p of c.content?.parts || []) if (typeof p.text === 'string') out.text += p.text;
        if (c.finishReason) out.finished = true;
      }
    },
  });
}

// OpenAI ingress through the harness, with the same summary fields.
export async function openaiStream(gw, { key, model, text, timeoutMs = 20_000, onEvent }) {
  const s = await gw.chatStream({ model, messages: [{ role: 'user', content: text }] }, { key, timeoutMs, onEvent });
  if (!s.sse) return { ...s, errors: [], order: [] };
  return { ...s, finished: s.finishReason !== null && s.finishReason !== undefined };
}

export const DIALECTS = { openai: openaiStream, anthropic: anthropicStream, gemini: geminiStream };

// A stream that failed after the commit point: one typed terminal error, nothing after it but
// an optional [DONE] (OpenAI), never a finished message, never a broken connection.
export function assertTerminalError(s, label) {
  assert.equal(s.status, 200, `${label}: ${s.text}`);
  assert.ok(s.sse, `${label}: expected SSE, got ${s.headers.get('content-type')}`);
  assert.equal(s.readError ?? null, null, `${label}: connection broken (${s.readError}) instead of a terminal error event, after [${s.order}]`);
  assert.equal(s.errors.length, 1, `${label}: exactly one error event in ${s.raw}`);
  const err = s.errors[0];
  const type = err.type ?? err.status;
  assert.ok(typeof type === 'string' && type.length > 0, `${label}: the error is typed: ${JSON.stringify(err)}`);
  const at = s.order.indexOf('error');
  const afterError = s.order.slice(at + 1);
  assert.ok(afterError.every((o) => o === 'done') && afterError.length <= 1,
    `${label}: nothing but an optional [DONE] may follow the error: ${s.order.join(',')}`);
  assert.ok(!s.finished, `${label}: a broken stream must not look finished: ${s.order.join(',')}`);
  return err;
}
