// Chat Completions through the gateway against the mock provider: plain and streamed answers,
// tool calls, structured output, routes/aliases and /v1/models, checked byte-for-byte against
// what the deterministic mock must have produced and against what reached the upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import * as h from './harness.mjs';

let stack;
let gw;
let mock;

h.useStack({}, (s) => {
  stack = s;
  ({ gw, mock } = s);
});

const T = { timeout: 20_000 };

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    },
  },
};

const TIME_TOOL = {
  type: 'function',
  function: {
    name: 'get_time',
    description: 'Local time in a timezone',
    parameters: {
      type: 'object',
      properties: { timezone: { type: 'string' }, offset_hours: { type: 'integer' }, dst: { type: 'boolean' } },
      required: ['timezone'],
    },
  },
};

test('non-streamed completion: mock text, usage, gateway headers, upstream request', T, async () => {
  const res = await gw.chat(h.chatBody('hello gateway'));
  assert.equal(res.status, 200, res.text);
  const body = res.json;
  assert.equal(body.object, 'chat.completion');
  assert.equal(typeof body.id, 'string');
  assert.equal(body.choices.length, 1);
  assert.equal(body.choices[0].index, 0);
  assert.equal(body.choices[0].message.role, 'assistant');
  assert.equal(body.choices[0].message.content, h.mockReply('hello gateway'));
  assert.equal(body.choices[0].finish_reason, 'stop');
  assert.ok(Number.isInteger(body.usage.prompt_tokens) && body.usage.prompt_tokens > 0, JSON.stringify(body.usage));
  // "Mock reply to: hello gateway" is 5 words; the mock counts one token per word.
  assert.equal(body.usage.completion_tokens, 5);
  assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);

  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(res.headers.get('x-gateway-provider'), 'mock');
  assert.equal(res.headers.get('x-gateway-model'), h.PRIMARY_MODEL);
  assert.ok(res.headers.get('x-request-id'), 'x-request-id on the response');

  const ups = await mock.chatRequests();
  assert.equal(ups.length, 1, 'exactly one upstream call');
  const up = ups[0];
  assert.equal(up.method, 'POST');
  assert.equal(up.body.model, h.PRIMARY_MODEL);
  assert.equal(up.body.messages.at(-1).role, 'user');
  assert.equal(up.headers.authorization, `Bearer ${stack.canary}`, 'provider key sent upstream');
  const upText = JSON.stringify(up);
  assert.ok(!upText.includes(h.GATEWAY_KEY), 'the gateway key is never sent upstream');
});

test('request parameters reach the upstream (temperature, token limit, system prompt)', T, async () => {
  const res = await gw.chat({
    model: h.PRIMARY_MODEL,
    temperature: 0.25,
    max_tokens: 50,
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'first answer' },
      { role: 'user', content: 'second question' },
    ],
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.choices[0].message.content, h.mockReply('second question'));
  const [up] = await mock.chatRequests();
  assert.equal(up.body.temperature, 0.25);
  assert.equal(up.body.max_tokens ?? up.body.max_completion_tokens, 50);
  assert.deepEqual(
    up.body.messages.map((m) => [m.role, typeof m.content === 'string' ? m.content : JSON.stringify(m.content)]),
    [
      ['system', 'You are terse.'],
      ['user', 'first question'],
      ['assistant', 'first answer'],
      ['user', 'second question'],
    ],
  );
});

test('content given as an array of text parts', T, async () => {
  const res = await gw.chat({
    model: h.PRIMARY_MODEL,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'parts work' }] }],
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.choices[0].message.content, h.mockReply('parts work'));
});

test('unicode survives both directions, plain and streamed', T, async () => {
  const text = 'héllo 世界 🎉 «quotes» \\ "escaped"';
  const res = await gw.chat(h.chatBody(text));
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.choices[0].message.content, h.mockReply(text));
  const s = await gw.chatStream(h.chatBody(text));
  assert.equal(s.status, 200);
  assert.equal(s.text, h.mockReply(text));
});

test('streamed completion: SSE chunks, text, finish reason, [DONE] last, no usage chunk', T, async () => {
  const s = await gw.chatStream(h.chatBody('stream me please'));
  assert.equal(s.status, 200);
  assert.ok(s.sse, `expected text/event-stream, got ${s.headers.get('content-type')}: ${s.text}`);
  assert.equal(s.readError, null, 'the response body ends cleanly');
  assert.equal(s.errors.length, 0, JSON.stringify(s.errors));
  assert.ok(!s.order.includes('junk'), `unparsable records in ${s.raw}`);
  assert.equal(s.text, h.mockReply('stream me please'));
  assert.equal(s.role, 'assistant');
  assert.equal(s.finishReason, 'stop');
  assert.ok(s.done, 'stream ends with [DONE]');
  assert.equal(s.order.at(-1), 'done', '[DONE] is the last record');
  assert.equal(s.order.filter((o) => o === 'done').length, 1);
  assert.ok(s.chunks.length >= 3, `several chunks, got ${s.chunks.length}`);
  const ids = new Set(s.chunks.map((c) => c.id));
  assert.equal(ids.size, 1, 'one completion id across chunks');
  for (const c of s.chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    // Without stream_options.include_usage OpenAI sends no usage chunk (choices: []); clients
    // that index choices[0] on every chunk depend on that.
    assert.ok(Array.isArray(c.choices) && c.choices.length === 1, `chunk without a choice: ${JSON.stringify(c)}`);
  }
  assert.equal(s.headers.get('x-gateway-provider'), 'mock');
  assert.ok(s.headers.get('x-request-id'));
});

