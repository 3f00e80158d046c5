/**
 * The key lifecycle: applications declare their environment; a key of the other mode
 * never reaches Stripe; a replacement says when the account or the mode changed; a rotation in
 * the Stripe Dashboard is carried to every application that held the old key, all or nothing,
 * with the same warnings per application as a PUT; keys come due for rotation with age. On both databases.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
let clock: Date;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(env: Record<string, string> = {}) {
  clock = new Date('2026-11-28T10:00:00.000Z');
  h = await startHarness({ env, now: () => clock });
  await h.pair();
  return h;
}
const app = async (name: string, environment?: 'test' | 'live' | null) =>
  (await h!.post('/api/applications', { name, ...(environment !== undefined ? { environment } : {}) })).body.application;
const put = (id: string, apiKey: string) => h!.put(`/api/applications/${id}/integrations/stripe`, { apiKey });
const stored = async (id: string) => (await h!.runtime.integrations.openKey(id)).apiKey;
const ACCOUNT_A = 'acct_1AAAAAAAAAAAAAAA';
const ACCOUNT_B = 'acct_1BBBBBBBBBBBBBBB';

describe('environments', () => {
  it('are declared on create, changed by a partial PATCH, and shown on the application', async () => {
    await start();
    const live = await app('Payouts', 'live');
    expect(live.environment).toBe('live');
    expect((await app('Undeclared')).environment).toBeNull();
    const renamed = await h!.patch(`/api/applications/${live.id}`, { name: 'Payouts EU' });
    expect(renamed.body.application).toMatchObject({ name: 'Payouts EU', environment: 'live' });
    const moved = await h!.patch(`/api/applications/${live.id}`, { environment: 'test' });
    expect(moved.body.application).toMatchObject({ name: 'Payouts EU', environment: 'test' });
    expect((await h!.patch(`/api/applications/${live.id}`, { environment: null })).body.application.environment).toBeNull();
    expect((await h!.patch(`/api/applications/${live.id}`, {})).status).toBe(400);
    expect((await h!.patch(`/api/applications/${live.id}`, { environment: 'prod' })).body.error.code).toBe('validation_failed');
    const audit = (await h!.get('/api/audit')).body.events.map((e: any) => e.action);
    expect(audit.filter((a: string) => a === 'application.environment_changed')).toHaveLength(2);
  });

  it('a key of the other mode is refused with mode_mismatch before any call to Stripe, and nothing is stored', async () => {
    await start();
    const live = await app('Payouts', 'live');
    h!.stripe.resetRequests();
    const refused = await put(live.id, h!.stripe.createKey({ mode: 'test', type: 'restricted' }));
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({
      code: 'mode_mismatch',
      message: expect.stringContaining('test key'),
      hint: expect.stringContaining('correct mode'),
    });
    expect(h!.stripe.requests).toEqual([]);
    expect((await h!.get(`/api/applications/${live.id}`)).body.application.stripe).toBeNull();
    expect((await put(live.id, h!.stripe.createKey({ mode: 'live', type: 'restricted' }))).status).toBe(200);
  });
});

describe('replacing a key', () => {
  it('warns when the new key belongs to another account, or to the other mode', async () => {
    await start();
    const billing = await app('Billing');
    await put(billing.id, h!.stripe.createKey({ accountId: ACCOUNT_A, type: 'restricted' }));
    const other = await put(billing.id, h!.stripe.createKey({ accountId: ACCOUNT_B, type: 'restricted' }));
    const changed = other.body.validation.warnings.find((w: any) => w.code === 'account_changed');
    expect(changed.message).toContain(ACCOUNT_A);
    expect(changed.message).toContain(ACCOUNT_B);
    const live = await put(billing.id, h!.stripe.createKey({ accountId: ACCOUNT_B, mode: 'live', type: 'restricted' }));
    expect(live.body.validation.warnings.map((w: any) => w.code)).toEqual(expect.arrayContaining(['mode_changed', 'live_mode']));
    expect(live.body.validation.warnings.map((w: any) => w.code)).not.toContain('account_changed');
  });

  it('names the other applications still holding an older key of the same account and mode', async () => {
    await start();
    const [x, y, z, w] = [await app('X'), await app('Y'), await app('Z'), await app('W')];
    const old = h!.stripe.createKey({ accountId: ACCOUNT_A, type: 'restricted' });
    await put(x.id, old);
    await put(y.id, old);
    await put(z.id, h!.stripe.createKey({ accountId: ACCOUNT_B, type: 'restricted' })); // another account
    const rotated = h!.stripe.createKey({ accountId: ACCOUNT_A, type: 'restricted' });
    await put(w.id, rotated); // already holds the new key: not listed
    const res = await put(x.id, rotated);
    const warning = res.body.validation.warnings.find((w: any) => w.code === 'account_used_elsewhere');
    expect(warning.message).toContain('"Y"');
    expect(warning.details).toEqual({ applications: [{ id: y.id, name: 'Y', maskedKey: `rk_test_…${old.slice(-4)}` }] });
  });
});

describe('POST /api/stripe/rotate', () => {
  async function rotationSetup() {
    await start();
    const [x, y, z] = [await app('X'), await app('Y'), await app('Z', 'live')];
    const old = h!.stripe.createKey({ accountId: ACCOUNT_A, type: 'restricted' });
    for (const a of [x, y]) await put(a.id, old);
    const fresh = h!.stripe.createKey({ accountId: ACCOUNT_A, type: 'restricted' });
    return { x, y, z, old, fresh };
  }

  it('checks the key once and replaces it on every listed application, audited', async () => {
    const { x, y, fresh } = await rotationSetup();
    h!.stripe.resetRequests();
    const res = await h!.post('/api/stripe/rotate', { apiKey: fresh, applicationIds: [x.id, y.id] });
    expect(res.status).toBe(200);
    expect(res.body.integrations.map((i: any) => [i.applicationId, i.maskedKey])).toEqual([
      [x.id, `rk_test_…${fresh.slice(-4)}`],
      [y.id, `rk_test_…${fresh.slice(-4)}`],
    ]);
    expect(res.body.validation).toMatchObject({ valid: true, accountId: ACCOUNT_A });
    expect(h!.stripe.requests.filter((r) => r.path === '/v1/balance')).toHaveLength(1); // one check
    expect([await stored(x.id), await stored(y.id)]).toEqual([fresh, fresh]);
    const replaced = (await h!.get('/api/audit')).body.events.filter((e: any) => e.action === 'integration.replaced');
    expect(replaced.map((e: any) => e.applicationId).sort()).toEqual([x.id, y.id].sort());
    await h!.assertNeverExposed([fresh]);
  });

  it('warns per application as a PUT would (account_changed, mode_changed); the audit says rotation and names the account', async () => {
    const { x, y } = await rotationSetup();
    const other = h!.stripe.createKey({ accountId: ACCOUNT_B, type: 'restricted' });
    await put(y.id, other); // Y now holds a key of another account
    const none = await app('New'); // holds no key yet
    const live = h!.stripe.createKey({ accountId: ACCOUNT_A, mode: 'live', type: 'restricted' });
    const res = await h!.post('/api/stripe/rotate', { apiKey: live, applicationIds: [x.id, y.id, none.id] });
    expect(res.status).toBe(200);
    const codes = (r: any) => r.warnings.map((w: any) => w.code).sort();
    expect(res.body.replacements.map((r: any) => [r.applicationId, r.previousMaskedKey, codes(r)])).toEqual([
      [x.id, expect.stringMatching(/^rk_test_…/), ['mode_changed']],
      [y.id, `rk_test_…${other.slice(-4)}`, ['account_changed', 'mode_changed']],
      [none.id, null, []],
    ]);
    const changed = res.body.replacements[1].warnings.find((w: any) => w.code === 'account_changed');
    expect(changed.message).toContain(ACCOUNT_A);
    expect(changed.message).toContain(ACCOUNT_B);
    // The same warnings a PUT of this key gives, word for word.
    const rotated = res.body.replacements[1].warnings;
    await put(y.id, other);
    expect((await put(y.id, live)).body.validation.warnings.filter((w: any) => ['account_changed', 'mode_changed'].includes(w.code))).toEqual(rotated);

    const events = (await h!.get('/api/audit')).body.events.filter((e: any) => e.detail.via === 'rotation');
    expect(events.map((e: any) => [e.action, e.applicationId]).sort()).toEqual(
      [
        ['integration.replaced', x.id],
        ['integration.replaced', y.id],
        ['integration.connected', none.id],
      ].sort(),
    );
    expect(events.find((e: any) => e.applicationId === y.id).detail).toMatchObject({
      via: 'rotation',
      accountId: ACCOUNT_A,
      previousAccountId: ACCOUNT_B,
      mode: 'live',
      previousMode: 'test',
    });
    expect(events.every((e: any) => e.detail.accountId === ACCOUNT_A)).toBe(true);
    await h!.assertNeverExposed([live, other]);
  });

  it('an unknown application, a refused key or a mode mismatch changes nothing anywhere; an empty list is 400', async () => {
    const { x, y, z, old, fresh } = await rotationSetup();
    const unknown = await h!.post('/api/stripe/rotate', { apiKey: fresh, applicationIds: [x.id, 'app_doesnotexist', y.id] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('application_not_found');
    const deleted = h!.stripe.createKey({ accountId: ACCOUNT_A, type: 'restricted' });
    h!.stripe.deleteKey(deleted);
    expect((await h!.post('/api/stripe/rotate', { apiKey: deleted, applicationIds: [x.id, y.id] })).body.error.code).toBe('invalid_api_key');
    expect((await h!.post('/api/stripe/rotate', { apiKey: fresh, applicationIds: [x.id, z.id] })).body.error.code).toBe('mode_mismatch');
    expect((await h!.post('/api/stripe/rotate', { apiKey: fresh, applicationIds: [] })).status).toBe(400);
    expect([await stored(x.id), await stored(y.id)]).toEqual([old, old]);
    expect((await h!.get(`/api/applications/${z.id}`)).body.application.stripe).toBeNull();
  });

  it('an application deleted while Stripe answers rolls back the whole rotation', async () => {
    const { x, y, old, fresh } = await rotationSetup();
    // Stripe holds its answers to the check: the rotation has passed its look at the applications
    // once the check reaches Stripe, and the delete lands before it stores anything.
    h!.stripe.resetRequests();
    const release = h!.stripe.hold();
    const rotation = h!.post('/api/stripe/rotate', { apiKey: fresh, applicationIds: [x.id, y.id] });
    await vi.waitFor(() => expect(h!.stripe.requests.some((r) => r.path === '/v1/account')).toBe(true));
    expect((await h!.del(`/api/applications/${y.id}`)).status).toBe(204);
    release();
    const res = await rotation;
    expect(res.status).toBe(404);
    expect(await stored(x.id)).toBe(old);
  });
});

describe('key age', () => {
  it('a key comes due SERVAL_KEY_MAX_AGE_DAYS after it was connected; status counts it; a new key resets it', async () => {
    await start({ SERVAL_KEY_MAX_AGE_DAYS: '0.5' }); // 12 hours
    const billing = await app('Billing');
    const key = h!.stripe.createKey({ type: 'restricted' });
    const connected = (await put(billing.id, key)).body.integration;
    expect(connected).toMatchObject({ rotationDue: false, rotationDueAt: '2026-11-28T22:00:00.000Z' });
    expect((await h!.get('/api/status')).body.integrations.rotationDue).toBe(0);

    clock = new Date('2026-11-28T22:00:01.000Z');
    expect((await h!.get(`/api/applications/${billing.id}`)).body.application.stripe.rotationDue).toBe(true);
    expect((await h!.get('/api/status')).body.integrations.rotationDue).toBe(1);
    expect((await put(billing.id, key)).body.integration.rotationDue).toBe(true); // the same key again: still as old

    const fresh = (await put(billing.id, h!.stripe.createKey({ type: 'restricted' }))).body.integration;
    expect(fresh).toMatchObject({ rotationDue: false, rotationDueAt: '2026-11-29T10:00:01.000Z' });
    expect((await h!.get('/api/status')).body.integrations.rotationDue).toBe(0);
  });

  it('0 turns key age off', async () => {
    await start({ SERVAL_KEY_MAX_AGE_DAYS: '0' });
    const billing = await app('Billing');
    expect((await put(billing.id, h!.stripe.createKey())).body.integration).toMatchObject({ rotationDue: false, rotationDueAt: null });
    clock = new Date('2030-01-01T00:00:00.000Z');
    expect((await h!.get('/api/status')).body.integrations.rotationDue).toBe(0);
  });
});

describe('the OpenAPI document', () => {
  it('covers environments, rotation and key age', async () => {
    await start();
    const doc = (await h!.get('/api/openapi.json', { token: null })).body;
    expect(doc.paths['/stripe/rotate'].post.responses).toHaveProperty('200');
    expect(doc.paths['/stripe/rotate'].post.responses).toHaveProperty('422');
    const rotated = doc.paths['/stripe/rotate'].post.responses['200'].content['application/json'].schema;
    expect(rotated.properties.replacements.items).toEqual({ $ref: '#/components/schemas/Replacement' });
    expect(Object.keys(doc.components.schemas.Replacement.properties)).toEqual(['applicationId', 'previousMaskedKey', 'warnings']);
    expect(doc.components.schemas.Application.properties).toHaveProperty('environment');
    expect(doc.components.schemas.Integration.properties).toHaveProperty('rotationDue');
    expect(doc.components.schemas.Integration.properties).toHaveProperty('rotationDueAt');
    expect(JSON.stringify(doc.paths['/applications/{id}'].patch)).toContain('environment');
  });
});
