/**
 * How people sign in, on both databases: invites, pairing codes and sign-in flows are single use
 * however many take them at once, and only while unexpired; passkeys keep their counter; the audit
 * log names each event's person. People, devices and sessions: ./people-repositories.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonRow, Repositories } from '../../server/db/repositories.js';
import { dialect } from './harness.js';
import { EARLIER, LATER, NOW, openTestStorage, rowMakers, type TestStorage } from './storage-harness.js';

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

describe(`invites (${dialect})`, () => {
  it('are found while unused and unexpired, and used once however many use them at once', async () => {
    const ada = await person();
    const invite = { tokenHash: 'inv_hash_once', personId: ada.id, createdAt: EARLIER, expiresAt: LATER, usedAt: null };
    await repos.invites.add(invite);
    expect(await repos.invites.find(invite.tokenHash, NOW)).toEqual(invite);
    expect(await repos.invites.find(invite.tokenHash, LATER)).toBeUndefined(); // expired by then
    expect(await repos.invites.use(invite.tokenHash, LATER)).toBe(false);

    const used = await Promise.all(Array.from({ length: 6 }, () => repos.invites.use(invite.tokenHash, NOW)));
    expect(used.filter(Boolean)).toHaveLength(1);
    expect(await repos.invites.find(invite.tokenHash, NOW)).toBeUndefined();
    expect(await repos.invites.use(invite.tokenHash, NOW)).toBe(false);
    expect(await repos.invites.use('inv_hash_missing', NOW)).toBe(false);
  });
});

describe(`passkeys (${dialect})`, () => {
  it('are stored, listed per person oldest first, and their counter moves on with each use, past 2³¹', async () => {
    const ada = await person();
    const bob = await person();
    const key = (id: string, personId: string, createdAt: string) => ({
      id,
      personId,
      publicKey: `pk_${id}`,
      counter: 0,
      transports: '["internal"]',
      createdAt,
      lastUsedAt: null,
    });
    const second = key('cred_b', ada.id, '2026-05-02T00:00:00.000Z');
    const first = key('cred_a', ada.id, '2026-05-01T00:00:00.000Z');
    await repos.passkeys.add(second);
    await repos.passkeys.add(first);
    await repos.passkeys.add(key('cred_c', bob.id, '2026-05-01T00:00:00.000Z'));
    expect(await repos.passkeys.listFor(ada.id)).toEqual([first, second]);
    expect(await repos.passkeys.get('cred_missing')).toBeUndefined();
    await repos.passkeys.used('cred_a', 4_000_000_000, NOW);
    expect(await repos.passkeys.get('cred_a')).toEqual({ ...first, counter: 4_000_000_000, lastUsedAt: NOW });
  });
});

describe(`sign-in flows (${dialect})`, () => {
  it('are taken once however many take them at once, only while unexpired; adding one forgets the expired', async () => {
    const flow = { idHash: 'flow_once', kind: 'passkey_sign_in' as const, data: '{"challenge":"c"}', expiresAt: LATER };
    await repos.signInFlows.add(flow, NOW);
    const taken = await Promise.all(Array.from({ length: 6 }, () => repos.signInFlows.take(flow.idHash, NOW)));
    expect(taken.filter((t) => t !== undefined)).toEqual([flow]);
    expect(await repos.signInFlows.take(flow.idHash, NOW)).toBeUndefined();

    await repos.signInFlows.add({ ...flow, idHash: 'flow_stale', kind: 'oidc', expiresAt: NOW }, EARLIER);
    expect(await repos.signInFlows.take('flow_stale', NOW)).toBeUndefined(); // expired at NOW
    await repos.signInFlows.add({ ...flow, idHash: 'flow_new' }, NOW);
    expect(await h.sql("select id_hash from sign_in_flows where id_hash = 'flow_stale'")).toEqual([]);
    expect(await repos.signInFlows.take('flow_new', NOW)).toEqual({ ...flow, idHash: 'flow_new' });
  });
});

describe(`pairing codes (${dialect})`, () => {
  it('are consumed once however many present them at once, giving the person they were issued for', async () => {
    const ada = await person();
    await repos.pairingCodes.add('code_once', ada.id, EARLIER, LATER);
    const consumed = await Promise.all(Array.from({ length: 6 }, () => repos.pairingCodes.consume(['code_other_key', 'code_once'], NOW, 5)));
    expect(consumed.filter((c) => c !== null)).toEqual([ada.id]);
    expect(await repos.pairingCodes.consume(['code_once'], NOW, 5)).toBeNull();

    await repos.pairingCodes.add('code_late', ada.id, EARLIER, NOW);
    expect(await repos.pairingCodes.consume(['code_late'], NOW, 5)).toBeNull(); // expired at NOW
    await repos.pairingCodes.add('code_retired', ada.id, NOW, LATER);
    for (let i = 0; i < 5; i++) await repos.pairingCodes.recordFailure(NOW);
    expect(await repos.pairingCodes.retired(['code_retired'], 5)).toBe(true);
    expect(await repos.pairingCodes.consume(['code_retired'], NOW, 5)).toBeNull();
  });
});

describe(`the audit log’s people (${dialect})`, () => {
  it('names each event’s person by their current name; none for the server, nor for a person no longer there', async () => {
    const ada = await person({ name: 'Ada' });
    const event = (id: string, personId: string | null) => ({
      id,
      at: NOW,
      action: 'person.updated',
      personId,
      deviceId: null,
      applicationId: null,
      detail: '{}',
    });
    await repos.audit.add(event('evt_people_1', ada.id));
    await repos.audit.add(event('evt_people_2', null));
    await repos.audit.add(event('evt_people_3', 'per_long_gone')); // history outlives rows: no foreign key
    await repos.people.update(ada.id, { name: 'Ada Lovelace' });
    const listed = (await repos.audit.list(100)).filter((e) => e.id.startsWith('evt_people_'));
    expect(listed.map((e) => [e.id, e.personId, e.personName])).toEqual([
      ['evt_people_3', 'per_long_gone', null],
      ['evt_people_2', null, null],
      ['evt_people_1', ada.id, 'Ada Lovelace'],
    ]);
  });
});
