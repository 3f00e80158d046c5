/**
 * Organization keys (sk_org_…) and sandboxes by name, on both databases, against the test Stripe
 * server's organizations: an application declares the account an organization key acts on
 * (`stripeAccount`), every call made with the key names it in Stripe-Context (the check, a re-check
 * by hand or on the schedule, the workflows), the key's mode is what Stripe answers, and each
 * integration carries its account's name — so "which sandbox is this key for?" has an answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
let org: string;
let sandboxA: string;
let sandboxB: string;
let liveAccount: string;
let orgKey: string;
let memberToken: string;
/** Every key of the new kinds sent in this file: none may be readable anywhere afterwards. */
const sent: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  await h.pair();
  sandboxA = h.stripe.createAccount({ name: 'Sandbox A' });
  sandboxB = h.stripe.createAccount({ name: 'Sandbox B' });
  liveAccount = h.stripe.createAccount({ name: 'Serval Live', sandbox: false });
  org = h.stripe.createOrganization([sandboxA, sandboxB, liveAccount]);
  orgKey = h.stripe.createKey({ type: 'organization', organization: org });
  memberToken = (await h.personWithDevice('member')).token;
});
afterAll(() => h?.close());

const app = async (body: Record<string, unknown>, token?: string) => {
  const res = await h.post('/api/applications', body, token ? { token } : {});
  expect(res.status).toBe(201);
  return res.body.application as { id: string; stripeAccount: string | null };
};
const put = (id: string, apiKey: string, token?: string) => h.put(`/api/applications/${id}/integrations/stripe`, { apiKey }, token ? { token } : {});
const contexts = () => h.stripe.requests.map((r) => r.headers['stripe-context']);

describe('an application names the account an organization key acts on', () => {
  it('stripeAccount is an acct_ id, declared on create by a member and changed by an admin only, audited', async () => {
    const created = await app({ name: 'Org billing', stripeAccount: sandboxA }, memberToken);
    expect(created.stripeAccount).toBe(sandboxA);
    for (const bad of ['acct_', 'cus_123', 'acct_1 2', `acct_${'a'.repeat(65)}`, 42]) {
      expect((await h.post('/api/applications', { name: 'Bad', stripeAccount: bad })).body.error.code, String(bad)).toBe('validation_failed');
      expect((await h.patch(`/api/applications/${created.id}`, { stripeAccount: bad })).body.error.code, String(bad)).toBe('validation_failed');
    }
    // A member may restate it or rename, not change it: 403, and nothing changes.
    const refused = await h.patch(`/api/applications/${created.id}`, { name: 'Renamed', stripeAccount: sandboxB }, { token: memberToken });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('Stripe account') });
    expect((await h.patch(`/api/applications/${created.id}`, { stripeAccount: sandboxA }, { token: memberToken })).status).toBe(200);
    expect((await h.get(`/api/applications/${created.id}`)).body.application).toMatchObject({ name: 'Org billing', stripeAccount: sandboxA });
    const changed = await h.patch(`/api/applications/${created.id}`, { stripeAccount: sandboxB });
    expect(changed.body.application.stripeAccount).toBe(sandboxB);
    const events = (await h.get('/api/audit')).body.events.filter((e: any) => e.action === 'application.stripe_account_changed');
    expect(events[0]).toMatchObject({ applicationId: created.id, detail: { from: sandboxA, to: sandboxB } });
  });

  it('an organization key sent to an application without one is 422 stripe_account_required, before any call to Stripe', async () => {
    const plain = await app({ name: 'No account' });
    h.stripe.resetRequests();
    for (const res of [await put(plain.id, orgKey), await h.post('/api/stripe/rotate', { apiKey: orgKey, applicationIds: [plain.id] })]) {
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'stripe_account_required', hint: expect.stringContaining('stripeAccount') });
    }
    expect((await h.post('/api/stripe/validate', { apiKey: orgKey })).body.error.code).toBe('stripe_account_required');
    expect(h.stripe.requests).toEqual([]);
    expect((await h.get(`/api/applications/${plain.id}`)).body.application.stripe).toBeNull();
  });
});

