/**
 * Roles on every route: a viewer reads, a member also writes test keys and applications, an admin
 * does everything. Whatever is refused is refused with 403 `forbidden` naming the role needed, and
 * changes nothing — not a row, not an audit event, not a call to Stripe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forbiddenMessage, type Permission } from '../../shared/roles.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let ids: { app: string; owner: string; ownerDevice: string; member: string };
let tokens: { viewer: string; member: string };
let keys: { test: string; live: string };

beforeAll(async () => {
  h = await startHarness();
  await h.pair('Owner laptop');
  const app = await h.createApplication('Billing');
  keys = { test: h.stripe.createKey({ type: 'secret' }), live: h.stripe.createKey({ type: 'secret', mode: 'live' }) };
  expect((await h.put(`/api/applications/${app}/integrations/stripe`, { apiKey: keys.test })).status).toBe(200);
  const viewer = await h.personWithDevice('viewer', { name: 'Vera' });
  const member = await h.personWithDevice('member', { name: 'Max' });
  tokens = { viewer: viewer.token, member: member.token };
  const me = (await h.get('/api/me')).body.person;
  const ownerDevice = (await h.get('/api/devices')).body.devices.find((d: any) => d.name === 'Owner laptop').id;
  ids = { app, owner: me.id, ownerDevice, member: member.person.id };
});
afterAll(async () => {
  await h.close();
});

type Row = { permission: Permission; method: string; path: () => string; body?: () => unknown };

/** One or more requests for each class of action, by the permission it needs. */
const ROUTES: Row[] = [
  { permission: 'write_test', method: 'POST', path: () => '/api/applications', body: () => ({ name: 'New' }) },
  { permission: 'write_test', method: 'PATCH', path: () => `/api/applications/${ids.app}`, body: () => ({ name: 'Renamed' }) },
  { permission: 'write_test', method: 'PUT', path: () => `/api/applications/${ids.app}/integrations/stripe`, body: () => ({ apiKey: keys.test }) },
  { permission: 'write_test', method: 'POST', path: () => `/api/applications/${ids.app}/integrations/stripe/validate` },
  { permission: 'write_test', method: 'POST', path: () => '/api/stripe/validate', body: () => ({ apiKey: keys.live }) },
  { permission: 'write_test', method: 'POST', path: () => '/api/stripe/rotate', body: () => ({ apiKey: keys.test, applicationIds: [ids.app] }) },
  { permission: 'write_test', method: 'GET', path: () => `/api/applications/${ids.app}/stripe/balance` },
  { permission: 'write_test', method: 'POST', path: () => `/api/applications/${ids.app}/stripe/customers`, body: () => ({ name: 'Jo' }) },
  { permission: 'write_live', method: 'PUT', path: () => `/api/applications/${ids.app}/integrations/stripe`, body: () => ({ apiKey: keys.live }) },
  { permission: 'write_live', method: 'POST', path: () => '/api/stripe/rotate', body: () => ({ apiKey: keys.live, applicationIds: [ids.app] }) },
  { permission: 'destroy', method: 'DELETE', path: () => `/api/applications/${ids.app}/integrations/stripe` },
  { permission: 'destroy', method: 'DELETE', path: () => `/api/applications/${ids.app}` },
  { permission: 'destroy', method: 'PATCH', path: () => `/api/applications/${ids.app}`, body: () => ({ environment: 'live' }) },
  { permission: 'destroy', method: 'PATCH', path: () => `/api/applications/${ids.app}`, body: () => ({ name: 'Renamed', environment: 'test' }) },
  { permission: 'administer', method: 'GET', path: () => '/api/people' },
  { permission: 'administer', method: 'POST', path: () => '/api/people', body: () => ({ name: 'Eve', role: 'admin' }) },
  { permission: 'administer', method: 'PATCH', path: () => `/api/people/${ids.member}`, body: () => ({ role: 'admin' }) },
  { permission: 'administer', method: 'PATCH', path: () => `/api/people/${ids.owner}`, body: () => ({ disabled: true }) },
  { permission: 'administer', method: 'POST', path: () => `/api/people/${ids.owner}/invites` },
  { permission: 'administer', method: 'POST', path: () => '/api/pairing-codes', body: () => ({ personId: ids.owner }) },
  { permission: 'administer', method: 'DELETE', path: () => `/api/devices/${ids.ownerDevice}` },
  { permission: 'administer', method: 'GET', path: () => '/api/audit' },
];

const REFUSED: Record<'viewer' | 'member', Permission[]> = {
  viewer: ['write_test', 'write_live', 'destroy', 'administer'],
  member: ['write_live', 'destroy', 'administer'],
};

/** Everything a refused request could have changed, read by the admin and from underneath. */
async function everything() {
  const admin = { token: h.token };
  return {
    applications: (await h.get('/api/applications', admin)).body,
    people: (await h.get('/api/people', admin)).body,
    devices: (await h.get('/api/devices', admin)).body,
    audit: (await h.get('/api/audit?limit=500', admin)).body,
    invites: await h.sql('select * from invites'),
    pairingCodes: await h.sql('select code_hash from pairing_codes'),
    stripeRequests: h.stripe.requests.length,
  };
}

