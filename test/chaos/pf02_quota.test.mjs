// PF-02 (RELIABILITY "Quota or billing exhaustion"): a 429 whose body says the quota is gone, and
// a 402, are never retried: one upstream attempt and a distinct provider_quota_exhausted error
// without a fallback; with a fallback the fallback serves. The exhausted credential then rests
// (auth_cooldown_ms), so the next request does not touch it.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';

import { h, startChaosStack, attemptsFor, metric } from './chaos.mjs';

const QUOTA_BODY = {
  error: {
    message: 'You exceeded your current quota, please check your plan and billing details.',
    type: 'insufficient_quota',
    param: null,
    code: 'insufficient_quota',
  },
};

let stack;

before(async () => {
  stack = await startChaosStack({
    personas: {
      q429: { model: 'pf02-429' },
      q402: { model: 'pf02-402' },
      q429fb: { model: 'pf02-429-fb', fallback: ['backup/pf02-429-fb'] },
      q402fb: { model: 'pf02-402-fb', fallback: ['backup/pf02-402-fb'] },
    },
  });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

beforeEach(async () => {
  await Promise.all([stack.primary.reset(), stack.backup.reset()]);
});

const T = { timeout: 30_000 };

const VARIANTS = [
  ['429 insufficient_quota body', { status: 429, body: QUOTA_BODY }, 'q429', 'pf02-429'],
  ['402', { status: 402 }, 'q402', 'pf02-402'],
];

for (const [label, fault, persona, model] of VARIANTS) {
  test(`PF-02 quota (${label}) without a fallback: 1 upstream attempt, provider_quota_exhausted, no retry`, T, async () => {
    const { gw, primary, keys } = stack;
    await primary.setFaults([{ times: 0, match: { model }, ...fault }]);
    const cooled = () => metric(gw, 'gateway_credential_cooling_total', { provider: 'primary', reason: 'quota' });
    const cooledBefore = await cooled();
    const res = await gw.chat({ model, messages: [{ role: 'user', content: 'spend' }] }, { key: keys[persona] });
    assert.equal(res.headers.get('x-gateway-error-kind'), 'provider_quota_exhausted', `${res.status} ${res.text}`);
    assert.equal(res.status, 429, res.text);
    h.openAiError(assert, res.json, { status: 429, type: 'insufficient_quota' });
    assert.equal(res.headers.get('x-gateway-attempts'), '1');
    // Wait out any (wrong) backoff retry before counting.
    await h.sleep(600);
    assert.equal((await attemptsFor(primary, model)).length, 1, 'zero retries of an exhausted quota');
    assert.equal(await cooled(), cooledBefore + 1, 'gateway_credential_cooling_total{reason="quota"} counts it');

    // The credential rests: the next request makes no upstream attempt at all, and still says
    // why (RELIABILITY: "a distinct upstream_quota_exhausted error"; "rate limited, retry
    // later" would send the client into a retry loop against a spent account).
    const again = await gw.chat({ model, messages: [{ role: 'user', content: 'spend again' }] }, { key: keys[persona] });
    assert.equal((await attemptsFor(primary, model)).length, 1, 'the exhausted credential is skipped');
    assert.equal(again.status, 429, again.text);
    assert.equal(again.headers.get('x-gateway-error-kind'), 'provider_quota_exhausted',
      `a request skipped because the quota is spent must keep the quota kind: ${again.text}`);
  });

  test(`PF-02 quota (${label}) with a fallback: the fallback serves, the primary is tried once`, T, async () => {
    const { gw, primary, backup, keys } = stack;
    const fbModel = `${model}-fb`;
    await primary.setFaults([{ times: 0, match: { model: fbModel }, ...fault }]);
    const res = await gw.chat({ model: fbModel, messages: [{ role: 'user', content: 'spend elsewhere' }] }, { key: keys[`${persona}fb`] });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.choices[0].message.content, h.mockReply('spend elsewhere'));
    assert.equal(res.headers.get('x-gateway-provider'), 'backup');
    assert.equal(res.headers.get('x-gateway-attempts'), '2');
    assert.match(res.headers.get('x-gateway-fallbacks') ?? '', /=provider_quota_exhausted\b/);
    assert.equal((await attemptsFor(primary, fbModel)).length, 1);
    assert.equal((await attemptsFor(backup, fbModel)).length, 1);

    const next = await gw.chat({ model: fbModel, messages: [{ role: 'user', content: 'next' }] }, { key: keys[`${persona}fb`] });
    assert.equal(next.status, 200, next.text);
    assert.equal(next.headers.get('x-gateway-attempts'), '1', 'straight to the fallback while the credential rests');
    assert.equal((await attemptsFor(primary, fbModel)).length, 1);
  });
}
