// Tool calling through the official `openai` SDK: parallel calls, streamed call fragments
// assembled by index (by hand and by the stream helper), strict tools parsed by parse(), a
// manual tool-result turn, and the SDK's runTools() loop end to end.
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

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
};
const stocks = {
  type: 'function',
  function: {
    name: 'get_stock_price',
    description: 'Latest price of a ticker',
    parameters: {
      type: 'object',
      properties: { ticker: { type: 'string' }, exchange: { type: 'string', enum: ['NYSE', 'NASDAQ'] }, days: { type: 'integer' } },
      required: ['ticker', 'exchange', 'days'],
      additionalProperties: false,
    },
  },
};
const WEATHER_ARGS = { city: 'city-value', unit: 'celsius' };
const STOCK_ARGS = { ticker: 'ticker-value', exchange: 'NYSE', days: 1 };
const PROMPT = 'Call get_weather for Paris and get_stock_price for ACME';

test('parallel tool calls (non-streamed): ids, names, JSON arguments', T, async () => {
  const res = await client.chat.completions.create({
    model: h.PRIMARY_MODEL,
    messages: [{ role: 'user', content: PROMPT }],
    tools: [weather, stocks],
  });
  const choice = res.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.content, null);
  const calls = choice.message.tool_calls;
  assert.equal(calls.length, 2);
  assert.deepEqual(calls.map((c) => c.function.name), ['get_weather', 'get_stock_price']);
  assert.equal(new Set(calls.map((c) => c.id)).size, 2, 'distinct ids');
  calls.forEach((c) => {
    assert.equal(c.type, 'function');
    assert.ok(c.id.length > 0);
  });
  assert.deepEqual(JSON.parse(calls[0].function.arguments), WEATHER_ARGS);
  assert.deepEqual(JSON.parse(calls[1].function.arguments), STOCK_ARGS);
});

test('parallel_tool_calls: false yields one call', T, async () => {
  const res = await client.chat.completions.create({
    model: h.PRIMARY_MODEL,
    messages: [{ role: 'user', content: PROMPT }],
    tools: [weather, stocks],
    parallel_tool_calls: false,
  });
  assert.equal(res.choices[0].message.tool_calls.length, 1);
  const [up] = await stack.mock.chatRequests();
  assert.equal(up.body.parallel_tool_calls, false);
});

test('streamed tool calls assembled by index from raw chunks', T, async () => {
  const stream = await client.chat.completions.create({
    model: h.PRIMARY_MODEL,
    messages: [{ role: 'user', content: PROMPT }],
    tools: [weather, stocks],
    stream: true,
  });
  const calls = [];
  let finish = null;
  let fragments = 0;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      for (const tc of choice.delta.tool_calls ?? []) {
        fragments += 1;
        const slot = (calls[tc.index] ??= { id: '', name: '', arguments: '' });
        if (tc.id) slot.id = tc.id;
        if (tc.function?.name) slot.name += tc.function.name;
        if (tc.function?.arguments) slot.arguments += tc.function.arguments;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  assert.equal(finish, 'tool_calls');
  assert.ok(fragments > 2, 'arguments streamed in fragments');
  assert.deepEqual(calls.map((c) => c.name), ['get_weather', 'get_stock_price']);
  assert.ok(calls.every((c) => c.id.length > 0));
  assert.deepEqual(JSON.parse(calls[0].arguments), WEATHER_ARGS);
  assert.deepEqual(JSON.parse(calls[1].arguments), STOCK_ARGS);
});

test('stream helper: finalChatCompletion() carries assembled tool calls, tool_calls events fire', T, async () => {
  const runner = client.chat.completions.stream({
    model: h.PRIMARY_MODEL,
    messages: [{ role: 'user', content: PROMPT }],
    tools: [weather, stocks],
  });
  const done = [];
  runner.on('tool_calls.function.arguments.done', (e) => done.push(e));
  const final = await runner.finalChatCompletion();
  const calls = final.choices[0].message.tool_calls;
  assert.equal(final.choices[0].finish_reason, 'tool_calls');
  assert.deepEqual(calls.map((c) => c.function.name), ['get_weather', 'get_stock_price']);
  assert.deepEqual(JSON.parse(calls[0].function.arguments), WEATHER_ARGS);
  assert.deepEqual(JSON.parse(calls[1].function.arguments), STOCK_ARGS);
  assert.deepEqual(done.map((e) => e.name), ['get_weather', 'get_stock_price']);
});

test('parse() with strict function tools fills parsed_arguments', T, async () => {
  const strict = (t) => ({ ...t, function: { ...t.function, strict: true } });
  const res = await client.chat.completions.parse({
    model: h.PRIMARY_MODEL,
    messages: [{ role: 'user', content: PROMPT }],
    tools: [strict(weather), strict(stocks)],
  });
  const calls = res.choices[0].message.tool_calls;
  assert.deepEqual(calls[0].function.parsed_arguments, WEATHER_ARGS);
  assert.deepEqual(calls[1].function.parsed_arguments, STOCK_ARGS);
});

test('manual tool loop: tool_calls → tool results → final answer', T, async () => {
  const messages = [{ role: 'user', content: 'What is the weather? use get_weather' }];
  const first = await client.chat.completions.create({ model: h.PRIMARY_MODEL, messages, tools: [weather] });
  const call = first.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  messages.push(first.choices[0].message);
  messages.push({ role: 'tool', tool_call_id: call.id, content: 'Paris: 18C, cloudy' });
  const second = await client.chat.completions.create({ model: h.PRIMARY_MODEL, messages, tools: [weather] });
  assert.equal(second.choices[0].finish_reason, 'stop');
  assert.equal(second.choices[0].message.content, 'Tool result received: Paris: 18C, cloudy');
  const ups = await stack.mock.chatRequests();
  const sent = ups[1].body.messages;
  assert.equal(sent[1].tool_calls[0].id, call.id, 'assistant tool call id preserved upstream');
  assert.equal(sent[2].tool_call_id, call.id);
});

for (const stream of [false, true]) {
  test(`runTools() loop end to end (stream: ${stream})`, T, async () => {
    const invoked = [];
    const runner = client.chat.completions.runTools({
      model: h.PRIMARY_MODEL,
      stream,
      messages: [{ role: 'user', content: PROMPT }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: weather.function.description,
            parameters: weather.function.parameters,
            parse: JSON.parse,
            function: (args) => {
              invoked.push(['get_weather', args]);
              return 'weather: mild';
            },
          },
        },
        {
          type: 'function',
          function: {
            name: 'get_stock_price',
            description: stocks.function.description,
            parameters: stocks.function.parameters,
            parse: JSON.parse,
            function: (args) => {
              invoked.push(['get_stock_price', args]);
              return 'price: 42';
            },
          },
        },
      ],
    });
    const content = await runner.finalContent();
    assert.deepEqual(invoked, [['get_weather', WEATHER_ARGS], ['get_stock_price', STOCK_ARGS]]);
    assert.equal(content, 'Tool result received: price: 42');
    assert.equal(runner.allChatCompletions().length, 2, 'one tool round then the answer');
  });
}

h.secretSweepTests(() => [stack.gw]);