test('streamed completion with include_usage: final usage chunk with empty choices, same usage as non-streamed', T, async () => {
  const prompt = 'count my tokens';
  const plain = await gw.chat(h.chatBody(prompt));
  assert.equal(plain.status, 200, plain.text);
  const s = await gw.chatStream(h.chatBody(prompt, { stream_options: { include_usage: true } }));
  assert.equal(s.status, 200);
  assert.equal(s.text, h.mockReply(prompt));
  assert.ok(s.done);
  const last = s.chunks.at(-1);
  assert.deepEqual(last.choices, [], 'usage chunk has choices: []');
  assert.ok(last.usage, 'usage chunk carries usage');
  assert.equal(last.usage.prompt_tokens, plain.json.usage.prompt_tokens);
  assert.equal(last.usage.completion_tokens, plain.json.usage.completion_tokens);
  assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
  const usageChunks = s.chunks.filter((c) => c.usage);
  assert.equal(usageChunks.length, 1, 'exactly one chunk has non-null usage');
  const [, up] = await mock.chatRequests();
  assert.equal(up.body.stream, true);
  assert.equal(up.body.stream_options?.include_usage, true, 'usage requested upstream');
});

test('parallel tool calls, non-streamed: both named tools called with schema-shaped arguments', T, async () => {
  const res = await gw.chat({
    model: h.PRIMARY_MODEL,
    messages: [{ role: 'user', content: 'Use get_weather and get_time for Paris' }],
    tools: [WEATHER_TOOL, TIME_TOOL],
  });
  assert.equal(res.status, 200, res.text);
  const choice = res.json.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  const calls = choice.message.tool_calls;
  assert.equal(calls.length, 2, JSON.stringify(calls));
  assert.deepEqual(calls.map((c) => c.function.name), ['get_weather', 'get_time']);
  assert.notEqual(calls[0].id, calls[1].id);
  for (const c of calls) {
    assert.equal(c.type, 'function');
    assert.match(c.id, /\S+/);
  }
  assert.deepEqual(JSON.parse(calls[0].function.arguments), { city: 'city-value', unit: 'celsius' });
  assert.deepEqual(JSON.parse(calls[1].function.arguments), { timezone: 'timezone-value', offset_hours: 1, dst: true });
  const [up] = await mock.chatRequests();
  assert.deepEqual(up.body.tools.map((t) => t.function.name), ['get_weather', 'get_time']);
  assert.deepEqual(up.body.tools[0].function.parameters, WEATHER_TOOL.function.parameters);
});

test('tool calls, streamed: fragments assemble to the same calls as non-streamed', T, async () => {
  const body = {
    model: h.PRIMARY_MODEL,
    messages: [{ role: 'user', content: 'Use get_weather and get_time for Oslo' }],
    tools: [WEATHER_TOOL, TIME_TOOL],
  };
  const plain = await gw.chat(body);
  assert.equal(plain.status, 200, plain.text);
  const s = await gw.chatStream(body);
  assert.equal(s.status, 200);
  assert.ok(s.done);
  assert.equal(s.errors.length, 0);
  assert.equal(s.finishReason, 'tool_calls');
  assert.equal(s.toolCalls.length, 2);
  const expected = plain.json.choices[0].message.tool_calls;
  s.toolCalls.forEach((tc, i) => {
    assert.equal(tc.name, expected[i].function.name);
    assert.match(tc.id ?? '', /\S+/, 'each streamed call has an id');
    assert.deepEqual(JSON.parse(tc.arguments), JSON.parse(expected[i].function.arguments));
  });
  assert.notEqual(s.toolCalls[0].id, s.toolCalls[1].id);
  const fragments = s.chunks.flatMap((c) => c.choices?.[0]?.delta?.tool_calls ?? []);
  assert.ok(fragments.length > 2, 'arguments arrive in several fragments');
});

