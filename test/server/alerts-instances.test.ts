/**
 * Two backend instances (real processes) and the test's own runtime, all on one database, all
 * delivering the same outbox: each event reaches its endpoint exactly once. On PostgreSQL the
 * claims skip the rows another instance has locked; on SQLite the write lock serialises them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAlertReceiver } from './alert-receiver.js';
import { startBackend, type BackendProcess } from './backend-process.js';
import { dialect, startHarness, type Harness } from './harness.js';

let h: Harness;
let receiver: Awaited<ReturnType<typeof startAlertReceiver>>;
const backends: BackendProcess[] = [];

beforeAll(async () => {
  receiver = await startAlertReceiver();
  h = await startHarness({ env: { SERVAL_ALERT_RETRY_BASE_SECONDS: '0.05' } });
  await h.pair();
  backends.push(...(await Promise.all([startBackend({ ...h.env, LOG_LEVEL: 'info' }), startBackend({ ...h.env, LOG_LEVEL: 'info' })])));
});
afterAll(async () => {
  await Promise.all(backends.map((b) => b.stop()));
  await h?.close();
  await receiver?.close();
});

describe(`alerts from several instances on one ${dialect} database`, () => {
  it('deliver each event exactly once, retries included, whichever instance made it', async () => {
    receiver.behave('/once', { status: 500, times: 3 }); // the first attempts fail: retries race too
    const created = await h.post('/api/alert-endpoints', { url: receiver.url('/once'), kind: 'webhook', events: ['device.paired'] });
    expect(created.status).toBe(201);
    const [a, b] = backends;
    const events = 20;
    for (let i = 0; i < events; i++) {
      const { code } = await h.runtime.pairing.issueCode();
      const res = await [a, b][i % 2].fetch('/api/pair', { method: 'POST', body: { code, deviceName: `Browser ${i}` } });
      expect(res.status).toBe(201);
    }
    // Every delivery settled (a 2xx recorded) means every request that was made has arrived.
    const settled = async () => {
      const rows = await h.sql<{ status: string }>('select status from alert_deliveries where endpoint_id = ?', [created.body.endpoint.id]);
      expect(rows).toHaveLength(events);
      expect(rows.every((r) => r.status === 'delivered')).toBe(true);
    };
    await vi.waitFor(settled, { timeout: 15_000, interval: 50 });
    const delivered = receiver.at('/once').slice(3); // after the three failing answers, each 204 is a delivery
    const ids = delivered.map((r) => JSON.parse(r.body).id as string);
    expect(ids).toHaveLength(events);
    expect(new Set(ids).size).toBe(events);
  });
});
