// BI-08 (RELIABILITY "Slow clients"): the per-IP connection cap. One address holding
// `max_connections_per_ip` open connections gets a 503 with Retry-After on the next one, which is
// closed at once; a freed slot is usable again; the refusals are counted.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import { h, startChaosStack } from './chaos.mjs';

const CAP = 5;
let stack;

before(async () => {
  stack = await startChaosStack({
    personas: { capped: { model: 'bi08-cap' } },
    limits: { max_connections_per_ip: CAP },
  });
}, { timeout: 30_000 });

after(async () => {
  await stack?.stop();
});

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

// Everything the peer sends until it closes (or `ms` pass).
function readUntilClose(socket, ms) {
  return new Promise((resolve) => {
    let data = '';
    const t = setTimeout(() => resolve({ data, closed: false }), ms);
    socket.on('data', (d) => { data += d.toString('latin1'); });
    const done = () => {
      clearTimeout(t);
      resolve({ data, closed: true });
    };
    socket.once('close', done);
    socket.once('error', done);
  });
}

// The per-IP refusal counter, scraped on a connection of its own that is closed afterwards (a
// pooled keep-alive connection would hold one of the few slots this test counts on).
async function refusals(gw) {
  const s = await connect(gw.port);
  s.write('GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  const { data } = await readUntilClose(s, 5_000);
  const text = data.slice(data.indexOf('\r\n\r\n') + 4);
  const samples = text.split('\n').filter((l) => l.startsWith('gateway_shed_total{scope="per_ip"}'));
  return samples.length === 0 ? 0 : Number(samples[0].split(/\s+/)[1]);
}

test(`BI-08 per-IP cap: ${CAP} idle connections from one address, the next gets 503 + Retry-After and is closed`, { timeout: 30_000 }, async () => {
  const { gw } = stack;
  const refusedBefore = await refusals(gw);
  await h.sleep(100);
  const held = [];
  for (let i = 0; i < CAP; i++) held.push(await connect(gw.port));
  await h.sleep(200); // let the gateway accept them all
  const extra = await connect(gw.port);
  const answer = await readUntilClose(extra, 5_000);
  assert.ok(answer.closed, 'the connection over the cap is closed');
  assert.match(answer.data, /^HTTP\/1\.1 503 /, answer.data);
  assert.match(answer.data, /\r\nretry-after: 1\r\n/i);
  assert.match(answer.data, /"code":"too_many_connections"/);

  // Free one slot: a real request fits again (its own connection, then closed).
  held.pop().destroy();
  await h.sleep(200);
  const one = await connect(gw.port);
  const body = JSON.stringify({ model: 'bi08-cap', messages: [{ role: 'user', content: 'fits' }] });
  one.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${stack.keys.capped}\r\n` +
    `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  const ok = await readUntilClose(one, 10_000);
  assert.match(ok.data, /^HTTP\/1\.1 200 /, ok.data.slice(0, 300));
  for (const s of held) s.destroy();
  await h.sleep(200);
  // Read the counter once the held connections are gone (the scrape needs a slot too).
  assert.equal(await refusals(gw), refusedBefore + 1);
});
