// The conformance suite, end to end: every ingress dialect (through its official SDK) × every
// provider (through the mock provider speaking that provider's wire format) × one set of
// scenarios. The provider list comes from the fixture folders (test/fixtures/providers/*) plus
// providers.json, so a new provider with fixtures is picked up without editing this file. The
// run writes docs/PROVIDER_PARITY_MATRIX.md from what actually passed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as h from '../integration/harness.mjs';
import { INGRESS, IngressError, makeClient } from './clients.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

function providerInstances() {
  const extra = JSON.parse(fs.readFileSync(path.join(here, 'providers.json'), 'utf8'));
  const names = new Set(Object.keys(extra).filter((k) => !k.startsWith('_')));
  const fixtures = path.join(root, 'test/fixtures/providers');
  for (const d of fs.readdirSync(fixtures)) {
    if (fs.statSync(path.join(fixtures, d)).isDirectory()) names.add(d);
  }
  return [...names].sort().map((name) => ({ name, config: extra[name] ?? { type: name } }));
}

const PROVIDERS = providerInstances();
const modelOf = (p) => `mock-${p}`;

const weather = {
  name: 'get_weather',
  description: 'Current weather in a city',
  schema: {
    type: 'object',
    properties: { city: { type: 'string', description: 'City name' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city'],
    additionalProperties: false,
  },
};
const clock = {
  name: 'get_time',
  description: 'Current time in a time zone',
  schema: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] },
};
// A schema Gemini rejects as written ($ref/$defs, anyOf with null, default, $schema) and a name
// with a dot that OpenAI-style providers reject: compiled per provider, mapped back by name.
const lookup = {
  name: 'docs.lookup',
  description: 'Look a document up',
  schema: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    $defs: { Query: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } },
    properties: {
      query: { $ref: '#/$defs/Query' },
      limit: { anyOf: [{ type: 'integer' }, { type: 'null' }], default: 5 },
    },
    required: ['query'],
    additionalProperties: false,
  },
};

const NORMAL_FINISH = { openai: 'stop', anthropic: 'end_turn', gemini: 'STOP' };
const TOOL_FINISH = { openai: 'tool_calls', anthropic: 'tool_use', gemini: 'STOP' };

// Client-visible status and error type per ingress for an upstream status (no fallback
// configured, so the mapped error reaches the client).
const ERROR_CASES = [
  { upstream: 400, status: 400, types: { openai: ['invalid_request_error'], anthropic: ['invalid_request_error'], gemini: ['INVALID_ARGUMENT'] } },
  { upstream: 401, status: 502, types: { openai: ['api_error'], anthropic: ['api_error'], gemini: ['INTERNAL'] } },
  { upstream: 429, status: 429, types: { openai: ['rate_limit_error', 'insufficient_quota'], anthropic: ['rate_limit_error'], gemini: ['RESOURCE_EXHAUSTED'] } },
  { upstream: 500, status: 502, types: { openai: ['api_error'], anthropic: ['api_error'], gemini: ['INTERNAL'] } },
  { upstream: 503, status: 503, types: { openai: ['api_error'], anthropic: ['api_error', 'overloaded_error'], gemini: ['UNAVAILABLE'] } },
];

const SCENARIOS = [
  'chat',
  'system prompt',
  'stream',
  'tool call',
  'parallel tool calls',
  'streamed tool calls',
  'tool result turn',
  'schema + name compiled',
  ...ERROR_CASES.map((c) => `error ${c.upstream}`),
  'malformed stream',
  'mid-stream error',
];

const results = new Map(); // `${ingress}|${provider}|${scenario}` → true/false
let stack;

before(async () => {
  stack = await h.startStack({
    tweak(config) {
      const mockUrl = config.providers.mock.base_url;
      config.providers = {};
      for (const p of PROVIDERS) config.providers[p.name] = { ...p.config, base_url: mockUrl };
      config.personas = {
        [h.PERSONA]: {
          provider: PROVIDERS[0].name,
          model: modelOf(PROVIDERS[0].name),
          allow: PROVIDERS.map((p) => `${p.name}/*`),
        },
      };
    },
  });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
  writeMatrix();
});

