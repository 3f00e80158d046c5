/** People: Owner, adding and changing people, the last-admin rule, disabling, pairing codes for a person, devices, the audit trail. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let clock: Date;

beforeEach(async () => {
  clock = new Date('2026-11-26T10:00:00Z');
  h = await startHarness({ now: () => clock });
});
afterEach(async () => {
  await h.close();
});

const later = (ms: number) => new Date(clock.getTime() + ms);

describe('Owner', () => {
  it('the first pairing on a backend without people makes Owner, an admin, and the device is theirs', async () => {
    expect(await h.runtime.repos.people.list()).toEqual([]);
    await h.pair('Laptop');
    const me = await h.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      person: { id: expect.stringMatching(/^per_/), name: 'Owner', email: null, role: 'admin', createdAt: clock.toISOString(), disabledAt: null },
      via: 'device',
    });
    const status = await h.get('/api/status');
    expect(status.body.person).toEqual({ id: me.body.person.id, name: 'Owner', role: 'admin' });
    expect(status.body.device).toMatchObject({ name: 'Laptop' });
    // A second code is for Owner too: no second Owner.
    clock = later(1000);
    await h.pair('Desktop');
    expect((await h.runtime.repos.people.list()).map((p) => p.name)).toEqual(['Owner']);
    const devices = (await h.get('/api/devices')).body.devices;
    expect(devices.map((d: any) => [d.name, d.person])).toEqual([
      ['Laptop', { id: me.body.person.id, name: 'Owner' }],
      ['Desktop', { id: me.body.person.id, name: 'Owner' }],
    ]);
  });

  it('codes without a person go to the earliest enabled admin', async () => {
    await h.pair();
    clock = later(1000); // oldest first: Owner, then Ada
    const second = await h.post('/api/people', { name: 'Ada', role: 'admin' });
    const { person } = await h.runtime.pairing.issueCode();
    expect(person.name).toBe('Owner');
    const owner = (await h.get('/api/me')).body.person;
    // Ada demotes Owner: the earliest enabled admin is now Ada.
    const adaToken = await h.pairAs(second.body.person.id);
    expect((await h.patch(`/api/people/${owner.id}`, { role: 'member' }, { token: adaToken })).status).toBe(200);
    expect((await h.runtime.pairing.issueCode()).person.name).toBe('Ada');
  });
});

describe('adding people', () => {
  it('lower-cases the e-mail address and keeps it unique (409 email_taken, in any case)', async () => {
    await h.pair();
    clock = later(1000);
    const res = await h.post('/api/people', { name: ' Grace Hopper ', email: 'Grace@Example.COM ', role: 'member' });
    expect(res.status).toBe(201);
    expect(res.body.person).toEqual({
      id: expect.stringMatching(/^per_/),
      name: 'Grace Hopper',
      email: 'grace@example.com',
      role: 'member',
      createdAt: clock.toISOString(),
      disabledAt: null,
    });
    const again = await h.post('/api/people', { name: 'Another Grace', email: 'GRACE@example.com', role: 'viewer' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');
    const list = await h.get('/api/people');
    expect(list.body.people.map((p: any) => [p.name, p.email, p.role])).toEqual([
      ['Owner', null, 'admin'],
      ['Grace Hopper', 'grace@example.com', 'member'],
    ]);
    // Without an e-mail address, any number of people.
    expect((await h.post('/api/people', { name: 'No mail', role: 'viewer' })).status).toBe(201);
    expect((await h.post('/api/people', { name: 'No mail either', email: null, role: 'viewer' })).status).toBe(201);
  });

  it('bad input gets validation_failed and adds no one', async () => {
    await h.pair();
    for (const body of [
      { name: 'X', role: 'owner' },
      { name: 'X', role: 'Admin' },
      { name: 'X' },
      { name: '', role: 'member' },
      { name: 'X', role: 'member', email: 'not an address' },
      { name: 'Line\nbreak', role: 'member' },
      { name: 'X', role: ['admin'] },
    ]) {
      const res = await h.post('/api/people', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await h.get('/api/people')).body.people).toHaveLength(1);
  });
});

describe('changing people', () => {
  it('renames and changes roles; an unknown person is 404 person_not_found; bad input is validation_failed; nothing else changes', async () => {
    await h.pair();
    const { person } = await h.personWithDevice('viewer', { name: 'Lin' });
    const renamed = await h.patch(`/api/people/${person.id}`, { name: 'Lin Chen', role: 'member' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.person).toMatchObject({ id: person.id, name: 'Lin Chen', role: 'member', disabledAt: null });
    expect((await h.patch('/api/people/per_nobody', { role: 'admin' })).body.error.code).toBe('person_not_found');
    expect((await h.patch('/api/people/per_nobody', { role: 'admin' })).status).toBe(404);
    for (const body of [{ role: 'superuser' }, {}, { disabled: 'yes' }, { name: '' }, { email: 'x@example.com' }]) {
      const res = await h.patch(`/api/people/${person.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect(await h.runtime.repos.people.get(person.id)).toMatchObject({ name: 'Lin Chen', role: 'member', disabledAt: null });
  });

  it('the last enabled admin cannot demote or disable themselves (409 last_admin), and nothing changes', async () => {
    await h.pair();
    const owner = (await h.get('/api/me')).body.person;
    for (const body of [{ role: 'member' }, { role: 'viewer' }, { disabled: true }, { name: 'Still me', disabled: true }]) {
      const res = await h.patch(`/api/people/${owner.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'last_admin', hint: expect.stringContaining('another person an admin') });
    }
    expect(await h.runtime.repos.people.get(owner.id)).toMatchObject({ name: 'Owner', role: 'admin', disabledAt: null });
    expect((await h.get('/api/status')).status).toBe(200);
    // A disabled admin doesn't count: with one, Owner is still the last enabled admin.
    const { person: other } = await h.personWithDevice('admin', { name: 'Other admin' });
    expect((await h.patch(`/api/people/${other.id}`, { disabled: true })).status).toBe(200);
    expect((await h.patch(`/api/people/${owner.id}`, { role: 'member' })).body.error.code).toBe('last_admin');
    // Enabled again, the other admin lets Owner step down.
    expect((await h.patch(`/api/people/${other.id}`, { disabled: false })).body.person.disabledAt).toBeNull();
    expect((await h.patch(`/api/people/${owner.id}`, { role: 'member' })).body.person.role).toBe('member');
    expect((await h.get('/api/people')).status).toBe(403); // Owner is a member now
  });

  it('two concurrent demotions of the last two admins: exactly one succeeds', async () => {
    await h.pair();
    const ownerId = (await h.get('/api/me')).body.person.id;
    const { person: ada, token: adaToken } = await h.personWithDevice('admin', { name: 'Ada' });
    const [a, b] = await Promise.all([
      h.patch(`/api/people/${ownerId}`, { role: 'member' }),
      h.patch(`/api/people/${ada.id}`, { role: 'viewer' }, { token: adaToken }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r.status === 409)!.body.error.code).toBe('last_admin');
    expect(await h.runtime.repos.people.enabledAdmins()).toHaveLength(1);

    // And again, closer together, through the service: every round leaves exactly one admin.
    const people = h.runtime.people;
    for (let round = 0; round < 8; round++) {
      await people.update(ownerId, { role: 'admin' }, null);
      await people.update(ada.id, { role: 'admin' }, null);
      const demoteOwner = round % 2 === 0 ? { role: 'member' as const } : { disabled: true };
      const results = await Promise.allSettled([people.update(ownerId, demoteOwner, null), people.update(ada.id, { disabled: true }, null)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason.code).toBe('last_admin');
      expect(await h.runtime.repos.people.enabledAdmins()).toHaveLength(1);
      await people.update(ownerId, { disabled: false }, null);
      await people.update(ada.id, { disabled: false }, null);
    }
  });

  it('disabling a person ends their devices and sessions at once; enabling them again brings none back', async () => {
    await h.pair();
    const { person, token } = await h.personWithDevice('member', { name: 'Sam' });
    const second = await h.pairAs(person.id, 'Second browser');
    const { code: pending } = await h.runtime.pairing.issueCode(person.id);
    const session = {
      id: 'ses_test',
      personId: person.id,
      cookieHash: createHash('sha256').update('cookie').digest('hex'),
      secretHash: createHash('sha256').update('secret').digest('hex'),
      method: 'code' as const,
      userAgent: null,
      createdAt: clock.toISOString(),
      lastSeenAt: clock.toISOString(),
      expiresAt: later(3_600_000).toISOString(),
      revokedAt: null,
    };
    await h.runtime.repos.sessions.create(session);
    expect((await h.get('/api/status', { token })).status).toBe(200);

    const disabled = await h.patch(`/api/people/${person.id}`, { disabled: true });
    expect(disabled.status).toBe(200);
    expect(disabled.body.person.disabledAt).toBe(clock.toISOString());
    for (const t of [token, second]) {
      const res = await h.get('/api/status', { token: t });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect((await h.runtime.repos.sessions.get('ses_test'))?.revokedAt).toBe(clock.toISOString());
    expect((await h.get('/api/devices')).body.devices.map((d: any) => d.person.name)).toEqual(['Owner']);
    // A code issued before is spent on nothing.
    const paired = await h.post('/api/pair', { code: pending, deviceName: 'Too late' }, { token: null });
    expect(paired.status).toBe(401);
    expect(paired.body.error.code).toBe('pairing_code_invalid');
    // No invite or code for a disabled person.
    expect((await h.post(`/api/people/${person.id}/invites`)).body.error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('disabled'),
    });
    expect((await h.post('/api/pairing-codes', { personId: person.id })).status).toBe(400);

    const audit = (await h.get('/api/audit')).body.events;
    expect(audit[0]).toMatchObject({ action: 'person.updated', detail: { personId: person.id, disabled: true, revokedDevices: 2, revokedSessions: 1 } });

    expect((await h.patch(`/api/people/${person.id}`, { disabled: false })).body.person.disabledAt).toBeNull();
    expect((await h.get('/api/status', { token })).status).toBe(401);
    expect((await h.post('/api/pairing-codes', { personId: person.id })).status).toBe(201);
  });
});

describe('pairing codes for a person', () => {
  it('anyone gets one for themselves; an admin names anyone; a non-admin naming someone else is refused', async () => {
    await h.pair();
    const ownerId = (await h.get('/api/me')).body.person.id;
    const { person: member, token } = await h.personWithDevice('member', { name: 'Mo' });
    const own = await h.post('/api/pairing-codes', {}, { token });
    expect(own.status).toBe(201);
    expect(own.body).toEqual({ code: expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/), expiresAt: later(10 * 60_000).toISOString() });
    const paired = await h.post('/api/pair', { code: own.body.code, deviceName: 'Mo phone' }, { token: null });
    expect(paired.status).toBe(201);
    expect((await h.get('/api/me', { token: paired.body.token })).body.person).toMatchObject({ id: member.id, role: 'member' });

    const refused = await h.post('/api/pairing-codes', { personId: ownerId }, { token });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('Only an admin') });
    expect((await h.post('/api/pairing-codes', { personId: member.id }, { token })).status).toBe(201); // naming oneself is fine

    expect((await h.post('/api/pairing-codes', { personId: 'per_nobody' })).body.error.code).toBe('person_not_found');
    expect((await h.post('/api/pairing-codes', { personId: 'bad id!' })).body.error.code).toBe('validation_failed');
  });

  it('redeem() spends a code for its person without making a device', async () => {
    await h.pair();
    const { person } = await h.personWithDevice('viewer', { name: 'Vi' });
    const { code } = await h.runtime.pairing.issueCode(person.id);
    const before = await h.runtime.repos.devices.listActive(null);
    expect(await h.runtime.pairing.redeem(code, '127.0.0.1')).toMatchObject({ id: person.id, name: 'Vi' });
    expect(await h.runtime.repos.devices.listActive(null)).toEqual(before);
    await expect(h.runtime.pairing.redeem(code, '127.0.0.1')).rejects.toMatchObject({ code: 'pairing_code_invalid' });
  });
});

describe('devices', () => {
  it("a non-admin sees and revokes only their own; an admin sees and revokes everyone's", async () => {
    await h.pair('Owner laptop');
    clock = later(1000);
    const { person: member, token } = await h.personWithDevice('member', { name: 'Mel', deviceName: 'Mel laptop' });
    const mine = (await h.get('/api/devices', { token })).body.devices;
    expect(mine.map((d: any) => [d.name, d.person.name])).toEqual([['Mel laptop', 'Mel']]);
    const all = (await h.get('/api/devices')).body.devices;
    expect(all.map((d: any) => [d.name, d.person.name])).toEqual([
      ['Owner laptop', 'Owner'],
      ['Mel laptop', 'Mel'],
    ]);
    const ownerDevice = all.find((d: any) => d.person.name === 'Owner').id;
    const refused = await h.del(`/api/devices/${ownerDevice}`, { token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await h.get('/api/status')).status).toBe(200);

    const second = await h.pairAs(member.id, 'Mel phone');
    const phone = (await h.get('/api/devices', { token })).body.devices.find((d: any) => d.name === 'Mel phone').id;
    expect((await h.del(`/api/devices/${phone}`, { token })).status).toBe(204);
    expect((await h.get('/api/status', { token: second })).status).toBe(401);
    const melLaptop = mine[0].id;
    expect((await h.del(`/api/devices/${melLaptop}`)).status).toBe(204); // the admin
    expect((await h.get('/api/status', { token })).status).toBe(401);
  });
});

describe('the audit log', () => {
  it('names the person who acted, by their current name, beside the device', async () => {
    await h.pair('Owner laptop');
    const { person, token } = await h.personWithDevice('member', { name: 'Kim' });
    const memberDevice = (await h.get('/api/devices', { token })).body.devices[0].id;
    const created = await h.post('/api/applications', { name: 'Payouts' }, { token });
    expect(created.status).toBe(201);
    await h.patch(`/api/people/${person.id}`, { name: 'Kim Lee' });
    const events = (await h.get('/api/audit')).body.events;
    const owner = (await h.get('/api/me')).body.person;
    expect(events.map((e: any) => [e.action, e.person?.name ?? null])).toEqual([
      ['person.updated', 'Owner'],
      ['application.created', 'Kim Lee'],
      ['device.paired', 'Kim Lee'],
      ['person.created', 'Owner'],
      ['device.paired', 'Owner'],
      ['person.created', null], // Owner, made by the first pairing code: the server's own doing
    ]);
    expect(events[1]).toMatchObject({ person: { id: person.id, name: 'Kim Lee' }, deviceId: memberDevice, applicationId: created.body.application.id });
    expect(events[0]).toMatchObject({ person: { id: owner.id }, detail: { personId: person.id, name: { from: 'Kim', to: 'Kim Lee' } } });
  });
});
