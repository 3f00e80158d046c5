/**
 * Time to PUT a restricted key with all five permissions while every Stripe request takes 150 ms,
 * as a ratio to that latency. The account lookup and the five probes run in parallel, so the
 * target is ≤ 1.3 (six sequential requests would be ~6).
 */
import { serve } from '@hono/node-server';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { createRuntime } from '../server/runtime.js';
import { startStripeServer } from '../test/stripe-server/index.js';
import { benchDatabases, type BenchDatabase } from './databases.js';
import { median, round, type BenchResult } from './stats.js';

const LATENCY_MS = 150;
const RUNS = 15;

export async function benchKeyCheck(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const database of await benchDatabases()) results.push(...(await keyCheckOn(database)));
  return results;
}

async function keyCheckOn(database: BenchDatabase): Promise<BenchResult[]> {
  const stripe = await startStripeServer({ port: 0, recordRequests: false });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-bench-'));
  const runtime = await createRuntime(
    loadConfig({
      SERVAL_DATA_DIR: dataDir,
      STRIPE_API_BASE: stripe.url,
      SERVAL_RECHECK_INTERVAL_MINUTES: '0',
      STRIPE_MAX_RETRIES: '0',
      ...(await database.env()),
    }),
    { logger: createLogger({ level: 'silent' }) },
  );
  const server = serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const { code } = await runtime.pairing.issueCode();
    const { token } = (await (await fetch(`${base}/api/pair`, post({ code, deviceName: 'bench' }))).json()) as { token: string };
    const auth = { Authorization: `Bearer ${token}` };
    const { application } = (await (await fetch(`${base}/api/applications`, post({ name: 'Bench' }, auth))).json()) as { application: { id: string } };
    const put = async () => {
      const apiKey = stripe.createKey({ type: 'restricted' });
      const started = performance.now();
      const res = await fetch(`${base}/api/applications/${application.id}/integrations/stripe`, { ...post({ apiKey }, auth), method: 'PUT' });
      const body = (await res.json()) as { integration?: { status: string } };
      if (res.status !== 200 || body.integration?.status !== 'connected') throw new Error(`PUT failed: ${res.status} ${JSON.stringify(body)}`);
      return performance.now() - started;
    };

    stripe.setLatency(0);
    for (let i = 0; i < 3; i++) await put(); // warm up: JIT, database pages and connections
    const withoutLatency = median(await sequence(RUNS, put));
    // What synchronous=FULL (the WAL synced at every commit, so a 200 survives power loss) costs
    // against NORMAL, on the same PUT: measured here, then set back.
    const durability: BenchResult[] = [];
    if (runtime.database.dialect === 'sqlite') {
      runtime.database.sqlite.pragma('synchronous = NORMAL');
      const normal = median(await sequence(RUNS, put));
      runtime.database.sqlite.pragma('synchronous = FULL');
      durability.push({ name: `${database.label}: the same PUT with synchronous=NORMAL (what FULL costs)`, value: round(normal, 2), unit: 'ms' });
    }
    stripe.setLatency(LATENCY_MS);
    const withLatency = median(await sequence(RUNS, put));
    return [
      { name: `${database.label}: PUT restricted key, Stripe latency ${LATENCY_MS} ms (median of ${RUNS})`, value: round(withLatency, 1), unit: 'ms' },
      {
        name: `${database.label}: PUT restricted key ÷ Stripe latency`,
        value: round(withLatency / LATENCY_MS, 3),
        unit: 'ratio',
        target: '≤ 1.3',
        ok: withLatency / LATENCY_MS <= 1.3,
      },
      { name: `${database.label}: PUT restricted key, no added latency (median of ${RUNS})`, value: round(withoutLatency, 2), unit: 'ms' },
      ...durability,
    ];
  } finally {
    server.close();
    await runtime.close();
    await stripe.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

async function sequence(n: number, fn: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}
