// PF-07 (RELIABILITY "Malformed SSE"): a malformed upstream answer is a typed error — before the
// commit point it falls back, after it the client gets one terminal error event; a stream that
// ends without its terminal record ([DONE] / finish) is an error, never a success; an in-band
// error maps to a typed error in every ingress dialect. Every persona here has a fallback, so
// "no fallback after commit" is asserted, not assumed. (The byte-level parser is fuzzed in
// test/fuzz; here the whole path is exercised.)
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';

import { h, startChaosStack, DIALECTS, assertTerminalError, attemptsFor } from './chaos.mjs';

const PROMPT = 'one two three four five six seven eight nine ten';
const MODELS = ['garbage-stream', 'garbage-json', 'mal-openai', 'mal-anthropic', 'eof-openai', 'eof-gemini', 'inband-anthropic', 'inband-gemini'];
const personas = {};
for (const m of MODELS) personas[m] = { model: `pf07-${m}`, fallback: [`backup/pf07-${m}`] };

let stack;

before(async () => {
  stack = await startChaosStack({ personas });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await Promise.all([stack.primary.reset(), stack.backup.reset()]);
});

const T = { timeout: 30_000 };

async function counts(model) {
  await h.sleep(200); // a wrong retry or fallback would land here
  return [(await attemptsFor(stack.primary, model)).length, (await attemptsFor(stack.backup, model)).length];
}

test('PF-07 malformed before commit (a 200 whose body is not an event stream) → typed error, fallback serves the stream', T, async () => {
  const model = 'pf07-garbage-stream';
  await stack.primary.setFaults([{ times: 1, match: { model }, body: 'data: {"id": broken json\n\n' }]);
  const s = await DIALECTS.openai(stack.gw, { key: stack.keys['garbage-stream'], model, text: PROMPT });
  assert.equal(s.status, 200, s.text);
  assert.deepEqual(s.errors, []);
  assert.equal(s.text, h.mockReply(PROMPT));
  assert.ok(s.done);
  assert.equal(s.headers.get('x-gateway-provider'), 'backup');
  assert.match(s.headers.get('x-gateway-fallbacks') ?? '', /=provider_bad_response\b/);
  assert.deepEqual(await counts(model), [1, 1]);
});

test('PF-07 malformed non-streamed JSON (cut in half) → provider_bad_response, fallback serves', T, async () => {
  const model = 'pf07-garbage-json';
  await stack.primary.setFaults([{ times: 1, match: { model }, malformed: true }]);
  const r = await stack.gw.chat({ model, messages: [{ role: 'user', content: PROMPT }] }, { key: stack.keys['garbage-json'] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.choices[0].message.content, h.mockReply(PROMPT));
  assert.match(r.headers.get('x-gateway-fallbacks') ?? '', /=provider_bad_response\b/);
  assert.deepEqual(await counts(model), [1, 1]);
});

for (const dialect of ['openai', 'anthropic']) {
  test(`PF-07 malformed record after commit, ${dialect} ingress → one terminal error, no retry, no fallback`, T, async () => {
    const model = `pf07-mal-${dialect}`;
    await stack.primary.setFaults([{ times: 1, match: { model }, chunks: 10, chunk_delay_ms: 20, malformed: true }]);
    const s = await DIALECTS[dialect](stack.gw, { key: stack.keys[`mal-${dialect}`], model, text: PROMPT });
    assertTerminalError(s, dialect);
    const full = h.mockReply(PROMPT);
    assert.ok(s.text.length > 0 && full.startsWith(s.text) && s.text.length < full.length, JSON.stringify(s.text));
    assert.deepEqual(await counts(model), [1, 0]);
  });
}

for (const dialect of ['openai', 'gemini']) {
  test(`PF-07 EOF after all content but without the terminal record, ${dialect} ingress → an error, not a success`, T, async () => {
    const model = `pf07-eof-${dialect}`;
    // Every content record, then the connection ends: no finish record, no [DONE].
    await stack.primary.setFaults([{ times: 1, match: { model }, chunks: 10, drop_after: 100 }]);
    const s = await DIALECTS[dialect](stack.gw, { key: stack.keys[`eof-${dialect}`], model, text: PROMPT });
    assertTerminalError(s, dialect);
    assert.equal(s.text, h.mockReply(PROMPT), 'all the content that arrived, once');
    if (dialect === 'openai') assert.equal(s.finishReason, null, 'no finish_reason invented for a cut stream');
    assert.deepEqual(await counts(model), [1, 0]);
  });
}

for (const dialect of ['anthropic', 'gemini']) {
  test(`PF-07 in-band error after content, ${dialect} ingress → typed terminal error in the client's dialect`, T, async () => {
    const model = `pf07-inband-${dialect}`;
    await stack.primary.setFaults([{ times: 1, match: { model }, chunks: 10, stream_error: 3 }]);
    const s = await DIALECTS[dialect](stack.gw, { key: stack.keys[`inband-${dialect}`], model, text: PROMPT });
    const err = assertTerminalError(s, dialect);
    if (dialect === 'anthropic') assert.match(err.type, /^(api_error|overloaded_error)$/, JSON.stringify(err));
    if (dialect === 'gemini') assert.match(String(err.status), /^(INTERNAL|UNAVAILABLE)$/, JSON.stringify(err));
    assert.ok(s.text.length > 0 && h.mockReply(PROMPT).startsWith(s.text), JSON.stringify(s.text));
    assert.deepEqual(await counts(model), [1, 0]);
  });
}