describe('every call made with an organization key names its account in Stripe-Context', () => {
  it('the check: stored as an organization key of that account, its mode and its name from what Stripe answered', async () => {
    const billing = await app({ name: 'Sandbox billing', stripeAccount: sandboxA }, memberToken);
    h.stripe.resetRequests();
    const sent = await put(billing.id, orgKey, memberToken);
    expect(sent.status).toBe(200);
    expect(contexts()).toEqual(Array(6).fill(sandboxA));
    expect(h.stripe.requests.every((r) => typeof r.headers['stripe-version'] === 'string')).toBe(true);
    expect(sent.body.integration).toMatchObject({
      keyType: 'organization',
      mode: 'test',
      maskedKey: expect.stringMatching(/^sk_org_…/),
      accountId: sandboxA,
      accountName: 'Sandbox A',
      status: 'connected',
    });
    expect(sent.body.validation.warnings.map((w: any) => w.code)).toContain('organization_key_wide_access');
    expect((await h.post('/api/stripe/validate', { apiKey: orgKey, stripeAccount: sandboxB })).body.validation).toMatchObject({
      keyType: 'organization',
      accountId: sandboxB,
      accountName: 'Sandbox B',
    });
  });

  it('re-checks by hand and on the schedule, and the workflows; a changed account is where the next call goes', async () => {
    const shop = await app({ name: 'Sandbox shop', stripeAccount: sandboxA });
    expect((await put(shop.id, orgKey)).status).toBe(200);
    h.stripe.resetRequests();
    expect((await h.post(`/api/applications/${shop.id}/integrations/stripe/validate`)).status).toBe(200);
    await h.runtime.integrations.recheckAll();
    expect((await h.get(`/api/applications/${shop.id}/stripe/customers`)).status).toBe(200);
    expect(h.stripe.requests.length).toBeGreaterThan(12);
    expect(new Set(contexts())).toEqual(new Set([sandboxA]));

    await h.patch(`/api/applications/${shop.id}`, { stripeAccount: sandboxB });
    h.stripe.resetRequests();
    expect((await h.get(`/api/applications/${shop.id}/stripe/customers`)).status).toBe(200);
    expect(contexts()).toEqual([sandboxB]);
    const rechecked = await h.post(`/api/applications/${shop.id}/integrations/stripe/validate`);
    expect(rechecked.body.integration).toMatchObject({ accountId: sandboxB, accountName: 'Sandbox B' });
  });

  it('while it holds an organization key, the application’s account can be changed, not removed', async () => {
    const held = await app({ name: 'Held', stripeAccount: sandboxA });
    expect((await put(held.id, orgKey)).status).toBe(200);
    const cleared = await h.patch(`/api/applications/${held.id}`, { stripeAccount: null });
    expect(cleared.status).toBe(422);
    expect(cleared.body.error.code).toBe('stripe_account_required');
    expect((await h.get(`/api/applications/${held.id}`)).body.application.stripeAccount).toBe(sandboxA);
  });

  it('an account outside the organization is Stripe’s 403 account_invalid: 422 stripe_account_inaccessible, nothing stored', async () => {
    const stranger = h.stripe.createAccount({ name: 'Not ours' });
    const outside = await app({ name: 'Outside', stripeAccount: stranger });
    h.stripe.resetRequests();
    const refused = await put(outside.id, orgKey);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'stripe_account_inaccessible', hint: expect.stringContaining('stripeAccount') });
    expect(h.stripe.requests.map((r) => r.status)).toEqual(Array(6).fill(403));
    expect((await h.get(`/api/applications/${outside.id}`)).body.application.stripe).toBeNull();
  });
});

describe("an organization key's mode is Stripe's answer", () => {
  it('on a live account it is live: a member is refused after the check, a test application refuses it, an admin stores it', async () => {
    const payouts = await app({ name: 'Live payouts', stripeAccount: liveAccount });
    const refused = await put(payouts.id, orgKey, memberToken);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('Only an admin can send live keys.');
    expect((await h.get(`/api/applications/${payouts.id}`)).body.application.stripe).toBeNull();

    const declaredTest = await app({ name: 'Declared test', stripeAccount: liveAccount, environment: 'test' });
    const mismatch = await put(declaredTest.id, orgKey);
    expect(mismatch.status).toBe(422);
    expect(mismatch.body.error.code).toBe('mode_mismatch');
    expect((await h.get(`/api/applications/${declaredTest.id}`)).body.application.stripe).toBeNull();

    const stored = await put(payouts.id, orgKey);
    expect(stored.body.integration).toMatchObject({ keyType: 'organization', mode: 'live', accountName: 'Serval Live' });
    expect(stored.body.validation.warnings.map((w: any) => w.code)).toContain('live_mode');
  });
});

