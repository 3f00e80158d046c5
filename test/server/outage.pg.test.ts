/**
 * PostgreSQL goes away under load and comes back: the backend answers 503 database_unavailable in
 * the error shape meanwhile, /api/health says unavailable, the process stays up, and it recovers
 * by itself — no restart. A real backend process on a cluster of its own (stopping the run's
 * shared cluster would take the other test files down with it).
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startPostgresCluster, type PostgresCluster } from '../postgres/cluster.js';
import { startBackend, type BackendProcess } from './backend-process.js';
import { randomMasterKey } from './harness.js';
import { startStripeServer, type StripeTestServer } from '../stripe-server/index.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let cluster: PostgresCluster;
let stripe: StripeTestServer;
let backend: BackendProcess;
let dataDir: string;

beforeAll(async () => {
  [cluster, stripe] = await Promise.all([startPostgresCluster(), startStripeServer({ port: 0 })]);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serval-outage-'));
  backend = await startBackend({
    SERVAL_DATA_DIR: dataDir,
    DATABASE_URL: await cluster.createDatabase('outage'),
    SERVAL_MASTER_KEY: randomMasterKey(),
    STRIPE_API_BASE: stripe.url,
    STRIPE_MAX_RETRIES: '0',
    SERVAL_RECHECK_INTERVAL_MINUTES: '0.01', // the schedule keeps asking the database throughout
  });
}, 60_000);
afterAll(async () => {
  await backend?.stop();
  await Promise.all([cluster?.destroy(), stripe?.close()]);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

it('answers 503 database_unavailable while PostgreSQL is down, stays up, and recovers without a restart', async () => {
  const pair = await backend.fetch('/api/pair', { method: 'POST', body: { code: backend.pairingCode, deviceName: 'Outage' } });
  const token: string = pair.body.token;
  const appId: string = (await backend.fetch('/api/applications', { method: 'POST', token, body: { name: 'Before' } })).body.application.id;
  expect((await backend.fetch(`/api/applications/${appId}/integrations/stripe`, { method: 'PUT', token, body: { apiKey: stripe.createKey() } })).status).toBe(
    200,
  );

  // Load: reads and writes from 8 clients at once, all through the outage.
  const statuses: number[] = [];
  const bodies: any[] = [];
  let loading = true;
  const client = async (n: number) => {
    for (let i = 0; loading; i++) {
      const res =
        i % 3 === 0
          ? await backend.fetch('/api/applications', { method: 'POST', token, body: { name: `Load ${n}.${i}` } })
          : await backend.fetch(i % 3 === 1 ? '/api/status' : `/api/applications/${appId}`, { token });
      statuses.push(res.status);
      if (res.status !== 200 && res.status !== 201) bodies.push(res.body);
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, n) => client(n)));
  let upAt: number;
  try {
    await vi.waitFor(() => expect(statuses.length).toBeGreaterThan(50), { timeout: 15_000 });

    await cluster.stop('fast');
    const downAt = statuses.length;
    await vi.waitFor(() => expect(statuses.slice(downAt).filter((s) => s === 503).length).toBeGreaterThan(30), { timeout: 15_000 });
    const health = await backend.fetch('/api/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unavailable' });
    expect((await backend.fetch('/api/pair', { method: 'POST', body: { code: 'ABCD-EFGH', deviceName: 'x' } })).status).toBe(503);

    await cluster.start();
    await vi.waitFor(async () => expect((await backend.fetch('/api/health')).status).toBe(200), { timeout: 15_000, interval: 100 });
    upAt = statuses.length;
    await vi.waitFor(() => expect(statuses.length - upAt).toBeGreaterThan(50), { timeout: 15_000 });
  } finally {
    // The clients stop after their request in flight, whatever happened above: none outlives the test.
    loading = false;
    await load;
  }

  // Every answer was a success or a 503 in the error shape: never a crash, a hang or a 500.
  expect(backend.child.exitCode).toBeNull();
  expect(new Set(statuses)).toEqual(new Set([200, 201, 503]));
  for (const body of bodies) {
    expect(body.error).toMatchObject({ code: 'database_unavailable', message: expect.any(String), hint: expect.any(String) });
  }
  expect(statuses.slice(upAt).every((s) => s === 200 || s === 201)).toBe(true);

  // The data from before is all there, and writes work again.
  const after = await backend.fetch(`/api/applications/${appId}`, { token });
  expect(after.body.application).toMatchObject({ name: 'Before', stripe: { status: 'connected' } });
  expect((await backend.fetch('/api/applications', { method: 'POST', token, body: { name: 'After' } })).status).toBe(201);
  await backend.logWritten();
  expect(backend.output().stderr).not.toMatch(/unhandled|Uncaught/i);
  expect(backend.output().stdout).toContain('database unavailable');
});
