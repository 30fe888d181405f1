// Shared pieces of the budget and ledger tests: prices that make reservations exact, the ledger
// invariant checker (`execution-platform ledger check`), and throwaway PostgreSQL schemas.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GW_BIN, randomId } from './harness.mjs';

const run = promisify(execFile);

// Output at $1,000 per million tokens ($0.001 a token) and free input: a request with
// max_tokens N reserves exactly N × $0.001, whatever its prompt.
export const PRICING = [{ provider: 'mock', model: '*', input: '0', output: '1000' }];
export const NANOS_PER_TOKEN = 1_000_000;
export const USD = 1_000_000_000;

export function withBudget(config, { persona = {}, teams, ledgerUrl, redisUrl, cost = {} } = {}) {
  const p = Object.values(config.personas)[0];
  p.team = p.team ?? 'core';
  p.budget = persona;
  config.cost = { pricing: PRICING, ...cost };
  if (teams) config.teams = teams;
  if (ledgerUrl) config.storage.ledger_url = ledgerUrl;
  if (redisUrl) config.redis = { url: redisUrl };
  return config;
}

// Runs the invariant checker against a config's ledger (or a URL). Returns the parsed report;
// exit status 1 with a report means a violation, which the caller asserts on.
export async function ledgerCheck({ config, url, sweep = false }) {
  const args = ['ledger', 'check'];
  if (url) args.push('--url', url);
  else args.push('--config', config);
  if (sweep) args.push('--sweep');
  try {
    const { stdout } = await run(GW_BIN, args, { env: { ...process.env, GW_TEST_KEY: 'x', GW_ADMIN_KEY: 'y' } });
    return JSON.parse(stdout);
  } catch (err) {
    if (err.stdout) return JSON.parse(err.stdout);
    throw err;
  }
}

// A fresh schema in the test PostgreSQL (GW_TEST_PG_URL, started by scripts/test.sh) and a URL
// whose search_path points at it, so each test sees only its own ledger. Null without PostgreSQL.
export async function pgSchemaUrl() {
  const base = process.env.GW_TEST_PG_URL;
  if (!base) return null;
  const schema = `it_${randomId().replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 16)}`;
  await run('psql', [base, '-qc', `CREATE SCHEMA ${schema}`]);
  const sep = base.includes('?') ? '&' : '?';
  return `${base}${sep}options=-csearch_path%3D${schema}`;
}

export function usd(nanos) {
  return (nanos / USD).toFixed(6);
}
