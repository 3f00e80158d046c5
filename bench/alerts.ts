/**
 * How soon a team hears that a key broke: from the start of a re-check that finds a stored key
 * broken (Stripe no longer knows it) to the webhook's arrival at a receiver on loopback, median of
 * 20, on SQLite and PostgreSQL. The alert is written with the re-check's change and sent by the
 * instance's sender, which looks as soon as an event is written.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { createRuntime } from '../server/runtime.js';
import { startStripeServer } from '../test/stripe-server/index.js';
import { benchDatabases, type BenchDatabase } from './databases.js';
import { median, round, type BenchResult } from './stats.js';

const RUNS = 20;

export async function benchAlerts(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const database of await benchDatabases()) results.push(await alertLatencyOn(database));
  return results;
}

async function alertLatencyOn(database: BenchDatabase): Promise<BenchResult> {
  let arrived: (at: number) => void = () => {};
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrived(performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
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
  try {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
    await runtime.alerts.create({ url, kind: 'webhook', events: ['integration.broken'] }, null);
    const applicationId = (await runtime.repos.transaction(async (tx) => {
      const id = `app_bench${Date.now()}`;
      await tx.applications.create({ id, name: 'Bench', createdAt: new Date().toISOString(), environment: null, stripeAccount: null });
      return id;
    })) as string;
    const once = async () => {
      const apiKey = stripe.createKey({ type: 'restricted' });
      await runtime.integrations.connect(applicationId, { apiKey }, null);
      stripe.deleteKey(apiKey);
      const delivered = new Promise<number>((resolve) => (arrived = resolve));
      const started = performance.now();
      const { integration } = await runtime.integrations.recheck(applicationId, null);
      if (integration.status !== 'invalid') throw new Error(`the re-check found ${integration.status}`);
      return (await delivered) - started;
    };
    for (let i = 0; i < 3; i++) await once(); // warm up
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await once());
    return { name: `${database.label}: re-check finds a key broken → webhook arrives (median of ${RUNS})`, value: round(median(times), 1), unit: 'ms' };
  } finally {
    await runtime.close();
    await stripe.close();
    receiver.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
