// `execution-platform smoke` and `execution-platform providers` (docs/smoke.md): smoke skips
// without credentials, runs its three scenarios against the mock provider through the real
// OpenAI adapter, prices the reported tokens exactly from the embedded list prices, fails with
// the typed error (never the key) when a call fails; providers lists every adapter.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

import * as h from './harness.mjs';

const T = { timeout: 60_000 };

// Every variable any smoke type reads, so the "no env" runs see none of the developer's own.
const SMOKE_VARS = [
  'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY',
  'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT', 'AZURE_OPENAI_DEPLOYMENT',
  'AZURE_OPENAI_API_VERSION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_BEARER_TOKEN_BEDROCK', 'AWS_REGION', 'OLLAMA_HOST',
];

function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const name of SMOKE_VARS) delete env[name];
  return { ...env, ...extra };
}

// Runs the binary to completion (bounded) and returns {code, signal, stdout, stderr}.
function run(args, { env = cleanEnv(), timeoutMs = 45_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(h.GW_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
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
      resolve({ code, signal, stdout, stderr, all: `${stdout}\n${stderr}` });
    });
  });
}

// A recorded mock request's header, by lower-case name.
const header = (req, name) =>
  Object.entries(req.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];

function explain(r) {
  return `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
}

// The scenario line of `name` ("chat    ok 3/3  latency p50 …"), parsed.
function scenarioLine(stdout, name) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `no "${name}" line in:\n${stdout}`);
  const ok = line.match(/ ok (\d+)\/(\d+)/);
  const tokens = line.match(/tokens in (\d+) out (\d+)/);
  const cost = line.match(/cost \$(\d+)\.(\d{9})\b/);
  return {
    line,
    ok: ok && Number(ok[1]),
    calls: ok && Number(ok[2]),
    input: tokens && BigInt(tokens[1]),
    output: tokens && BigInt(tokens[2]),
    costNanos: cost && BigInt(cost[1]) * 1_000_000_000n + BigInt(cost[2]),
  };
}

// gpt-4o-mini list price in micro-dollars per million tokens (config/pricing/list-prices.json).
const GPT_4O_MINI = { input: 150_000n, output: 600_000n };

function expectedCostNanos(input, output, price) {
  return (input * price.input + output * price.output + 500n) / 1000n;
}

let mock;
let key;

before(async () => {
  mock = await h.startMock();
}, { timeout: 30_000 });

after(async () => {
  await mock?.stop();
});

beforeEach(async () => {
  await mock.reset();
  key = h.canaryKey();
});

function smokeOpenAI(extraArgs = [], extraEnv = {}) {
  return run(['smoke', '--provider', 'openai', '--base-url', mock.url, ...extraArgs],
    { env: cleanEnv({ OPENAI_API_KEY: key, ...extraEnv }) });
}

for (const [type, variable] of [
  ['openai', 'OPENAI_API_KEY'],
  ['anthropic', 'ANTHROPIC_API_KEY'],
  ['gemini', 'GEMINI_API_KEY'],
  ['azure_openai', 'AZURE_OPENAI_API_KEY'],
  ['bedrock', 'AWS_ACCESS_KEY_ID'],
  ['ollama', 'OLLAMA_HOST'],
]) {
  test(`smoke ${type} without credentials: one skipped line naming ${variable}, exit 0`, T, async () => {
    const r = await run(['smoke', '--provider', type]);
    assert.equal(r.code, 0, explain(r));
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1, explain(r));
    assert.match(lines[0], new RegExp(`^smoke ${type}: skipped \\(.*${variable}.*\\)$`));
    assert.equal(r.stderr, '');
    assert.deepEqual(await mock.chatRequests(), [], 'a skipped smoke sends nothing');
  });
}

test('smoke azure_openai: only the variables the flags do not cover are required', T, async () => {
  const r = await run(['smoke', '--provider', 'azure_openai', '--base-url', 'http://127.0.0.1:9'],
    { env: cleanEnv({ AZURE_OPENAI_API_KEY: key }) });
  assert.equal(r.code, 0, explain(r));
  assert.match(r.stdout, /^smoke azure_openai: skipped \(AZURE_OPENAI_DEPLOYMENT is not set\)\n$/);
});

test('smoke bedrock: half an access-key pair is not credentials; the skip names the rest', T, async () => {
  const r = await run(['smoke', '--provider', 'bedrock'],
    { env: cleanEnv({ AWS_SECRET_ACCESS_KEY: 'half-of-a-key-pair' }) });
  assert.equal(r.code, 0, explain(r));
  assert.match(r.stdout, /^smoke bedrock: skipped \(AWS_ACCESS_KEY_ID is not set \(nor AWS_BEARER_TOKEN_BEDROCK\)\)\n$/);
});

test('smoke with an unknown provider type is a usage error (exit 2) listing the known ones', T, async () => {
  const r = await run(['smoke', '--provider', 'nosuch']);
  assert.equal(r.code, 2, explain(r));
  assert.match(r.stderr, /unknown provider type "nosuch".*openai.*anthropic.*gemini.*azure_openai.*bedrock.*ollama/);
});

test('smoke --rounds 0 is a usage error (exit 2)', T, async () => {
  const r = await run(['smoke', '--provider', 'openai', '--rounds', '0']);
  assert.equal(r.code, 2, explain(r));
});

test('smoke openai against the mock: chat, stream and tool lines, tokens, exact cost, exit 0', T, async () => {
  const r = await smokeOpenAI();
  assert.equal(r.code, 0, explain(r));
  assert.match(r.stdout, new RegExp(`^smoke openai: model gpt-4o-mini at ${mock.url}, 3 rounds\n`));
  for (const name of ['chat', 'stream', 'tool']) {
    const s = scenarioLine(r.stdout, name);
    assert.equal(s.ok, 3, s.line);
    assert.equal(s.calls, 3, s.line);
    assert.match(s.line, /latency p50 \d+ ms p95 \d+ ms/);
    assert.ok(s.input > 0n && s.output > 0n, s.line);
    assert.equal(s.costNanos, expectedCostNanos(s.input, s.output, GPT_4O_MINI), s.line);
  }
  assert.match(scenarioLine(r.stdout, 'stream').line, /ttft p50 \d+ ms p95 \d+ ms/);
  assert.match(r.stdout, /smoke openai: ok \(9 calls\)\n$/);
  assert.equal(r.stderr, '');
  assert.ok(!r.all.includes(key), 'the key is never printed');
});

test('smoke openai sends what it says: 3 rounds of chat, stream (with usage) and a forced get_weather', T, async () => {
  const r = await smokeOpenAI();
  assert.equal(r.code, 0, explain(r));
  const sent = await mock.chatRequests();
  assert.equal(sent.length, 9);
  for (const req of sent) {
    assert.equal(req.body.model, 'gpt-4o-mini');
    assert.equal(header(req, 'authorization'), `Bearer ${key}`);
    assert.match(header(req, 'x-request-id') ?? '', /^req_[0-9a-f]{24}$/, 'the client adds x-request-id');
  }
  const streams = sent.filter((q) => q.body.stream === true);
  assert.equal(streams.length, 3);
  for (const q of streams) assert.equal(q.body.stream_options?.include_usage, true);
  const tools = sent.filter((q) => Array.isArray(q.body.tools));
  assert.equal(tools.length, 3);
  for (const q of tools) {
    assert.equal(q.body.tools[0].function.name, 'get_weather');
    assert.deepEqual(q.body.tool_choice, { type: 'function', function: { name: 'get_weather' } });
  }
});

test('smoke --model and --rounds: a model without a list price prints cost n/a, not a guess', T, async () => {
  const r = await smokeOpenAI(['--model', 'mock-unpriced', '--rounds', '1']);
  assert.equal(r.code, 0, explain(r));
  const chat = scenarioLine(r.stdout, 'chat');
  assert.equal(chat.calls, 1);
  assert.match(chat.line, /cost n\/a \(no list price for openai\/mock-unpriced\)/);
  assert.match(r.stdout, /smoke openai: ok \(3 calls\)/);
});

test('smoke: a provider that reports no usage prints tokens n/a', T, async () => {
  await mock.setFaults([{ times: 0, no_usage: true }]);
  const r = await smokeOpenAI(['--rounds', '1']);
  assert.equal(r.code, 0, explain(r));
  for (const name of ['chat', 'stream', 'tool']) {
    assert.match(scenarioLine(r.stdout, name).line, /tokens n\/a \(not reported\)/);
  }
});

test('smoke: every call failing with 500 → exit 1, the typed error, never the key', T, async () => {
  await mock.setFaults([{ status: 500, times: 0 }]);
  const r = await smokeOpenAI();
  assert.equal(r.code, 1, explain(r));
  assert.match(r.stderr, /smoke openai: chat round 1 failed: provider_server_error \(HTTP 500\)/);
  assert.match(r.stderr, /stream round 3 failed: provider_server_error/);
  for (const name of ['chat', 'stream', 'tool']) assert.equal(scenarioLine(r.stdout, name).ok, 0);
  assert.match(r.stdout, /smoke openai: FAILED \(9 of 9 calls\)/);
  assert.deepEqual(h.findLeaks([['smoke output', r.all]], key), []);
});

// The OpenAI codec keeps the provider's message only for invalid requests (auth errors get a
// generic one), so a 400 is where an echoed key would reach the output.
test('smoke: a provider error quoting the key is printed with the key redacted', T, async () => {
  const body = JSON.stringify({
    error: {
      message: `Invalid 'api_key' value: ${key} is not a project key.`,
      type: 'invalid_request_error',
      param: 'api_key',
      code: 'invalid_value',
    },
  });
  await mock.setFaults([{ status: 400, body, times: 0 }]);
  const r = await smokeOpenAI(['--rounds', '1']);
  assert.equal(r.code, 1, explain(r));
  assert.match(r.stderr, /chat round 1 failed: provider_invalid_request \(HTTP 400\) \[invalid_value\]: Invalid 'api_key' value: \[redacted\] is not a project key\./);
  assert.deepEqual(h.findLeaks([['smoke output', r.all]], key), []);
});

test('smoke: an in-band error in the stream fails only the stream scenario', T, async () => {
  await mock.setFaults([{ times: 0, match: { stream: true }, stream_error: 1 }]);
  const r = await smokeOpenAI(['--rounds', '2']);
  assert.equal(r.code, 1, explain(r));
  assert.equal(scenarioLine(r.stdout, 'chat').ok, 2);
  assert.equal(scenarioLine(r.stdout, 'tool').ok, 2);
  assert.equal(scenarioLine(r.stdout, 'stream').ok, 0);
  assert.match(r.stderr, /stream round 1 failed: provider_\w+/);
  assert.doesNotMatch(r.stderr, /(chat|tool) round \d failed/);
  assert.match(r.stdout, /FAILED \(2 of 6 calls\)/);
});

test('smoke: a stream cut before its terminal record is provider_stream_interrupted', T, async () => {
  await mock.setFaults([{ times: 0, match: { stream: true }, drop_after: 1 }]);
  const r = await smokeOpenAI(['--rounds', '1']);
  assert.equal(r.code, 1, explain(r));
  assert.match(r.stderr, /stream round 1 failed: provider_(stream_interrupted|unavailable|bad_response)/);
});

test('smoke: nothing listening at the base URL → exit 1 with provider_unavailable', T, async () => {
  const r = await run(['smoke', '--provider', 'openai', '--rounds', '1', '--base-url', 'http://127.0.0.1:9'],
    { env: cleanEnv({ OPENAI_API_KEY: key }) });
  assert.equal(r.code, 1, explain(r));
  assert.match(r.stderr, /chat round 1 failed: provider_unavailable/);
});

// ---------------------------------------------------------------------------------------------
// providers

async function providersJson() {
  const r = await run(['providers']);
  assert.equal(r.code, 0, explain(r));
  return JSON.parse(r.stdout);
}

test('providers: JSON with every capability of every registered adapter', T, async () => {
  const rows = await providersJson();
  const labels = rows.map((r) => r.adapter);
  for (const l of ['openai', 'mock', 'openai_compatible (vllm)', 'openai_compatible (ollama)']) {
    assert.ok(labels.includes(l), `${l} in ${labels}`);
  }
  for (const row of rows) {
    const c = row.capabilities;
    for (const k of ['streaming', 'tool_calling', 'parallel_tool_calls', 'vision', 'json_mode',
      'json_schema', 'system_prompt', 'usage_in_stream']) {
      assert.equal(typeof c[k], 'boolean', `${row.adapter}.${k}`);
    }
    assert.ok(Number.isInteger(c.tool_names.max_length) && c.tool_names.max_length > 0);
    assert.equal(typeof c.tool_names.extra_chars, 'string');
    assert.ok(['json_schema', 'openapi_subset'].includes(c.tool_schema), row.adapter);
  }
  const openai = rows.find((r) => r.adapter === 'openai');
  assert.equal(openai.type, 'openai');
  assert.equal(openai.flavor, null);
  assert.equal(openai.capabilities.tool_names.pattern, '^[A-Za-z0-9_-]{1,64}$');
  // The ollama flavor declares no parallel tool calls (config/providers.d/ollama.json).
  const ollamaFlavor = rows.find((r) => r.adapter === 'openai_compatible (ollama)');
  assert.equal(ollamaFlavor.flavor, 'ollama');
  assert.equal(ollamaFlavor.capabilities.parallel_tool_calls, false);
});

test('providers --markdown: the "## Adapter capabilities" table, one row per adapter', T, async () => {
  const r = await run(['providers', '--markdown']);
  assert.equal(r.code, 0, explain(r));
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines[0], '## Adapter capabilities');
  assert.match(lines[2], /^\| adapter \| streaming \| tool_calling \| parallel_tool_calls \| vision \| json_mode \| json_schema \| system_prompt \| usage_in_stream \| tool names \| tool schema \|$/);
  const rows = lines.slice(4);
  const cells = (row) => row.split(' | ').length;
  for (const row of rows) assert.equal(cells(row), cells(lines[2]), row);
  assert.ok(rows.some((l) => l.startsWith('| openai | yes |')), r.stdout);
  assert.ok(rows.some((l) => l.startsWith('| mock |')), r.stdout);
  assert.ok(rows.some((l) => l.startsWith('| openai_compatible (vllm) |')), r.stdout);
  assert.equal(rows.length, (await providersJson()).length);
});

// ---------------------------------------------------------------------------------------------
// Every other provider type against the mock, which speaks each one's wire format: the adapter
// from the registry, the type's credentials from the environment, its list price.

const PROVIDER_CASES = [
  {
    type: 'anthropic',
    env: (k) => ({ ANTHROPIC_API_KEY: k }),
    useBaseUrl: true,
    model: 'claude-haiku-4-5',
    price: { input: 1_000_000n, output: 5_000_000n },
    path: /^\/v1\/messages$/,
    auth: (req, k) => header(req, 'x-api-key') === k,
  },
  {
    type: 'gemini',
    env: (k) => ({ GOOGLE_API_KEY: k }), // the fallback variable
    useBaseUrl: true,
    model: 'gemini-2.5-flash',
    price: { input: 300_000n, output: 2_500_000n },
    path: /^\/v1beta\/models\/gemini-2\.5-flash:(generateContent|streamGenerateContent\?alt=sse)$/,
    auth: (req, k) => header(req, 'x-goog-api-key') === k,
  },
  {
    type: 'bedrock',
    label: 'bedrock (SigV4)',
    env: (k) => ({ AWS_ACCESS_KEY_ID: 'AKIDSMOKETEST', AWS_SECRET_ACCESS_KEY: k, AWS_REGION: 'eu-west-1' }),
    useBaseUrl: true,
    model: 'anthropic.claude-3-haiku-20240307-v1:0',
    price: { input: 250_000n, output: 1_250_000n },
    path: /^\/model\/anthropic\.claude-3-haiku-20240307-v1%3A0\/converse(-stream)?$/,
    auth: (req) => /^AWS4-HMAC-SHA256 Credential=AKIDSMOKETEST\/\d{8}\/eu-west-1\/bedrock\/aws4_request,/.test(header(req, 'authorization') ?? ''),
  },
  {
    type: 'bedrock',
    label: 'bedrock (API key)',
    env: (k) => ({ AWS_BEARER_TOKEN_BEDROCK: k }),
    useBaseUrl: true,
    model: 'anthropic.claude-3-haiku-20240307-v1:0',
    price: { input: 250_000n, output: 1_250_000n },
    path: /^\/model\/anthropic\.claude-3-haiku-20240307-v1%3A0\/converse(-stream)?$/,
    auth: (req, k) => header(req, 'authorization') === `Bearer ${k}`,
  },
  {
    type: 'ollama',
    // OLLAMA_HOST as Ollama's own clients accept it: host:port, no scheme.
    env: () => ({ OLLAMA_HOST: mock.url.replace(/^http:\/\//, '') }),
    useBaseUrl: false,
    model: 'llama3.2',
    price: { input: 0n, output: 0n },
    path: /^\/api\/chat$/,
    auth: () => true,
  },
  {
    type: 'azure_openai',
    env: (k) => ({ AZURE_OPENAI_API_KEY: k, AZURE_OPENAI_ENDPOINT: mock.url, AZURE_OPENAI_DEPLOYMENT: 'my-gpt-4o-mini' }),
    useBaseUrl: false,
    model: 'my-gpt-4o-mini',
    price: null, // a deployment name is the operator's own: no list price
    path: /^\/openai\/deployments\/my-gpt-4o-mini\/chat\/completions\?api-version=/,
    auth: (req, k) => header(req, 'api-key') === k && header(req, 'authorization') === undefined,
  },
];

for (const c of PROVIDER_CASES) {
  test(`smoke ${c.label ?? c.type} against the mock: its wire format, credentials and list price`, T, async () => {
    const args = ['smoke', '--provider', c.type, '--rounds', '1'];
    if (c.useBaseUrl) args.push('--base-url', mock.url);
    const r = await run(args, { env: cleanEnv(c.env(key)) });
    assert.equal(r.code, 0, explain(r));
    assert.match(r.stdout, new RegExp(`^smoke ${c.type}: model ${c.model.replace(/\./g, '\\.')} at ${mock.url}, 1 round\n`));
    for (const name of ['chat', 'stream', 'tool']) {
      const s = scenarioLine(r.stdout, name);
      assert.equal(s.ok, 1, s.line);
      assert.ok(s.input > 0n && s.output > 0n, s.line);
      if (c.price) {
        assert.equal(s.costNanos, expectedCostNanos(s.input, s.output, c.price), s.line);
      } else {
        assert.match(s.line, new RegExp(`cost n/a \\(no list price for ${c.type}/${c.model}\\)`));
      }
    }
    const sent = (await mock.requests()).filter((q) => c.path.test(q.path ?? q.target ?? ''));
    assert.equal(sent.length, 3, JSON.stringify((await mock.requests()).map((q) => q.path)));
    for (const q of sent) assert.ok(c.auth(q, key), `credentials on ${q.path}: ${JSON.stringify(q.headers)}`);
    assert.deepEqual(h.findLeaks([['smoke output', r.all]], key), []);
  });
}