describe('a viewer and a member are refused what their role does not allow, with 403 and nothing changed', () => {
  for (const role of ['viewer', 'member'] as const) {
    it(`${role}: every refused class of action`, async () => {
      const before = await everything();
      let refused = 0;
      for (const row of ROUTES.filter((r) => REFUSED[role].includes(r.permission))) {
        const res = await h.request(row.method, row.path(), { token: tokens[role], body: row.body?.() });
        const what = `${role} ${row.method} ${row.path()} ${JSON.stringify(row.body?.() ?? null)}`;
        expect(res.status, what).toBe(403);
        expect(res.body.error, what).toMatchObject({ code: 'forbidden', message: forbiddenMessage(row.permission) });
        expect(res.body.error.message).toMatch(row.permission === 'write_test' ? /^Only a member or above can / : /^Only an admin can /);
        refused++;
      }
      expect(refused).toBeGreaterThanOrEqual(role === 'viewer' ? ROUTES.length : 14);
      expect(await everything()).toEqual(before);
    });
  }

  it('a viewer reads: applications, the integration, status, me, own devices', async () => {
    for (const path of [
      '/api/applications',
      `/api/applications/${ids.app}`,
      `/api/applications/${ids.app}/integrations/stripe`,
      '/api/status',
      '/api/me',
      '/api/devices',
    ]) {
      expect((await h.get(path, { token: tokens.viewer })).status, path).toBe(200);
    }
    expect((await h.get('/api/me', { token: tokens.viewer })).body).toMatchObject({ person: { name: 'Vera', role: 'viewer' }, via: 'device' });
    expect((await h.get('/api/status', { token: tokens.viewer })).body.person).toMatchObject({ name: 'Vera', role: 'viewer' });
  });
});

describe('a member', () => {
  it('does what a member may: every write_test route answers', async () => {
    for (const row of ROUTES.filter((r) => r.permission === 'write_test')) {
      const res = await h.request(row.method, row.path(), { token: tokens.member, body: row.body?.() });
      expect([200, 201], `${row.method} ${row.path()}: ${JSON.stringify(res.body)}`).toContain(res.status);
    }
    // Restating the environment the application already has changes nothing, so it is no admin's business.
    const same = await h.patch(`/api/applications/${ids.app}`, { name: 'Billing', environment: null }, { token: tokens.member });
    expect(same.status).toBe(200);
  });

  it('may connect a test key but not a live one: refused before any call to Stripe, and nothing changes', async () => {
    const application = (await h.post('/api/applications', { name: 'Member app' }, { token: tokens.member })).body.application.id;
    const stripeCalls = h.stripe.requests.length;
    const live = await h.put(`/api/applications/${application}/integrations/stripe`, { apiKey: keys.live }, { token: tokens.member });
    expect(live.status).toBe(403);
    expect(live.body.error).toEqual({
      code: 'forbidden',
      message: 'Only an admin can send live keys.',
      hint: expect.stringContaining('Ask an admin'),
    });
    const rotate = await h.post('/api/stripe/rotate', { apiKey: keys.live, applicationIds: [application] }, { token: tokens.member });
    expect(rotate.status).toBe(403);
    expect(h.stripe.requests.length).toBe(stripeCalls);
    expect((await h.get(`/api/applications/${application}`, { token: tokens.member })).body.application.stripe).toBeNull();

    const test = await h.put(`/api/applications/${application}/integrations/stripe`, { apiKey: keys.test }, { token: tokens.member });
    expect(test.status).toBe(200);
    expect(test.body.integration).toMatchObject({ mode: 'test', status: 'connected' });
    // A malformed key is still the integration's own 422, whoever sends it.
    const malformed = await h.put(`/api/applications/${application}/integrations/stripe`, { apiKey: 'sk_live_short' }, { token: tokens.member });
    expect(malformed.status).toBe(422);
    // An admin connects the live key.
    expect((await h.put(`/api/applications/${application}/integrations/stripe`, { apiKey: keys.live })).body.integration.mode).toBe('live');
  });
});

describe('the OpenAPI document', () => {
  it('lists 403 forbidden on every route a role can be refused', async () => {
    const doc = (await h.get('/api/openapi.json', { token: null })).body;
    for (const row of ROUTES) {
      const template = row
        .path()
        .replace(/^\/api/, '')
        .replace(ids.app, '{id}')
        .replace(ids.owner, '{id}')
        .replace(ids.member, '{id}')
        .replace(ids.ownerDevice, '{id}');
      const operation = doc.paths[template]?.[row.method.toLowerCase()];
      expect(operation, `${row.method} ${template}`).toBeDefined();
      expect(operation.responses['403']?.description, `${row.method} ${template}`).toContain('forbidden');
    }
    expect(doc.paths['/me'].get.responses['403']).toBeUndefined(); // anyone may
  });
});
