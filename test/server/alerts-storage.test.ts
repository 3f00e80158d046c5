/**
 * The alert outbox's storage, on both databases: an event and its deliveries are written together,
 * only to the endpoints that receive its type; an event found by looking is written once; a claim
 * gives each due delivery to one sender however many ask at once; an attempt is recorded only by
 * the sender that still holds the claim.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEndpointRow, AlertEventRow, Repositories } from '../../server/db/repositories.js';
import { dialect } from './harness.js';
import { EARLIER, LATER, NOW, openTestStorage, type TestStorage } from './storage-harness.js';

let h: TestStorage;
let repos: Repositories;
beforeAll(async () => {
  h = await openTestStorage();
  repos = h.repos;
});
afterAll(async () => {
  await h.close();
});

let made = 0;
async function endpoint(events: string[], patch: Partial<AlertEndpointRow> = {}): Promise<AlertEndpointRow> {
  const row: AlertEndpointRow = {
    id: `ale_${++made}`,
    url: `https://hooks.example.com/${made}`,
    kind: 'webhook',
    events: JSON.stringify(events),
    sealedSecret: `sealed_${made}`,
    keyId: 'k_test',
    createdAt: `2026-01-01T00:00:${String(made).padStart(2, '0')}.000Z`,
    ...patch,
  };
  await repos.alerts.endpoints.create(row);
  return row;
}
const event = (type: string, patch: Partial<AlertEventRow> = {}): AlertEventRow => ({
  id: `evt_${++made}`,
  type,
  createdAt: EARLIER,
  payload: JSON.stringify({ type }),
  dedupeKey: null,
  ...patch,
});
const enqueue = (row: AlertEventRow) => repos.transaction((tx) => tx.alerts.enqueue(row));

describe(`the alert outbox (${dialect})`, () => {
  it('writes an event with one pending delivery per endpoint that receives its type, and a found event once', async () => {
    const broken = await endpoint(['integration.broken', 'device.paired']);
    const paired = await endpoint(['device.paired']);
    const first = event('integration.broken');
    expect(await enqueue(first)).toBe(true);
    expect(await enqueue(event('device.paired'))).toBe(true);
    expect((await repos.alerts.deliveries(broken.id, 10)).map((d) => d.eventType).sort()).toEqual(['device.paired', 'integration.broken']);
    expect((await repos.alerts.deliveries(paired.id, 10)).map((d) => d.eventType)).toEqual(['device.paired']);
    expect((await repos.alerts.deliveries(broken.id, 10)).find((d) => d.eventId === first.id)).toMatchObject({
      status: 'pending',
      attempts: 0,
      nextAttemptAt: EARLIER,
      leaseUntil: null,
      lastStatus: null,
    });

    const due = event('integration.rotation_due', { dedupeKey: 'integration.rotation_due:app_1:2026-01-01T00:00:00.000Z' });
    expect(await enqueue(due)).toBe(true);
    expect(await enqueue({ ...due, id: 'evt_again' })).toBe(false);
    expect(await h.sql('select id from alert_events where dedupe_key = ?', [due.dedupeKey])).toEqual([{ id: due.id }]);

    // A rolled-back change takes its event with it.
    await expect(
      repos.transaction(async (tx) => {
        await tx.alerts.enqueue(event('integration.broken', { id: 'evt_rolled_back' }));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await h.sql('select id from alert_events where id = ?', ['evt_rolled_back'])).toEqual([]);

    // Deleting an endpoint deletes its deliveries, not the events.
    expect(await repos.alerts.endpoints.delete(paired.id)).toBe(true);
    expect(await repos.alerts.deliveries(paired.id, 10)).toEqual([]);
    expect(await repos.alerts.endpoints.get(paired.id)).toBeUndefined();
    await h.sql('delete from alert_deliveries');
    await h.sql('delete from alert_endpoints');
  });

  it('gives each due delivery to one of many concurrent claims, and takes an attempt only from the claim that holds it', async () => {
    const target = await endpoint(['integration.broken']);
    for (let i = 0; i < 12; i++) await enqueue(event('integration.broken'));
    const claims = await Promise.all(Array.from({ length: 6 }, () => repos.alerts.claim({ now: NOW, leaseUntil: LATER, limit: 3 })));
    const ids = claims.flat().map((c) => c.id);
    expect(ids.length).toBe(12);
    expect(new Set(ids).size).toBe(12);
    expect(await repos.alerts.claim({ now: NOW, leaseUntil: LATER, limit: 10 })).toEqual([]); // all leased
    const [one] = claims.flat();
    expect(one).toMatchObject({ attempts: 0, leaseUntil: LATER, event: { type: 'integration.broken' }, endpoint: { id: target.id, url: target.url } });

    const outcome = { status: 'delivered' as const, attempts: 1, nextAttemptAt: NOW, lastAttemptAt: NOW, lastStatus: 204, lastError: null };
    expect(await repos.alerts.settle(one.id, 'another lease', outcome)).toBe(false);
    expect(await repos.alerts.settle(one.id, LATER, outcome)).toBe(true);
    expect(await repos.alerts.settle(one.id, LATER, outcome)).toBe(false); // the lease went with it
    // A lease run out is claimed again; a released one at once; a delivered one never.
    const [, released] = claims.flat();
    await repos.alerts.release(released.id, LATER);
    expect((await repos.alerts.claim({ now: NOW, leaseUntil: LATER, limit: 20 })).map((c) => c.id)).toEqual([released.id]);
    const after = '2026-06-01T14:00:00.000Z';
    expect((await repos.alerts.claim({ now: after, leaseUntil: '2026-06-01T15:00:00.000Z', limit: 20 })).length).toBe(11);
  });

  it('lists the secrets a master-key rotation re-seals, and re-seals only an unchanged row', async () => {
    const old = await endpoint([], { keyId: 'k_old', sealedSecret: 'old' });
    expect(await repos.alerts.endpoints.keyIdsInUse()).toContain('k_old');
    expect(await repos.alerts.endpoints.sealedOtherThan('k_test', 10)).toEqual([{ id: old.id, keyId: 'k_old', sealedSecret: 'old' }]);
    expect(await repos.alerts.endpoints.reseal(old.id, { keyId: 'k_old', sealedSecret: 'changed' }, { keyId: 'k_test', sealedSecret: 'new' })).toBe(false);
    expect(await repos.alerts.endpoints.reseal(old.id, { keyId: 'k_old', sealedSecret: 'old' }, { keyId: 'k_test', sealedSecret: 'new' })).toBe(true);
    expect(await repos.alerts.endpoints.sealedOtherThan('k_test', 10)).toEqual([]);
  });
});