async function lastUpstreamBody() {
  const reqs = (await stack.mock.requests()).filter((r) => !String(r.path ?? '').startsWith('/_mock'));
  const last = reqs[reqs.length - 1];
  return typeof last?.body === 'string' ? last.body : JSON.stringify(last?.body ?? '');
}

function run(ingress, provider, scenario, fn) {
  test(`${ingress} → ${provider}: ${scenario}`, { timeout: 20_000 }, async () => {
    const key = `${ingress}|${provider}|${scenario}`;
    results.set(key, false);
    await stack.mock.reset();
    await stack.gw.resetBreakers();
    await fn(makeClient(ingress, stack.gw.url, h.GATEWAY_KEY, h.capturingFetch(stack.gw)));
    results.set(key, true);
  });
}

async function expectError(promise) {
  try {
    await promise;
  } catch (err) {
    if (err instanceof IngressError) return err;
    throw err;
  }
  assert.fail('expected an error');
}

for (const ingress of INGRESS) {
  describe(`ingress ${ingress}`, () => {
    for (const { name: provider } of PROVIDERS) {
      const model = `${provider}/${modelOf(provider)}`;
      const user = (text) => [{ role: 'user', text }];

      run(ingress, provider, 'chat', async (c) => {
        const r = await c.chat({ model, messages: user('hello conformance') });
        assert.equal(r.text, 'Mock reply to: hello conformance');
        assert.equal(r.finish, NORMAL_FINISH[ingress]);
        assert.ok(r.usage.input > 0 && r.usage.output > 0, JSON.stringify(r.usage));
      });

      run(ingress, provider, 'system prompt', async (c) => {
        const r = await c.chat({ model, system: 'You are terse and exact.', messages: user('hi') });
        assert.equal(r.text, 'Mock reply to: hi');
        assert.match(await lastUpstreamBody(), /You are terse and exact\./);
      });

      run(ingress, provider, 'stream', async (c) => {
        const r = await c.chat({ model, messages: user('stream these words back to me please'), stream: true });
        assert.equal(r.text, 'Mock reply to: stream these words back to me please');
        assert.ok(r.events > 1, `events: ${r.events}`);
        assert.equal(r.finish, NORMAL_FINISH[ingress]);
        assert.ok(r.usage.input > 0 && r.usage.output > 0, JSON.stringify(r.usage));
      });

      run(ingress, provider, 'tool call', async (c) => {
        const r = await c.chat({ model, messages: user('weather in Paris?'), tools: [weather], toolChoice: 'get_weather' });
        assert.equal(r.toolCalls.length, 1);
        assert.equal(r.toolCalls[0].name, 'get_weather');
        assert.deepEqual(r.toolCalls[0].args, { city: 'city-value', unit: 'celsius' });
        assert.equal(r.finish, TOOL_FINISH[ingress]);
      });

      run(ingress, provider, 'parallel tool calls', async (c) => {
        const r = await c.chat({ model, messages: user('use get_weather and get_time'), tools: [weather, clock] });
        assert.deepEqual(r.toolCalls.map((t) => t.name), ['get_weather', 'get_time']);
        assert.deepEqual(r.toolCalls[1].args, { zone: 'zone-value' });
      });

      run(ingress, provider, 'streamed tool calls', async (c) => {
        const r = await c.chat({ model, messages: user('use get_weather and get_time'), tools: [weather, clock], stream: true });
        assert.deepEqual(r.toolCalls.map((t) => t.name), ['get_weather', 'get_time']);
        assert.deepEqual(r.toolCalls[0].args, { city: 'city-value', unit: 'celsius' });
        assert.deepEqual(r.toolCalls[1].args, { zone: 'zone-value' });
      });

      run(ingress, provider, 'tool result turn', async (c) => {
        const r = await c.chat({
          model,
          tools: [weather],
          messages: [
            { role: 'user', text: 'weather in Paris?' },
            { role: 'assistant', toolCalls: [{ id: 'call_conf_1', name: 'get_weather', args: { city: 'Paris' } }] },
            { role: 'tool', id: 'call_conf_1', name: 'get_weather', result: 'sunny, 21 degrees' },
          ],
        });
        assert.equal(r.toolCalls.length, 0);
        assert.equal(r.text, 'Tool result received: sunny, 21 degrees');
      });

      run(ingress, provider, 'schema + name compiled', async (c) => {
        // OpenAI and Anthropic refuse a dotted name at their own door (as their APIs do); Gemini
        // clients may send one, and it must come back under that name from every provider.
        const name = ingress === 'gemini' ? 'docs.lookup' : 'docs_lookup';
        const tool = { ...lookup, name };
        const r = await c.chat({ model, messages: user('find the docs'), tools: [tool], toolChoice: name, stream: true });
        assert.equal(r.toolCalls.length, 1);
        assert.equal(r.toolCalls[0].name, name);
        assert.deepEqual(r.toolCalls[0].args.query, { text: 'text-value' });
      });

      for (const ec of ERROR_CASES) {
        run(ingress, provider, `error ${ec.upstream}`, async (c) => {
          // Every attempt fails (times 0): transient statuses are retried before the client sees them.
          await stack.mock.setFaults([{ times: 0, status: ec.upstream, match: { model: modelOf(provider) } }]);
          const err = await expectError(c.chat({ model, messages: user('fail please') }));
          assert.equal(err.status, ec.status, err.message);
          assert.ok(ec.types[ingress].includes(err.type), `type ${err.type}: ${err.message}`);
        });
      }

      run(ingress, provider, 'malformed stream', async (c) => {
        await stack.mock.setFaults([{ malformed: true, chunks: 6, match: { model: modelOf(provider) } }]);
        const err = await expectError(c.chat({ model, messages: user('one two three four five six seven'), stream: true }));
        assert.ok(err.partialText.length > 0, 'content before the broken record reached the client');
        assert.ok('Mock reply to: one two three four five six seven'.startsWith(err.partialText));
      });

      run(ingress, provider, 'mid-stream error', async (c) => {
        await stack.mock.setFaults([{ stream_error: 2, chunks: 6, match: { model: modelOf(provider) } }]);
        const err = await expectError(c.chat({ model, messages: user('one two three four five six seven'), stream: true }));
        assert.ok(err.partialText.length > 0, 'content before the error reached the client');
        assert.ok('Mock reply to: one two three four five six seven'.startsWith(err.partialText));
      });
    }
  });
}

