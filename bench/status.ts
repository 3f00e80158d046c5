/**
 * GET /api/status — what every paired browser polls — under load: the real backend process
 * (server/main.ts, as `npm start` runs it) on each database, 50 connections from autocannon in
 * this process, after a warm-up. Figures: requests per second and the server's resident memory.
 */
import autocannon from 'autocannon';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBackend } from '../test/server/backend-process.js';
import { startStripeServer } from '../test/stripe-server/index.js';
import { benchDatabases, type BenchDatabase } from './databases.js';
import { round, type BenchResult } from './stats.js';

const CONNECTIONS = 50;
const SECONDS = 5;

export async function benchStatus(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const database of await benchDatabases()) results.push(...(await statusOn(database)));
  return results;
}

async function statusOn(database: BenchDatabase): Promise<BenchResult[]> {
  const stripe = await startStripeServer({ port: 0, recordRequests: false });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-bench-'));
  const backend = await startBackend({ SERVAL_DATA_DIR: dataDir, STRIPE_API_BASE: stripe.url, LOG_LEVEL: 'info', ...(await database.env()) });
  try {
    const { token } = (await backend.fetch('/api/pair', { method: 'POST', body: { code: backend.pairingCode, deviceName: 'bench' } })).body;
    for (let i = 0; i < 5; i++) {
      const { application } = (await backend.fetch('/api/applications', { method: 'POST', token, body: { name: `App ${i}` } })).body;
      await backend.fetch(`/api/applications/${application.id}/integrations/stripe`, { method: 'PUT', token, body: { apiKey: stripe.createKey() } });
    }
    const load = (duration: number) =>
      autocannon({ url: `${backend.url}/api/status`, connections: CONNECTIONS, duration, headers: { authorization: `Bearer ${token}` } });
    await load(1); // warm-up: JIT, connections, pages
    const result = await load(SECONDS);
    if (result.non2xx || result.errors) throw new Error(`status load: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return [
      { name: `${database.label}: GET /api/status, ${CONNECTIONS} connections (${SECONDS} s)`, value: Math.round(result.requests.average), unit: 'req/s' },
      { name: `${database.label}: GET /api/status p99 latency`, value: round(result.latency.p99, 1), unit: 'ms' },
      { name: `${database.label}: server resident memory after the load`, value: round(residentMiB(backend.child.pid!), 1), unit: 'MiB' },
    ];
  } finally {
    await backend.stop();
    await stripe.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** VmRSS of a process, from /proc. */
function residentMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}
