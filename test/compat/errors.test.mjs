// Gateway errors as the official `openai` SDK sees them: the typed exception classes, status,
// error type/code, headers (Retry-After, x-request-id), and a mid-stream upstream failure that
// must surface as a thrown APIError instead of a silently short answer.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from 'openai';

import * as h from '../integration/harness.mjs';

let stack;
let client;

function makeClient(apiKey = h.GATEWAY_KEY, extra = {}) {
  return new OpenAI({
    baseURL: `${stack.gw.url}/v1`,
    apiKey,
    maxRetries: 0,
    timeout: 30_000,
    fetch: h.capturingFetch(stack.gw),
    ...extra,
  });
}

before(async () => {
  stack = await h.startStack();
  client = makeClient();
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await stack.mock.reset();
  await stack.gw.resetBreakers();
});

const T = { timeout: 30_000 };
const ask = (c, content = 'hi', extra = {}) =>
  c.chat.completions.create({ model: h.PRIMARY_MODEL, messages: [{ role: 'user', content }], ...extra });

async function expectError(promise, Klass) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof Klass, `expected ${Klass.name}, got ${err?.constructor?.name}: ${err?.message}`);
    return err;
  }
  assert.fail(`expected ${Klass.name}, but the call succeeded`);
}

test('unknown key → AuthenticationError (401)', T, async () => {
  const err = await expectError(ask(makeClient('gw-not-a-key')), AuthenticationError);
  assert.equal(err.status, 401);
  assert.equal(err.type, 'authentication_error');
  assert.ok(err.requestID, 'x-request-id on errors');
  assert.ok(!err.message.includes('gw-not-a-key'));
});

test('unknown model → NotFoundError (404) naming the usable routes', T, async () => {
  const err = await expectError(
    client.chat.completions.create({ model: 'gpt-unknown', messages: [{ role: 'user', content: 'x' }] }),
    NotFoundError,
  );
  assert.equal(err.status, 404);
  assert.match(err.message, /mock-gpt/);
  assert.match(err.message, /fast/);
});

test('upstream 429 → RateLimitError with retry-after header', T, async () => {
  await stack.mock.setFaults([{ times: 0, status: 429, retry_after: 30 }]);
  const err = await expectError(ask(client, 'rate limited'), RateLimitError);
  assert.equal(err.status, 429);
  assert.equal(err.type, 'rate_limit_error');
  assert.ok(Number(err.headers.get('retry-after')) >= 30, `retry-after ${err.headers.get('retry-after')}`);
});

test('upstream insufficient_quota → RateLimitError whose type is insufficient_quota', T, async () => {
  await stack.mock.setFaults([{
    times: 0,
    status: 429,
    body: { error: { message: 'You exceeded your current quota.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
  }]);
  const err = await expectError(ask(client, 'quota'), RateLimitError);
  assert.equal(err.type, 'insufficient_quota');
});

test('upstream 400 → BadRequestError', T, async () => {
  await stack.mock.setFaults([{ times: 0, status: 400 }]);
  const err = await expectError(ask(client, 'too long'), BadRequestError);
  assert.equal(err.status, 400);
  assert.equal(err.type, 'invalid_request_error');
});

test('invalid request caught by the gateway → BadRequestError', T, async () => {
  const err = await expectError(client.chat.completions.create({ model: h.PRIMARY_MODEL, messages: 'not an array' }), BadRequestError);
  assert.equal(err.status, 400);
  assert.equal((await stack.mock.chatRequests()).length, 0);
});

test('upstream 500 → InternalServerError with status 502 and type api_error', T, async () => {
  await stack.mock.setFaults([{ times: 0, status: 500 }]);
  const err = await expectError(ask(client, 'server error'), InternalServerError);
  assert.equal(err.status, 502);
  assert.equal(err.type, 'api_error');
});

test('upstream 503 → InternalServerError (502 or 503)', T, async () => {
  await stack.mock.setFaults([{ times: 0, status: 503 }]);
  const err = await expectError(ask(client, 'overloaded'), InternalServerError);
  assert.ok([502, 503].includes(err.status), String(err.status));
});

test('SDK-level retry (maxRetries: 2) recovers from a transient failure through the gateway', T, async () => {
  // One upstream 500: the gateway may retry it itself, or answer 502 and let the SDK retry
  // (it retries 5xx); either way the client ends up with the answer, exactly once.
  await stack.mock.setFaults([{ times: 1, status: 500 }]);
  const retrying = makeClient(h.GATEWAY_KEY, { maxRetries: 2 });
  const res = await ask(retrying, 'eventually');
  assert.equal(res.choices[0].message.content, h.mockReply('eventually'));
  assert.equal((await stack.mock.chatRequests()).length, 2, 'one failed attempt, one success');
});

test('upstream drop mid-stream → the SDK iterator throws APIError after partial text', T, async () => {
  await stack.mock.setFaults([{ times: 1, match: { stream: true }, chunks: 10, chunk_delay_ms: 40, drop_after: 3 }]);
  const prompt = 'one two three four five six seven';
  const stream = await ask(client, prompt, { stream: true });
  let text = '';
  let thrown = null;
  try {
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown instanceof APIError, `stream ended without an error (text: ${JSON.stringify(text)})`);
  assert.ok(text.length > 0);
  assert.ok(h.mockReply(prompt).startsWith(text) && text.length < h.mockReply(prompt).length, JSON.stringify(text));
});

test('stream helper rejects finalChatCompletion() on a mid-stream in-band error', T, async () => {
  await stack.mock.setFaults([{ times: 1, match: { stream: true }, chunks: 10, chunk_delay_ms: 40, stream_error: 3 }]);
  const runner = client.chat.completions.stream({
    model: h.PRIMARY_MODEL,
    messages: [{ role: 'user', content: 'in band error' }],
  });
  runner.on('error', () => {});
  await assert.rejects(runner.finalChatCompletion(), (err) => {
    assert.ok(err instanceof APIError, `expected APIError, got ${err?.constructor?.name}: ${err?.message}`);
    return true;
  });
});

h.secretSweepTests(() => [stack.gw]);