test('tool_choice forcing one function', T, async () => {
  const res = await gw.chat({
    model: h.PRIMARY_MODEL,
    messages: [{ role: 'user', content: 'Use get_weather and get_time' }],
    tools: [WEATHER_TOOL, TIME_TOOL],
    tool_choice: { type: 'function', function: { name: 'get_time' } },
  });
  assert.equal(res.status, 200, res.text);
  const calls = res.json.choices[0].message.tool_calls;
  assert.deepEqual(calls.map((c) => c.function.name), ['get_time']);
});

test('multi-turn with a tool result message', T, async () => {
  const res = await gw.chat({
    model: h.PRIMARY_MODEL,
    tools: [WEATHER_TOOL],
    messages: [
      { role: 'user', content: 'What is the weather? use get_weather' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny, 21C' },
    ],
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.choices[0].message.content, 'Tool result received: sunny, 21C');
  assert.equal(res.json.choices[0].finish_reason, 'stop');
  const [up] = await mock.chatRequests();
  const msgs = up.body.messages;
  assert.equal(msgs.length, 3);
  assert.equal(msgs[1].tool_calls[0].id, 'call_1');
  assert.equal(msgs[1].tool_calls[0].function.name, 'get_weather');
  assert.deepEqual(JSON.parse(msgs[1].tool_calls[0].function.arguments), { city: 'Paris' });
  assert.equal(msgs[2].role, 'tool');
  assert.equal(msgs[2].tool_call_id, 'call_1');
});

test('response_format json_object and json_schema', T, async () => {
  const obj = await gw.chat(h.chatBody('give json', { response_format: { type: 'json_object' } }));
  assert.equal(obj.status, 200, obj.text);
  assert.deepEqual(JSON.parse(obj.json.choices[0].message.content), { reply: h.mockReply('give json') });

  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      age: { type: 'integer', minimum: 18 },
      tags: { type: 'array', items: { type: 'string' }, minItems: 2 },
      level: { enum: ['low', 'high'] },
    },
    required: ['name', 'age', 'tags', 'level'],
    additionalProperties: false,
  };
  const js = await gw.chat(
    h.chatBody('give person', { response_format: { type: 'json_schema', json_schema: { name: 'person', strict: true, schema } } }),
  );
  assert.equal(js.status, 200, js.text);
  assert.deepEqual(JSON.parse(js.json.choices[0].message.content), {
    name: 'name-value',
    age: 18,
    tags: ['tags-value', 'tags-value'],
    level: 'low',
  });
  const ups = await mock.chatRequests();
  assert.deepEqual(ups[1].body.response_format.json_schema.schema, schema, 'schema forwarded intact');
});

for (const [model, upstreamModel] of [
  ['fast', h.MINI_MODEL],
  [`mock/${h.MINI_MODEL}`, h.MINI_MODEL],
  [`mock/${h.PRIMARY_MODEL}`, h.PRIMARY_MODEL],
  [h.PRIMARY_MODEL, h.PRIMARY_MODEL],
]) {
  test(`route "${model}" is served by mock/${upstreamModel}`, T, async () => {
    const res = await gw.chat({ model, messages: [{ role: 'user', content: `via ${model}` }] });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.choices[0].message.content, h.mockReply(`via ${model}`));
    assert.equal(res.headers.get('x-gateway-provider'), 'mock');
    assert.equal(res.headers.get('x-gateway-model'), upstreamModel);
    const [up] = await mock.chatRequests();
    assert.equal(up.body.model, upstreamModel);
  });
}

test('GET /v1/models lists the routes the key may use', T, async () => {
  const res = await gw.request('/v1/models');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.object, 'list');
  assert.ok(Array.isArray(res.json.data));
  const ids = res.json.data.map((m) => m.id);
  for (const id of [h.PRIMARY_MODEL, 'fast']) assert.ok(ids.includes(id), `${id} in ${JSON.stringify(ids)}`);
  for (const m of res.json.data) {
    assert.equal(m.object, 'model');
    assert.equal(typeof m.id, 'string');
  }
  const anon = await gw.request('/v1/models', { key: null });
  assert.equal(anon.status, 401);
});

test('health endpoints answer without a key', T, async () => {
  const hz = await gw.request('/healthz', { key: null });
  assert.equal(hz.status, 200, hz.text);
  const rz = await gw.request('/readyz', { key: null });
  assert.equal(rz.status, 200, rz.text);
});

test('many concurrent requests all succeed with their own answers', { timeout: 30_000 }, async () => {
  const n = 40;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      i % 2 ? gw.chat(h.chatBody(`concurrent ${i}`)) : gw.chatStream(h.chatBody(`concurrent ${i}`)),
    ),
  );
  results.forEach((r, i) => {
    assert.equal(r.status, 200, `request ${i}: ${r.text}`);
    const text = i % 2 ? r.json.choices[0].message.content : r.text;
    assert.equal(text, h.mockReply(`concurrent ${i}`));
    if (!(i % 2)) assert.ok(r.done);
  });
  assert.equal((await mock.chatRequests()).length, n);
});

h.secretSweepTests(() => [gw]);
