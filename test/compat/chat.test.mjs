// The official `openai` SDK (v6) pointed at the gateway: plain and streamed completions, the
// stream helper, structured output with parse(), models.list() and the SDK's view of request
// ids and headers. Every check compares against what the deterministic mock must produce.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

import * as h from '../integration/harness.mjs';

let stack;
let client;

before(async () => {
  stack = await h.startStack();
  client = new OpenAI({
    baseURL: `${stack.gw.url}/v1`,
    apiKey: h.GATEWAY_KEY,
    maxRetries: 0,
    timeout: 20_000,
    fetch: h.capturingFetch(stack.gw),
  });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await stack.mock.reset();
  await stack.gw.resetBreakers();
});

const T = { timeout: 20_000 };
const user = (content) => [{ role: 'user', content }];

test('chat.completions.create (non-streamed)', T, async () => {
  const { data, response, request_id: requestId } = await client.chat.completions
    .create({ model: h.PRIMARY_MODEL, messages: user('hello sdk') })
    .withResponse();
  assert.equal(data.object, 'chat.completion');
  assert.equal(data.choices[0].message.role, 'assistant');
  assert.equal(data.choices[0].message.content, h.mockReply('hello sdk'));
  assert.equal(data.choices[0].finish_reason, 'stop');
  assert.equal(data.usage.completion_tokens, 5);
  assert.equal(data.usage.total_tokens, data.usage.prompt_tokens + data.usage.completion_tokens);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-gateway-provider'), 'mock');
  assert.equal(response.headers.get('x-gateway-model'), h.PRIMARY_MODEL);
  assert.ok(requestId, 'the SDK sees the x-request-id');
  assert.equal(data._request_id, requestId);
});

test('a custom X-Request-ID through SDK request options round-trips', T, async () => {
  const rid = h.randomId('sdk-rid-');
  const res = await client.chat.completions.create(
    { model: h.PRIMARY_MODEL, messages: user('custom id') },
    { headers: { 'X-Request-ID': rid } },
  );
  assert.equal(res._request_id, rid);
  const [up] = await stack.mock.chatRequests();
  assert.equal(up.headers['x-request-id'], rid);
});

test('streamed with include_usage: chunks assemble to the text, usage on the last chunk', T, async () => {
  const stream = await client.chat.completions.create({
    model: h.PRIMARY_MODEL,
    messages: user('stream via sdk'),
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let finish = null;
  const chunks = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    assert.equal(chunk.object, 'chat.completion.chunk');
    for (const c of chunk.choices) {
      text += c.delta?.content ?? '';
      if (c.finish_reason) finish = c.finish_reason;
    }
  }
  assert.equal(text, h.mockReply('stream via sdk'));
  assert.equal(finish, 'stop');
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  // "Mock reply to: stream via sdk": six words, one token each.
  assert.equal(last.usage.completion_tokens, 6);
  assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
  assert.ok(chunks.length >= 4);
});

test('client.chat.completions.stream helper: content events and finalChatCompletion()', T, async () => {
  const runner = client.chat.completions.stream({
    model: h.PRIMARY_MODEL,
    messages: user('helper stream'),
    stream_options: { include_usage: true },
  });
  const deltas = [];
  runner.on('content', (delta) => deltas.push(delta));
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.content, h.mockReply('helper stream'));
  assert.equal(final.choices[0].finish_reason, 'stop');
  assert.equal(deltas.join(''), h.mockReply('helper stream'));
  assert.ok(deltas.length >= 2, 'several content events');
  assert.equal(final.usage?.completion_tokens, 5);
});

test('routes by alias through the SDK', T, async () => {
  for (const [model, upstream] of [['fast', h.MINI_MODEL], [`mock/${h.MINI_MODEL}`, h.MINI_MODEL]]) {
    const { data, response } = await client.chat.completions
      .create({ model, messages: user(`alias ${model}`) })
      .withResponse();
    assert.equal(data.choices[0].message.content, h.mockReply(`alias ${model}`));
    assert.equal(response.headers.get('x-gateway-model'), upstream);
  }
});

test('response_format json_object', T, async () => {
  const res = await client.chat.completions.create({
    model: h.PRIMARY_MODEL,
    messages: user('json please'),
    response_format: { type: 'json_object' },
  });
  assert.deepEqual(JSON.parse(res.choices[0].message.content), { reply: h.mockReply('json please') });
});

const PERSON_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    age: { type: 'integer' },
    score: { type: 'number' },
    active: { type: 'boolean' },
    role: { type: 'string', enum: ['admin', 'user'] },
    email: { type: 'string', format: 'email' },
  },
  required: ['name', 'age', 'score', 'active', 'role', 'email'],
  additionalProperties: false,
};
const PERSON = { name: 'name-value', age: 1, score: 1.5, active: true, role: 'admin', email: 'mock@example.com' };

test('response_format json_schema with create()', T, async () => {
  const res = await client.chat.completions.create({
    model: h.PRIMARY_MODEL,
    messages: user('structured'),
    response_format: { type: 'json_schema', json_schema: { name: 'person', strict: true, schema: PERSON_SCHEMA } },
  });
  assert.deepEqual(JSON.parse(res.choices[0].message.content), PERSON);
});

test('chat.completions.parse() with a plain JSON schema (no zod) fills message.parsed', T, async () => {
  const res = await client.chat.completions.parse({
    model: h.PRIMARY_MODEL,
    messages: user('parse me'),
    response_format: { type: 'json_schema', json_schema: { name: 'person', strict: true, schema: PERSON_SCHEMA } },
  });
  assert.deepEqual(res.choices[0].message.parsed, PERSON);
  assert.equal(res.choices[0].message.refusal ?? null, null);
});

test('streamed json_schema through the stream helper', T, async () => {
  const runner = client.chat.completions.stream({
    model: h.PRIMARY_MODEL,
    messages: user('structured stream'),
    response_format: { type: 'json_schema', json_schema: { name: 'person', strict: true, schema: PERSON_SCHEMA } },
  });
  const final = await runner.finalChatCompletion();
  assert.deepEqual(JSON.parse(final.choices[0].message.content), PERSON);
});

test('multi-turn conversation keeps the history', T, async () => {
  const messages = [{ role: 'system', content: 'be brief' }, ...user('turn one')];
  const first = await client.chat.completions.create({ model: h.PRIMARY_MODEL, messages });
  assert.equal(first.choices[0].message.content, h.mockReply('turn one'));
  messages.push(first.choices[0].message, ...user('turn two'));
  const second = await client.chat.completions.create({ model: h.PRIMARY_MODEL, messages });
  assert.equal(second.choices[0].message.content, h.mockReply('turn two'));
  const ups = await stack.mock.chatRequests();
  assert.deepEqual(ups[1].body.messages.map((m) => m.role), ['system', 'user', 'assistant', 'user']);
  assert.equal(ups[1].body.messages[2].content, h.mockReply('turn one'));
});

test('models.list()', T, async () => {
  const ids = [];
  for await (const m of client.models.list()) {
    assert.equal(m.object, 'model');
    ids.push(m.id);
  }
  assert.ok(ids.includes(h.PRIMARY_MODEL), JSON.stringify(ids));
  assert.ok(ids.includes('fast'), JSON.stringify(ids));
});

test('concurrent SDK calls', { timeout: 30_000 }, async () => {
  const answers = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      client.chat.completions.create({ model: h.PRIMARY_MODEL, messages: user(`parallel ${i}`) }),
    ),
  );
  answers.forEach((a, i) => assert.equal(a.choices[0].message.content, h.mockReply(`parallel ${i}`)));
});

h.secretSweepTests(() => [stack.gw]);
