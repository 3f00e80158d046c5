/**
 * People and the credentials that act for them, on both databases: a disabled person's device or
 * session authenticates nothing; revoking all of a person's leaves everyone else's; the enabled
 * admins are read under a lock, so two concurrent demotions cannot both see another admin left.
 * Invites, passkeys, sign-in flows and pairing codes: ./sign-in-storage.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonRow, Repositories } from '../../server/db/repositories.js';
import { dialect } from './harness.js';
import { driverCode, EARLIER, LATER, NOW, openTestStorage, rowMakers, type TestStorage, UNIQUE_VIOLATION } from './storage-harness.js';

let h: TestStorage;
let repos: Repositories;
let make: ReturnType<typeof rowMakers>;
beforeAll(async () => {
  h = await openTestStorage();
  repos = h.repos;
  make = rowMakers(repos);
});
afterAll(async () => {
  await h.close();
});

const person = (patch?: Partial<PersonRow>) => make.person(patch);

describe(`people (${dialect})`, () => {
  it('are found by id and by e-mail, listed oldest first, and updated field by field', async () => {
    const late = await person({ createdAt: '2025-01-01T00:00:01.000Z', email: 'late@example.com' });
    const early = await person({ createdAt: '2025-01-01T00:00:00.000Z', role: 'viewer' });
    expect(await repos.people.get(early.id)).toEqual(early);
    expect(await repos.people.byEmail('late@example.com')).toEqual(late);
    expect(await repos.people.byEmail('nobody@example.com')).toBeUndefined();
    expect((await repos.people.list()).slice(0, 2)).toEqual([early, late]);

    expect(await repos.people.update(early.id, { name: 'Ada', role: 'admin', email: 'ada@example.com' })).toBe(true);
    expect(await repos.people.get(early.id)).toEqual({ ...early, name: 'Ada', role: 'admin', email: 'ada@example.com' });
    expect(await repos.people.update(early.id, { disabledAt: NOW, name: undefined })).toBe(true);
    expect(await repos.people.get(early.id)).toMatchObject({ name: 'Ada', disabledAt: NOW });
    expect(await repos.people.update(early.id, {})).toBe(true); // nothing to change, but there
    expect(await repos.people.update('per_missing', { name: 'x' })).toBe(false);
    expect(await repos.people.update('per_missing', {})).toBe(false);
  });

  it('an e-mail address belongs to one person: a second is refused with the driver’s unique violation; many have none', async () => {
    const taken = await person({ email: 'taken@example.com' });
    const error = await repos.people.create({ ...taken, id: 'per_second', name: 'Second' }).catch((e: unknown) => e);
    expect(driverCode(error)).toBe(UNIQUE_VIOLATION);
    const other = await person();
    expect(driverCode(await repos.people.update(other.id, { email: 'taken@example.com' }).catch((e: unknown) => e))).toBe(UNIQUE_VIOLATION);
    expect(await repos.people.get('per_second')).toBeUndefined();
    expect(await repos.people.get(other.id)).toEqual(other);
    await person();
    await person(); // several without an address
  });

  it('the enabled admins, oldest first: not members, not the disabled', async () => {
    await h.sql("update people set role = 'viewer' where role = 'admin'");
    const second = await person({ role: 'admin', createdAt: '2024-01-01T00:00:01.000Z' });
    const first = await person({ role: 'admin', createdAt: '2024-01-01T00:00:00.000Z' });
    await person({ role: 'admin', createdAt: '2023-01-01T00:00:00.000Z', disabledAt: NOW });
    await person({ role: 'member', createdAt: '2023-01-01T00:00:00.000Z' });
    expect(await repos.people.enabledAdmins()).toEqual([first, second]);
  });

  it('two concurrent demotions cannot both see another admin left: the second waits for the first', async () => {
    await h.sql("update people set role = 'viewer' where role = 'admin'");
    const a = await person({ role: 'admin' });
    const b = await person({ role: 'admin' });
    /** Demotes `who` only if another enabled admin remains, as the people service does. */
    const demote = (who: PersonRow, held?: Promise<void>, reading?: () => void) =>
      repos.transaction(async (tx) => {
        const admins = await tx.people.enabledAdmins();
        reading?.();
        await held;
        if (admins.filter((p) => p.id !== who.id).length === 0) return false;
        return tx.people.update(who.id, { role: 'member' });
      });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let read!: () => void;
    const firstRead = new Promise<void>((resolve) => (read = resolve));
    const first = demote(a, held, read);
    await firstRead; // the first holds the admins now
    const second = demote(b);
    await waitingForLock(second);
    release();
    expect(await Promise.all([first, second])).toEqual([true, false]);
    expect((await repos.people.enabledAdmins()).map((p) => p.id)).toEqual([b.id]);
  });
});

/**
 * Until `transaction` waits for another's lock: on PostgreSQL, its statement waits on a row lock
 * (or, were there no lock, until it has finished); on SQLite, a transaction waits for the open one
 * before it begins, so there is nothing to wait for.
 */
