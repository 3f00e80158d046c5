/**
 * The repository contract, on both databases: transactions are all-or-nothing even with async
 * work inside and other requests' writes going on meanwhile; the audit log keeps write order;
 * claims of due re-checks never overlap; pairing failures are counted per client. People and
 * their credentials: ./people-repositories.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegrationRow, Repositories } from '../../server/db/repositories.js';
import { dialect } from './harness.js';
import { openTestStorage, type TestStorage } from './storage-harness.js';

let h: TestStorage;
let repos: Repositories;
beforeAll(async () => {
  h = await openTestStorage();
  repos = h.repos;
});
afterAll(async () => {
  await h.close();
});

const app = (id: string) => ({ id, name: id, createdAt: new Date().toISOString(), environment: null, stripeAccount: null });
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

function integration(applicationId: string, lastValidatedAt: string | null): IntegrationRow {
  return {
    applicationId,
    keyType: 'restricted',
    mode: 'test',
    maskedKey: 'rk_test_…0000',
    accountId: null,
    accountName: null,
    status: 'connected',
    permissions: '{}',
    source: 'api',
    connectedAt: '2026-01-01T00:00:00.000Z',
    lastValidatedAt,
    lastErrorCode: null,
    lastErrorMessage: null,
    fingerprint: `fp_${applicationId}`,
    sealedKey: 'sealed',
    keyExpiresAt: null,
    keyId: 'k1',
  };
}

describe(`transactions (${dialect})`, () => {
  it('a transaction that fails after async work leaves nothing, and writes made outside it meanwhile stay', async () => {
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    let release!: () => void;
    const asyncWork = new Promise<void>((resolve) => (release = resolve));
    // The rejection is handled from the moment the transaction starts, whenever it comes.
    const failed = expect(
      repos.transaction(async (tx) => {
        await tx.applications.create(app('app_tx_rolled_back'));
        opened();
        await asyncWork;
        await tx.applications.update('app_tx_rolled_back', { name: 'renamed' });
        throw new Error('Stripe said no');
      }),
    ).rejects.toThrow('Stripe said no');
    await Promise.race([open, failed]);
    const outside = repos.applications.create(app('app_outside')); // another request, while the transaction is open
    release();
    await failed;
    await outside;
    expect(await repos.applications.get('app_tx_rolled_back')).toBeUndefined();
    expect(await repos.applications.get('app_outside')).toMatchObject({ id: 'app_outside' });
  });

  it('many transactions at once each commit whole', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        repos.transaction(async (tx) => {
          await tx.applications.create(app(`app_many_${i}`));
          await tick(i % 3);
          await tx.integrations.upsert(integration(`app_many_${i}`, null));
        }),
      ),
    );
    const ids = (await repos.integrations.list()).map((r) => r.applicationId).filter((id) => id.startsWith('app_many_'));
    expect(ids.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `app_many_${i}`).sort());
  });

  it('deleting an application removes its integration with it', async () => {
    await repos.applications.create(app('app_cascade'));
    await repos.integrations.upsert(integration('app_cascade', null));
    expect(await repos.applications.delete('app_cascade')).toBe(true);
    expect(await repos.integrations.get('app_cascade')).toBeUndefined();
  });
});

describe(`the audit log (${dialect})`, () => {
  it('lists newest first in the order the events were written, whatever their clock said', async () => {
    const event = (id: string, at: string) => ({ id, at, action: 'application.created', personId: null, deviceId: null, applicationId: null, detail: '{}' });
    // The clock stepped back between the second and the third; two share a millisecond.
    const written = [
      event('evt_order_c', '2026-05-01T00:00:02.000Z'),
      event('evt_order_a', '2026-05-01T00:00:03.000Z'),
      event('evt_order_e', '2026-05-01T00:00:01.000Z'),
      event('evt_order_b', '2026-05-01T00:00:01.000Z'),
    ];
    for (const row of written) await repos.audit.add(row);
    const listed = (await repos.audit.list(100)).filter((r) => r.id.startsWith('evt_order_'));
    expect(listed.map((r) => r.id)).toEqual(written.map((r) => r.id).reverse());
    expect(listed[0]).toEqual({ ...written[3]!, seq: expect.any(Number), personName: null });
  });
});

describe(`re-check claims (${dialect})`, () => {
  it('hand each due integration to one claimant, oldest first, and respect leases', async () => {
    await h.sql('delete from stripe_integrations');
    for (let i = 0; i < 10; i++) {
      await repos.applications.create(app(`app_due_${i}`));
      await repos.integrations.upsert(integration(`app_due_${i}`, i < 8 ? `2026-01-01T00:00:0${i}.000Z` : '2026-06-01T00:00:00.000Z'));
    }
    const claim = (limit: number) =>
      repos.integrations.claimDue({ dueBefore: '2026-03-01T00:00:00.000Z', now: '2026-03-01T00:00:00.000Z', leaseUntil: '2026-03-01T00:10:00.000Z', limit });
    const [first, second, third] = await Promise.all([claim(3), claim(3), claim(3)]);
    const all = [...first, ...second, ...third];
    expect(new Set(all).size).toBe(all.length); // never the same one twice
    expect(all.length).toBe(8); // 8 due (two checked recently), 9 asked for
    expect(await claim(10)).toEqual([]); // all leased now
    // Leases run out: due again, oldest first.
    const later = await repos.integrations.claimDue({
      dueBefore: '2026-03-01T00:00:00.000Z',
      now: '2026-03-01T00:20:00.000Z',
      leaseUntil: '2026-03-01T00:30:00.000Z',
      limit: 2,
    });
    expect(later).toEqual(['app_due_0', 'app_due_1']);
  });
});

describe(`pairing failures (${dialect})`, () => {
  it('are counted per client within the window, forgotten when old, cleared on success', async () => {
    await repos.pairingFailures.add('10.0.0.1', '2026-01-01T00:00:01.000Z', '2026-01-01T00:00:00.000Z');
    await repos.pairingFailures.add('10.0.0.1', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:00.000Z');
    await repos.pairingFailures.add('10.0.0.2', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:00.000Z');
    expect(await repos.pairingFailures.since('10.0.0.1', '2026-01-01T00:00:00.000Z')).toEqual(['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z']);
    expect(await repos.pairingFailures.since('10.0.0.1', '2026-01-01T00:00:01.500Z')).toEqual(['2026-01-01T00:00:02.000Z']);
    // A later failure forgets everyone's failures older than its window.
    await repos.pairingFailures.add('10.0.0.3', '2026-01-01T00:05:00.000Z', '2026-01-01T00:04:00.000Z');
    expect(await repos.pairingFailures.since('10.0.0.2', '2000-01-01T00:00:00.000Z')).toEqual([]);
    await repos.pairingFailures.clear('10.0.0.3');
    expect(await repos.pairingFailures.since('10.0.0.3', '2000-01-01T00:00:00.000Z')).toEqual([]);
  });
});

describe(`the reads every request makes (${dialect})`, () => {
  it('the summary is current after each write, inside a transaction too, and as the rotation cut-off moves with the clock', async () => {
    const before = await repos.summary(null);
    expect(await repos.summary(null)).toEqual(before);
    await repos.applications.create(app('app_summary'));
    await repos.integrations.upsert({ ...integration('app_summary', null), connectedAt: '2026-03-01T12:00:00.000Z' });
    const after = await repos.summary(null);
    expect(after).toEqual({ ...before, applications: before.applications + 1, integrations: before.integrations + 1, connected: before.connected + 1 });

    // No write between these: only the cut-off moves, forwards past the key, then back.
    const dueBefore = async (cutoff: string) => (await repos.summary(cutoff)).rotationDue;
    const base = await dueBefore('2026-03-01T11:59:59.999Z');
    expect(await dueBefore('2026-03-01T12:00:00.000Z')).toBe(base); // not before its own time
    expect(await dueBefore('2026-03-01T12:00:00.001Z')).toBe(base + 1);
    expect(await dueBefore('2027-01-01T00:00:00.000Z')).toBeGreaterThanOrEqual(base + 1);
    expect(await dueBefore('2026-03-01T11:00:00.000Z')).toBeLessThanOrEqual(base);

    await repos.integrations.update('app_summary', { status: 'invalid' });
    expect((await repos.summary(null)).connected).toBe(before.connected);

    // A transaction sees its own writes; nobody else does until it commits, and a rollback leaves nothing.
    await expect(
      repos.transaction(async (tx) => {
        await tx.applications.create(app('app_summary_tx'));
        expect((await tx.summary(null)).applications).toBe(after.applications + 1);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await repos.summary(null)).applications).toBe(after.applications);
  });

  it('the device behind a token hash is current after each write: touched, revoked', async () => {
    const person = { id: 'per_reads', name: 'Reader', email: null, role: 'viewer' as const, createdAt: '2026-01-01T00:00:00.000Z', disabledAt: null };
    await repos.people.create(person);
    const device = {
      id: 'dev_reads',
      personId: 'per_reads',
      name: 'Reads',
      tokenHash: 'hash_reads',
      createdAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: null,
      revokedAt: null,
    };
    expect(await repos.devices.activeByTokenHash('hash_reads')).toBeUndefined();
    await repos.devices.create(device);
    expect(await repos.devices.activeByTokenHash('hash_reads')).toEqual({ device, person });
    expect(await repos.devices.activeByTokenHash('hash_reads')).toEqual({ device, person });
    await repos.devices.touch('dev_reads', '2026-01-02T00:00:00.000Z');
    expect((await repos.devices.activeByTokenHash('hash_reads'))?.device).toMatchObject({ lastSeenAt: '2026-01-02T00:00:00.000Z' });
    // Inside a transaction: the same read, on the transaction's connection.
    await repos.transaction(async (tx) => expect((await tx.devices.activeByTokenHash('hash_reads'))?.person).toEqual(person));
    expect(await repos.devices.revoke('dev_reads', '2026-01-03T00:00:00.000Z')).toBe(true);
    expect(await repos.devices.activeByTokenHash('hash_reads')).toBeUndefined();
  });
});