describe('sandboxes by name', () => {
  it('each key names its sandbox; a replacement from another sandbox names both; a restricted key keeps the name it cannot read', async () => {
    const ledger = await app({ name: 'Ledger' });
    const first = await put(ledger.id, h.stripe.createKey({ accountId: sandboxA }));
    expect(first.body.integration).toMatchObject({ accountId: sandboxA, accountName: 'Sandbox A' });

    const moved = await put(ledger.id, h.stripe.createKey({ accountId: sandboxB }));
    const changed = moved.body.validation.warnings.find((w: any) => w.code === 'account_changed');
    expect(changed.message).toBe(`The new key belongs to Stripe account "Sandbox B" (${sandboxB}); the key it replaced belonged to "Sandbox A" (${sandboxA}).`);

    // A restricted key may not read GET /v1/account: the name learned for the same account stays.
    const restricted = await put(ledger.id, h.stripe.createKey({ accountId: sandboxB, type: 'restricted' }));
    expect(restricted.body.integration).toMatchObject({ accountId: sandboxB, accountName: 'Sandbox B' });
    expect((await h.get('/api/applications')).body.applications.find((a: any) => a.id === ledger.id).stripe.accountName).toBe('Sandbox B');
  });

  it('a claimable sandbox’s rkcs_test_ key is a restricted test key', async () => {
    const claimed = await app({ name: 'Claimed' });
    const claimable = h.stripe.createKey({ type: 'restricted', claimable: true, accountId: sandboxA });
    sent.push(claimable);
    const stored = await put(claimed.id, claimable);
    expect(stored.status).toBe(200);
    expect(stored.body.integration).toMatchObject({ keyType: 'restricted', mode: 'test', maskedKey: expect.stringMatching(/^rkcs_test_…/) });
  });
});

describe('secrets', () => {
  it('an organization key and a claimable sandbox’s key are never logged, answered or stored unsealed', async () => {
    await h.assertNeverExposed([orgKey, ...sent]);
  });
});

describe('the OpenAPI document', () => {
  it('describes every new field and error', async () => {
    const doc = (await h.get('/api/openapi.json', { token: null })).body;
    const { Application, Integration, Validation } = doc.components.schemas;
    expect(Application.properties).toHaveProperty('stripeAccount');
    expect(Integration.properties.keyType.enum).toEqual(['secret', 'restricted', 'organization']);
    expect(Integration.properties).toHaveProperty('accountName');
    expect(Integration.properties).toHaveProperty('keyExpiresAt');
    expect(Validation.properties).toHaveProperty('accountName');
    const body = (path: string, verb: string) => JSON.stringify(doc.paths[path][verb].requestBody);
    for (const [path, verb] of [
      ['/applications', 'post'],
      ['/applications/{id}', 'patch'],
      ['/stripe/validate', 'post'],
    ]) {
      expect(body(path!, verb!), `${verb} ${path}`).toContain('stripeAccount');
    }
    for (const [path, verb] of [
      ['/applications/{id}/integrations/stripe', 'put'],
      ['/stripe/rotate', 'post'],
    ]) {
      expect(body(path!, verb!)).toContain('previousKeyExpiresAt');
      const described = JSON.stringify(doc.paths[path!][verb!]);
      for (const code of ['stripe_account_required', 'stripe_account_inaccessible', 'key_expiry_out_of_range', 'previous_key_expiring', 'Stripe-Context']) {
        expect(described, `${verb} ${path} ${code}`).toContain(code);
      }
    }
    expect(JSON.stringify(doc.paths['/applications/{id}'].patch.responses)).toContain('stripe_account_required');
    expect(JSON.stringify(doc.paths['/status'].get.responses)).toContain('expiringSoon');
    expect(JSON.stringify(doc.paths['/applications/{id}/stripe/customers'].get.responses)).toContain('stripe_account_inaccessible');
  });
});