async function waitingForLock(transaction: Promise<unknown>): Promise<void> {
  if (dialect === 'sqlite') return;
  let finished = false;
  transaction.then(
    () => (finished = true),
    () => (finished = true),
  );
  while (!finished) {
    const [row] = await h.sql<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
    if (row!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe(`devices (${dialect})`, () => {
  it('authenticate only while unrevoked and their person enabled', async () => {
    const owner = await person();
    const laptop = await make.device(owner.id);
    expect(await repos.devices.activeByTokenHash(laptop.tokenHash)).toEqual({ device: laptop, person: owner });
    await repos.people.update(owner.id, { disabledAt: NOW });
    expect(await repos.devices.activeByTokenHash(laptop.tokenHash)).toBeUndefined();
    await repos.transaction(async (tx) => expect(await tx.devices.activeByTokenHash(laptop.tokenHash)).toBeUndefined());
    await repos.people.update(owner.id, { disabledAt: null });
    expect((await repos.devices.activeByTokenHash(laptop.tokenHash))?.person.disabledAt).toBeNull();
    expect(await repos.devices.get(laptop.id)).toEqual(laptop);
    expect(await repos.devices.get('dev_missing')).toBeUndefined();
  });

  it('are listed unrevoked, oldest first, one person’s or everyone’s, with the person’s name; revokeAllOf revokes one person’s', async () => {
    await h.sql('update devices set revoked_at = ? where revoked_at is null', [EARLIER]);
    const ada = await person({ name: 'Ada' });
    const bob = await person({ name: 'Bob' });
    const adaOld = await make.device(ada.id, { createdAt: '2026-03-01T00:00:00.000Z' });
    const bobs = await make.device(bob.id, { createdAt: '2026-03-02T00:00:00.000Z' });
    const adaNew = await make.device(ada.id, { createdAt: '2026-03-03T00:00:00.000Z' });
    await make.device(ada.id, { revokedAt: EARLIER });

    expect(await repos.devices.listActive(null)).toEqual([
      { ...adaOld, personName: 'Ada' },
      { ...bobs, personName: 'Bob' },
      { ...adaNew, personName: 'Ada' },
    ]);
    expect((await repos.devices.listActive(ada.id)).map((d) => d.id)).toEqual([adaOld.id, adaNew.id]);
    expect(await repos.devices.listActive('per_missing')).toEqual([]);

    expect(await repos.devices.revokeAllOf(ada.id, NOW)).toBe(2);
    expect(await repos.devices.revokeAllOf(ada.id, LATER)).toBe(0);
    expect(await repos.devices.get(adaOld.id)).toMatchObject({ revokedAt: NOW });
    expect((await repos.devices.listActive(null)).map((d) => d.id)).toEqual([bobs.id]);
    expect(await repos.devices.revoke(bobs.id, NOW)).toBe(true);
    expect(await repos.devices.revoke(bobs.id, LATER)).toBe(false);
  });
});

describe(`sessions (${dialect})`, () => {
  it('authenticate only unrevoked, before their absolute expiry, and while their person is enabled', async () => {
    const ada = await person();
    const s = await make.session(ada.id, { expiresAt: LATER });
    expect(await repos.sessions.active(s.cookieHash, NOW)).toEqual({ session: s, person: ada });
    expect(await repos.sessions.active(s.cookieHash, LATER)).toBeUndefined(); // not at its expiry
    expect(await repos.sessions.active('cookie_missing', NOW)).toBeUndefined();
    await repos.transaction(async (tx) => expect((await tx.sessions.active(s.cookieHash, NOW))?.session.id).toBe(s.id));

    await repos.people.update(ada.id, { disabledAt: NOW });
    expect(await repos.sessions.active(s.cookieHash, NOW)).toBeUndefined();
    await repos.people.update(ada.id, { disabledAt: null });

    await repos.sessions.touch(s.id, NOW);
    expect(await repos.sessions.get(s.id)).toEqual({ ...s, lastSeenAt: NOW });
    expect(await repos.sessions.revoke(s.id, NOW)).toBe(true);
    expect(await repos.sessions.revoke(s.id, LATER)).toBe(false);
    expect(await repos.sessions.active(s.cookieHash, NOW)).toBeUndefined();
    expect(await repos.sessions.get(s.id)).toMatchObject({ revokedAt: NOW });
  });

  it('are listed unrevoked and unexpired, oldest first, with the person’s name; revokeAllOf revokes one person’s', async () => {
    await h.sql('update sessions set revoked_at = ? where revoked_at is null', [EARLIER]);
    const ada = await person({ name: 'Ada' });
    const bob = await person({ name: 'Bob' });
    const adas = await make.session(ada.id, { createdAt: '2026-06-01T09:00:00.000Z' });
    const bobs = await make.session(bob.id, { createdAt: '2026-06-01T09:00:01.000Z', method: 'passkey', userAgent: null });
    await make.session(ada.id, { expiresAt: NOW }); // expired at NOW
    await make.session(ada.id, { revokedAt: EARLIER });
    expect(await repos.sessions.listActive(null, NOW)).toEqual([
      { ...adas, personName: 'Ada' },
      { ...bobs, personName: 'Bob' },
    ]);
    expect((await repos.sessions.listActive(bob.id, NOW)).map((s) => s.id)).toEqual([bobs.id]);
    expect(await repos.sessions.listActive(null, LATER)).toEqual([]);

    await make.session(ada.id);
    expect(await repos.sessions.revokeAllOf(ada.id, NOW)).toBe(3); // the expired one too, unrevoked until now
    expect((await repos.sessions.listActive(null, NOW)).map((s) => s.id)).toEqual([bobs.id]);
  });

  it('a cookie digest belongs to one session', async () => {
    const ada = await person();
    const s = await make.session(ada.id);
    const error = await repos.sessions.create({ ...s, id: 'ses_twin' }).catch((e: unknown) => e);
    expect(driverCode(error)).toBe(UNIQUE_VIOLATION);
    expect(await repos.sessions.get('ses_twin')).toBeUndefined();
  });
});