function writeMatrix() {
  if (results.size === 0) return;
  const lines = [
    '# Provider parity matrix',
    '',
    'Written by the conformance suite (`test/conformance/matrix.test.mjs`) from what passed on',
    'its last run: each ingress dialect, through its official SDK, against each provider, served',
    'by the mock provider in that provider\'s wire format. ✓ passed, ✗ failed, · not run.',
    'Do not edit by hand.',
    '',
  ];
  for (const ingress of INGRESS) {
    lines.push(`## Ingress: ${ingress}`, '');
    lines.push(`| scenario | ${PROVIDERS.map((p) => p.name).join(' | ')} |`);
    lines.push(`| --- | ${PROVIDERS.map(() => ':---:').join(' | ')} |`);
    for (const s of SCENARIOS) {
      const cells = PROVIDERS.map((p) => {
        const r = results.get(`${ingress}|${p.name}|${s}`);
        return r === undefined ? '·' : r ? '✓' : '✗';
      });
      lines.push(`| ${s} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  // What each adapter declares (the router and check-config use the same data).
  const caps = spawnSync(h.GW_BIN, ['providers', '--markdown'], { encoding: 'utf8' });
  if (caps.status === 0) lines.push(caps.stdout);
  fs.writeFileSync(path.join(root, 'docs/PROVIDER_PARITY_MATRIX.md'), lines.join('\n'));
}
