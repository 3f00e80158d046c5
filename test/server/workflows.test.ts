/**
 * Issue 5: the Stripe workflows through the stored key, against the Stripe-compatible test
 * server with the real SDK — each endpoint, pagination both ways, Stripe's objects passed back
 * unchanged, 400s that never reach Stripe, every refusal mapping and the status change it causes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { permissionForScope } from '../../shared/permissions.js';
import { workflowFailure } from '../../server/workflows/errors.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
const usedKeys: string[] = [];

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const newAccountId = () => `acct_1${Array.from({ length: 15 }, () => ALNUM[Math.floor(Math.random() * ALNUM.length)]).join('')}`;

type KeyOptions = NonNullable<Parameters<Harness['stripe']['createKey']>[0]>;

/** An application of its own, connected with a restricted key (all five permissions unless said) on an account of its own. */
async function connectedApp(opts: KeyOptions & { seed?: { customers?: number; charges?: number; balanceTransactions?: number } } = {}) {
  const accountId = opts.accountId ?? newAccountId();
  if (opts.seed) h.stripe.seed(accountId, opts.seed);
  const key = h.stripe.createKey({ type: 'restricted', ...opts, accountId });
  usedKeys.push(key);
  const appId = await h.createApplication(`App ${Math.random().toString(36).slice(2, 7)}`);
  const res = await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: key, source: 'api' });
  expect(res.status).toBe(200);
  h.stripe.resetRequests();
  const base = `/api/applications/${appId}/stripe`;
  return { appId, key, accountId, base };
}

const integrationOf = async (appId: string) => (await h.get(`/api/applications/${appId}/integrations/stripe`)).body.integration;
const auditFor = async (appId: string) => ((await h.get('/api/audit?limit=200')).body.events as any[]).filter((e) => e.applicationId === appId);
const statusChanges = async (appId: string) => (await auditFor(appId)).filter((e) => e.action === 'integration.status_changed');
const stripeCalls = () => h.stripe.requests.map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`);
const directStripe = async (key: string, pathAndQuery: string) => {
  const res = await fetch(`${h.stripe.url}${pathAndQuery}`, { headers: { Authorization: `Bearer ${key}` } });
  return res.json();
};

beforeAll(async () => {
  h = await startHarness();
  await h.pair();
});
beforeEach(() => {
  h.stripe.clearFaults();
  h.stripe.setLatency(0);
  h.stripe.permissionWording = 'A';
});
afterAll(async () => {
  await h.assertNeverExposed(usedKeys);
  await h.close();
});

describe('balance', () => {
  it("passes Stripe's Balance object back unchanged", async () => {
    const { base, key } = await connectedApp({ seed: { balanceTransactions: 7 } });
    const res = await h.get(`${base}/balance`);
    expect(res.status).toBe(200);
    expect(res.body.object).toBe('balance');
    expect(stripeCalls()).toEqual(['GET /v1/balance']);
    expect(res.body).toEqual(await directStripe(key, '/v1/balance'));
  });
});

describe('charges', () => {
  let app: Awaited<ReturnType<typeof connectedApp>>;
  let all: any[];
  beforeAll(async () => {
    app = await connectedApp({ seed: { customers: 3, charges: 25 } });
    all = h.stripe.store.charges(app.accountId);
    expect(all).toHaveLength(25);
  });
  beforeEach(() => h.stripe.resetRequests());

  it("lists charges newest first, Stripe's list and objects unchanged (default limit 10)", async () => {
    const res = await h.get(`${app.base}/charges`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: 'list', data: all.slice(0, 10), has_more: true, url: '/v1/charges' });
    expect(res.body.data[0].object).toBe('charge');
    expect(stripeCalls()).toEqual(['GET /v1/charges']);
  });

  it('pages forward with starting_after and back with ending_before', async () => {
    const p1 = await h.get(`${app.base}/charges?limit=10`);
    const p2 = await h.get(`${app.base}/charges?limit=10&starting_after=${p1.body.data.at(-1).id}`);
    const p3 = await h.get(`${app.base}/charges?limit=10&starting_after=${p2.body.data.at(-1).id}`);
    expect(p2.body.data).toEqual(all.slice(10, 20));
    expect(p2.body.has_more).toBe(true);
    expect(p3.body.data).toEqual(all.slice(20, 25));
    expect(p3.body.has_more).toBe(false);

    const back2 = await h.get(`${app.base}/charges?limit=10&ending_before=${p3.body.data[0].id}`);
    expect(back2.status).toBe(200);
    expect(back2.body.data).toEqual(p2.body.data);
    expect(back2.body.has_more).toBe(true);
    const back1 = await h.get(`${app.base}/charges?limit=10&ending_before=${back2.body.data[0].id}`);
    expect(back1.body.data).toEqual(p1.body.data);
    expect(back1.body.has_more).toBe(false);
    expect(h.stripe.requests.map((r) => r.query)).toEqual([
      'limit=10',
      `limit=10&starting_after=${p1.body.data.at(-1).id}`,
      `limit=10&starting_after=${p2.body.data.at(-1).id}`,
      `limit=10&ending_before=${p3.body.data[0].id}`,
      `limit=10&ending_before=${back2.body.data[0].id}`,
    ]);
  });

  it('filters by customer', async () => {
    const customer = all[0].customer as string;
    const res = await h.get(`${app.base}/charges?limit=100&customer=${customer}`);
    expect(res.status).toBe(200);
    const expected = all.filter((c) => c.customer === customer);
    expect(expected.length).toBeGreaterThan(1);
    expect(res.body.data).toEqual(expected);
    expect(h.stripe.requests[0]!.query).toBe(`limit=100&customer=${customer}`);
  });

  it('an unknown cursor is Stripe refusing the request, not an outage, and changes nothing', async () => {
    const res = await h.get(`${app.base}/charges?starting_after=ch_3doesnotexist0000000000`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'stripe_invalid_request', details: { stripeStatus: 400, param: 'starting_after' } });
    expect((await integrationOf(app.appId)).status).toBe('connected');
  });
});

describe('customers', () => {
  let app: Awaited<ReturnType<typeof connectedApp>>;
  beforeAll(async () => {
    app = await connectedApp({ seed: { customers: 25 } });
  });
  beforeEach(() => h.stripe.resetRequests());

  it('lists customers, paging forward and back, objects unchanged', async () => {
    const all = h.stripe.store.customers(app.accountId);
    const p1 = await h.get(`${app.base}/customers?limit=10`);
    expect(p1.status).toBe(200);
    expect(p1.body).toEqual({ object: 'list', data: all.slice(0, 10), has_more: true, url: '/v1/customers' });
    const p2 = await h.get(`${app.base}/customers?limit=10&starting_after=${p1.body.data.at(-1).id}`);
    expect(p2.body.data).toEqual(all.slice(10, 20));
    const p3 = await h.get(`${app.base}/customers?limit=10&starting_after=${p2.body.data.at(-1).id}`);
    expect(p3.body).toMatchObject({ data: all.slice(20), has_more: false });

    const back = await h.get(`${app.base}/customers?limit=5&ending_before=${p3.body.data[0].id}`);
    expect(back.body.data).toEqual(all.slice(15, 20));
    expect(back.body.has_more).toBe(true);
    const first = await h.get(`${app.base}/customers?limit=10&ending_before=${all[3].id}`);
    expect(first.body.data).toEqual(all.slice(0, 3));
    expect(first.body.has_more).toBe(false);
  });

  it('filters by email', async () => {
    const target = h.stripe.store.customers(app.accountId).find((c) => c.email === 'customer7@example.com')!;
    const res = await h.get(`${app.base}/customers?email=${encodeURIComponent('customer7@example.com')}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([target]);
    expect(new URLSearchParams(h.stripe.requests[0]!.query).get('email')).toBe('customer7@example.com');
  });

  it('creates a customer (201), passing the Idempotency-Key on to Stripe; a replay returns the same customer', async () => {
    const idem = `serval-test-${Math.random().toString(36).slice(2)}`;
    const before = h.stripe.store.customers(app.accountId).length;
    const body = { name: 'Ada Lovelace', email: 'ada@example.com', description: 'VIP', metadata: { plan: 'pro' } };
    const created = await h.post(`${app.base}/customers`, body, { headers: { 'Idempotency-Key': idem } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'customer', name: 'Ada Lovelace', email: 'ada@example.com', description: 'VIP', metadata: { plan: 'pro' } });
    const stored = h.stripe.store.customers(app.accountId).find((c) => c.id === created.body.id);
    expect(created.body).toEqual(stored);
    const post = h.stripe.requests.find((r) => r.method === 'POST' && r.path === '/v1/customers')!;
    expect(post.headers['idempotency-key']).toBe(idem);

    const replay = await h.post(`${app.base}/customers`, body, { headers: { 'Idempotency-Key': idem } });
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(created.body);
    expect(h.stripe.store.customers(app.accountId)).toHaveLength(before + 1);
    expect(h.stripe.requests.filter((r) => r.method === 'POST').map((r) => r.headers['idempotency-key'])).toEqual([idem, idem]);

    // The same key with other parameters is Stripe's idempotency error: a 400, nothing created.
    const misuse = await h.post(`${app.base}/customers`, { ...body, name: 'Someone else' }, { headers: { 'Idempotency-Key': idem } });
    expect(misuse.status).toBe(400);
    expect(misuse.body.error.code).toBe('stripe_invalid_request');
    expect(h.stripe.store.customers(app.accountId)).toHaveLength(before + 1);
  });

  it('without an Idempotency-Key, each create is a new customer', async () => {
    const a = await h.post(`${app.base}/customers`, { name: 'Twin' });
    const b = await h.post(`${app.base}/customers`, { name: 'Twin' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
  });

  it('gets one customer unchanged, and a missing one is a 404 from Stripe', async () => {
    const target = h.stripe.store.customers(app.accountId)[4]!;
    const res = await h.get(`${app.base}/customers/${target.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(target);
    const missing = await h.get(`${app.base}/customers/cus_doesnotexist000`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('stripe_resource_missing');
    expect(stripeCalls()).toEqual([`GET /v1/customers/${target.id}`, 'GET /v1/customers/cus_doesnotexist000']);
  });

  it('updates a customer (PATCH → POST /v1/customers/:id), passing an Idempotency-Key on', async () => {
    const target = h.stripe.store.customers(app.accountId).find((c) => c.metadata.seeded === 'true')!;
    const res = await h.patch(`${app.base}/customers/${target.id}`, { name: 'Renamed', phone: '+15555550123', metadata: { tier: 'gold' } }, { headers: { 'Idempotency-Key': 'patch-1' } });
    expect(res.status).toBe(200);
    const stored = h.stripe.store.customers(app.accountId).find((c) => c.id === target.id)!;
    expect(stored).toMatchObject({ name: 'Renamed', phone: '+15555550123', metadata: { seeded: 'true', tier: 'gold' } });
    expect(res.body).toEqual(stored);
    const post = h.stripe.requests.at(-1)!;
    expect(`${post.method} ${post.path}`).toBe(`POST /v1/customers/${target.id}`);
    expect(post.headers['idempotency-key']).toBe('patch-1');

    // An empty string clears a field, as in Stripe.
    const cleared = await h.patch(`${app.base}/customers/${target.id}`, { email: '', phone: '' });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ email: null, phone: null, name: 'Renamed' });
  });
});

describe('balance transactions', () => {
  it('lists them unchanged, filters by type, pages both ways', async () => {
    const app = await connectedApp({ seed: { balanceTransactions: 15 } });
    const all = h.stripe.store.balanceTransactions(app.accountId);
    const p1 = await h.get(`${app.base}/balance_transactions?limit=6`);
    expect(p1.status).toBe(200);
    expect(p1.body).toEqual({ object: 'list', data: all.slice(0, 6), has_more: true, url: '/v1/balance_transactions' });
    const p2 = await h.get(`${app.base}/balance_transactions?limit=6&starting_after=${all[5]!.id}`);
    expect(p2.body.data).toEqual(all.slice(6, 12));
    const back = await h.get(`${app.base}/balance_transactions?limit=6&ending_before=${all[6]!.id}`);
    expect(back.body.data).toEqual(all.slice(0, 6));
    const refunds = await h.get(`${app.base}/balance_transactions?type=refund&limit=100`);
    expect(refunds.body.data).toEqual(all.filter((t) => t.type === 'refund'));
    expect(refunds.body.data.length).toBeGreaterThan(0);
  });
});

describe('bad requests never reach Stripe', () => {
  let app: Awaited<ReturnType<typeof connectedApp>>;
  beforeAll(async () => {
    app = await connectedApp();
  });
  beforeEach(() => h.stripe.resetRequests());

  const badQueries: Array<[string, string]> = [
    ['charges', 'limit=0'],
    ['charges', 'limit=101'],
    ['charges', 'limit=abc'],
    ['charges', 'limit=1.5'],
    ['charges', 'limit=-1'],
    ['charges', 'limit='],
    ['charges', 'limit=0x10'],
    ['charges', 'limit=1e1'],
    ['charges', 'limit=1&limit=2'],
    ['charges', 'foo=1'],
    ['charges', 'expand[]=data.customer'],
    ['charges', 'starting_after=ch_a&ending_before=ch_b'],
    ['charges', 'starting_after=cus_abc'],
    ['charges', 'customer=cus_'],
    ['charges', 'customer=cus_abc$def'],
    ['charges', 'customer=ch_abc'],
    ['charges', `starting_after=${encodeURIComponent('ch_../../v1/customers')}`],
    ['customers', 'limit=0'],
    ['customers', 'email='],
    ['customers', 'starting_after=cus_a&ending_before=cus_b'],
    ['customers', 'starting_after=cus_abc!'],
    ['customers', 'ending_before=ch_abc'],
    ['customers', 'customer=cus_abc'],
    ['balance_transactions', 'type=bogus'],
    ['balance_transactions', 'starting_after=ch_abc'],
    ['balance', 'limit=1'],
  ];
  for (const [endpoint, query] of badQueries) {
    it(`GET ${endpoint}?${query} → 400 validation_failed`, async () => {
      const res = await h.get(`${app.base}/${endpoint}?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.message).toBeTruthy();
      expect(Array.isArray(res.body.error.details)).toBe(true);
      expect(h.stripe.requests).toEqual([]);
    });
  }

  for (const customerId of ['cus_', 'cus_bad-chars', 'ch_3abc', 'not_a_customer', 'cus_abc%24', 'cus_abc%2F..%2Fx', `cus_${'a'.repeat(251)}`]) {
    it(`a malformed customer id (${customerId.slice(0, 24)}) → 400 on GET and PATCH`, async () => {
      const get = await h.get(`${app.base}/customers/${customerId}`);
      const patch = await h.patch(`${app.base}/customers/${customerId}`, { name: 'x' });
      expect([get.status, patch.status]).toEqual([400, 400]);
      expect(get.body.error.code).toBe('validation_failed');
      expect(h.stripe.requests).toEqual([]);
    });
  }

  const badBodies: Array<[string, unknown]> = [
    ['unknown field', { name: 'x', address: { city: 'Paris' } }],
    ['bad email', { email: 'not-an-email' }],
    ['name too long', { name: 'x'.repeat(257) }],
    ['phone too long', { phone: '1'.repeat(21) }],
    ['metadata not strings', { metadata: { a: 1 } }],
    ['metadata key too long', { metadata: { ['k'.repeat(41)]: 'v' } }],
    ['metadata with 51 keys', { metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }],
    ['not an object', ['name']],
    ['a string', 'hello'],
  ];
  for (const [label, body] of badBodies) {
    it(`POST and PATCH with ${label} → 400`, async () => {
      const post = await h.post(`${app.base}/customers`, body);
      const patch = await h.patch(`${app.base}/customers/cus_abc123`, body);
      expect([post.status, patch.status]).toEqual([400, 400]);
      expect(post.body.error.code).toBe('validation_failed');
      expect(h.stripe.requests).toEqual([]);
    });
  }

  it('a body that is not JSON → 400', async () => {
    const res = await h.request('POST', `${app.base}/customers`, { raw: '{"name":' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(h.stripe.requests).toEqual([]);
  });

  it('an over-long Idempotency-Key → 400', async () => {
    const res = await h.post(`${app.base}/customers`, { name: 'x' }, { headers: { 'Idempotency-Key': 'k'.repeat(256) } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(h.stripe.requests).toEqual([]);
  });
});

describe('Stripe 403 → 403 stripe_permission_denied, integration → missing_permissions', () => {
  for (const wording of ['A', 'B'] as const) {
    it(`names the missing permission (wording ${wording}) and records the change once`, async () => {
      const app = await connectedApp();
      h.stripe.permissionWording = wording;
      h.stripe.setPermissions(app.key, ['charges_read', 'customers_read', 'balance_read', 'balance_transactions_read']);

      const res = await h.post(`${app.base}/customers`, { name: 'Nope' });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        code: 'stripe_permission_denied',
        details: { permission: 'customers_write', scope: 'rak_customer_write', stripeScope: 'rak_customer_write' },
      });
      expect(res.body.error.message).toContain('Customers: Write');
      expect(res.body.error.hint).toContain('Customers: Write');
      expect(h.stripe.store.customers(app.accountId)).toHaveLength(0);

      const integration = await integrationOf(app.appId);
      expect(integration).toMatchObject({ status: 'missing_permissions', missingPermissions: ['customers_write'], lastError: { code: 'stripe_permission_denied' } });
      expect(integration.permissions.customers_write).toBe(false);
      expect(integration.permissions.customers_read).toBe(true);
      const changes = await statusChanges(app.appId);
      expect(changes).toHaveLength(1);
      expect(changes[0].detail).toMatchObject({ from: 'connected', to: 'missing_permissions', maskedKey: integration.maskedKey });

      // Refused again: same answer, no second audit event.
      expect((await h.post(`${app.base}/customers`, { name: 'Nope' })).status).toBe(403);
      expect(await statusChanges(app.appId)).toHaveLength(1);
    });
  }

  it('a second missing permission is recorded on an integration already missing one', async () => {
    const app = await connectedApp();
    h.stripe.permissionWording = 'B';
    h.stripe.setPermissions(app.key, ['charges_read', 'customers_read', 'balance_transactions_read']);
    expect((await h.post(`${app.base}/customers`, { name: 'Nope' })).status).toBe(403);
    const balance = await h.get(`${app.base}/balance`);
    expect(balance.status).toBe(403);
    expect(balance.body.error.details).toMatchObject({ permission: 'balance_read', stripeScope: 'rak_balance_read' });
    const integration = await integrationOf(app.appId);
    expect(integration.missingPermissions).toEqual(['customers_write', 'balance_read']);
    const events = (await auditFor(app.appId)).filter((e) => e.action.startsWith('integration.') && e.action !== 'integration.connected');
    expect(events.map((e) => [e.action, e.detail.from, e.detail.to, e.detail.missingPermissions]).sort()).toEqual([
      ['integration.permissions_changed', 'missing_permissions', 'missing_permissions', ['customers_write', 'balance_read']],
      ['integration.status_changed', 'connected', 'missing_permissions', ['customers_write']],
    ]);
    // Known now: a repeat writes nothing.
    const total = (await auditFor(app.appId)).length;
    expect((await h.get(`${app.base}/balance`)).status).toBe(403);
    expect(await auditFor(app.appId)).toHaveLength(total);
  });

  it('each read endpoint names its own permission', async () => {
    const cases: Array<[string, string, string]> = [
      ['charges', 'charges_read', 'rak_charge_read'],
      ['customers', 'customers_read', 'rak_customer_read'],
      ['balance', 'balance_read', 'rak_balance_read'],
      ['balance_transactions', 'balance_transactions_read', 'rak_balance_transaction_source_read'],
    ];
    for (const [endpoint, permission, scope] of cases) {
      const app = await connectedApp({ permissions: [] });
      h.stripe.permissionWording = 'B';
      const res = await h.get(`${app.base}/${endpoint}`);
      expect(res.status, endpoint).toBe(403);
      expect(res.body.error.details).toMatchObject({ permission, scope, stripeScope: scope });
    }
  });

  it("the permission named is Stripe's scope from the message, when it differs from the route's", () => {
    const { error, change } = workflowFailure(
      { kind: 'permission', message: "… Having the 'rak_balance_read' permission would allow this request to continue.", accountId: null, scope: 'rak_balance_read' },
      'balance_transactions_read',
    );
    expect(error.status).toBe(403);
    expect((error.body().error.details as any).permission).toBe('balance_read');
    expect(change).toMatchObject({ status: 'missing_permissions', missing: 'balance_read' });
    expect(permissionForScope('balance_read')).toBe('balance_read');
  });

  it('a scope Serval does not know falls back to the route permission but reports what Stripe named', () => {
    const { error, change } = workflowFailure({ kind: 'permission', message: '…', accountId: null, scope: 'rak_plan_read' }, 'charges_read');
    const body = error.body().error;
    expect(body.details).toMatchObject({ permission: 'charges_read', stripeScope: 'rak_plan_read' });
    expect(body.message).toContain('rak_plan_read');
    expect(change?.missing).toBe('charges_read');
  });
});

describe('Stripe 401 → 409 stripe_key_invalid, integration → invalid', () => {
  it('a deleted key', async () => {
    const app = await connectedApp();
    h.stripe.deleteKey(app.key);
    const res = await h.get(`${app.base}/charges`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('stripe_key_invalid');
    expect(res.body.error.hint).toBeTruthy();
    const integration = await integrationOf(app.appId);
    expect(integration).toMatchObject({ status: 'invalid', lastError: { code: 'invalid_api_key' } });
    const changes = await statusChanges(app.appId);
    expect(changes).toHaveLength(1);
    expect(changes[0].detail).toMatchObject({ from: 'connected', to: 'invalid', reason: 'invalid_api_key' });

    expect((await h.get(`${app.base}/customers`)).status).toBe(409);
    expect(await statusChanges(app.appId)).toHaveLength(1);
  });

  it('an expired key', async () => {
    const app = await connectedApp();
    h.stripe.expireKey(app.key);
    const res = await h.post(`${app.base}/customers`, { name: 'x' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('stripe_key_invalid');
    expect(res.body.error.message).toMatch(/expired/i);
    expect(await integrationOf(app.appId)).toMatchObject({ status: 'invalid', lastError: { code: 'expired_api_key' } });
    expect(await statusChanges(app.appId)).toHaveLength(1);
  });

  it('a refusal of a key that was replaced meanwhile does not mark the new key invalid', async () => {
    const app = await connectedApp();
    h.stripe.setLatency(400);
    const pending = h.get(`${app.base}/charges`);
    await vi.waitFor(() => expect(h.stripe.requests.some((r) => r.path === '/v1/charges')).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 30)); // its 400 ms delay has surely started
    h.stripe.setLatency(0); // the workflow request keeps its 400 ms; the replacement does not wait
    h.stripe.deleteKey(app.key);
    const fresh = h.stripe.createKey({ type: 'restricted', accountId: app.accountId });
    usedKeys.push(fresh);
    expect((await h.put(`/api/applications/${app.appId}/integrations/stripe`, { apiKey: fresh })).status).toBe(200);

    expect((await pending).status).toBe(409);
    const integration = await integrationOf(app.appId);
    expect(integration).toMatchObject({ status: 'connected', maskedKey: `rk_test_…${fresh.slice(-4)}`, lastError: null });
    expect(await statusChanges(app.appId)).toHaveLength(0);
  });
});

describe('Stripe unavailable or rate limiting: the integration is unchanged', () => {
  it('429 → 503 stripe_rate_limited with Retry-After', async () => {
    const app = await connectedApp();
    h.stripe.injectFault({ kind: 'status429', count: 1 });
    const res = await h.get(`${app.base}/charges`);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('stripe_rate_limited');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await integrationOf(app.appId)).toMatchObject({ status: 'connected', lastError: null });
    expect(await statusChanges(app.appId)).toHaveLength(0);
    expect((await h.get(`${app.base}/charges`)).status).toBe(200);
  });

  for (const kind of ['status500', 'hang', 'reset', 'badJson'] as const) {
    it(`${kind} → 502 stripe_unavailable`, async () => {
      const app = await connectedApp();
      const before = await integrationOf(app.appId);
      h.stripe.injectFault({ kind, pathPrefix: '/v1/customers' });
      const res = await h.post(`${app.base}/customers`, { name: 'x' });
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('stripe_unavailable');
      expect(res.body.error.hint).toMatch(/Nothing was changed/);
      expect(await integrationOf(app.appId)).toEqual(before);
      expect(await statusChanges(app.appId)).toHaveLength(0);
      h.stripe.clearFaults();
      expect((await h.get(`${app.base}/balance`)).status).toBe(200);
    });
  }
});

describe('what there is to use', () => {
  it('no integration → 404 integration_not_found with a hint to connect Stripe', async () => {
    const appId = await h.createApplication('Unconnected');
    h.stripe.resetRequests();
    for (const path of ['balance', 'charges', 'customers', 'customers/cus_abc123', 'balance_transactions']) {
      const res = await h.get(`/api/applications/${appId}/stripe/${path}`);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('integration_not_found');
      expect(res.body.error.hint).toMatch(/Connect Stripe/);
    }
    expect((await h.post(`/api/applications/${appId}/stripe/customers`, { name: 'x' })).body.error.code).toBe('integration_not_found');
    expect(h.stripe.requests).toEqual([]);
  });

  it('an unknown application → 404 application_not_found', async () => {
    const res = await h.get('/api/applications/app_doesnotexist/stripe/charges');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('application_not_found');
  });

  it('needs a paired device', async () => {
    const { base } = await connectedApp();
    const res = await h.get(`${base}/charges`, { token: null });
    expect(res.status).toBe(401);
    expect(h.stripe.requests).toEqual([]);
  });

  it('the OpenAPI document covers every workflow route', async () => {
    const doc = (await h.get('/api/openapi.json', { token: null })).body;
    const paths = Object.keys(doc.paths);
    for (const p of ['balance', 'charges', 'customers', 'customers/{customerId}', 'balance_transactions']) {
      expect(paths).toContain(`/applications/{id}/stripe/${p}`);
    }
    expect(Object.keys(doc.paths['/applications/{id}/stripe/customers'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/applications/{id}/stripe/customers/{customerId}'])).toEqual(expect.arrayContaining(['get', 'patch']));
    expect(doc.paths['/applications/{id}/stripe/charges'].get.responses).toHaveProperty('403');
  });
});

describe('one Stripe client per stored key', () => {
  it('is reused across requests (key unsealed once, one keep-alive connection) and replaced with the key', async () => {
    const app = await connectedApp();
    const openKey = vi.spyOn(h.runtime.integrations, 'openKey');
    try {
      for (let i = 0; i < 4; i++) expect((await h.get(`${app.base}/charges?limit=1`)).status).toBe(200);
      expect(openKey).toHaveBeenCalledTimes(1);
      const ports = new Set(h.stripe.requests.map((r) => r.remotePort));
      expect(ports.size).toBe(1);
      expect(h.stripe.requests.every((r) => r.headers.authorization === `Bearer ${app.key}`)).toBe(true);

      // Replace the key: the next request uses the new one.
      const next = h.stripe.createKey({ type: 'restricted', accountId: app.accountId });
      usedKeys.push(next);
      expect((await h.put(`/api/applications/${app.appId}/integrations/stripe`, { apiKey: next })).status).toBe(200);
      h.stripe.resetRequests();
      openKey.mockClear();
      expect((await h.get(`${app.base}/balance`)).status).toBe(200);
      expect((await h.get(`${app.base}/balance`)).status).toBe(200);
      expect(h.stripe.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${next}`, `Bearer ${next}`]);
      expect(openKey).toHaveBeenCalledTimes(1);

      // Remove it: the workflows answer 404 and Stripe hears nothing.
      expect((await h.del(`/api/applications/${app.appId}/integrations/stripe`)).status).toBe(204);
      h.stripe.resetRequests();
      const gone = await h.get(`${app.base}/balance`);
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe('integration_not_found');
      expect(h.stripe.requests).toEqual([]);
    } finally {
      openKey.mockRestore();
    }
  });

  it('two applications with different keys each use their own', async () => {
    const a = await connectedApp();
    const b = await connectedApp();
    await h.get(`${a.base}/balance`);
    await h.get(`${b.base}/balance`);
    await h.get(`${a.base}/balance`);
    expect(h.stripe.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${a.key}`, `Bearer ${b.key}`, `Bearer ${a.key}`]);
  });

  it('deleting the application makes its workflows 404', async () => {
    const app = await connectedApp();
    expect((await h.get(`${app.base}/balance`)).status).toBe(200);
    expect((await h.del(`/api/applications/${app.appId}`)).status).toBe(204);
    h.stripe.resetRequests();
    expect((await h.get(`${app.base}/balance`)).body.error.code).toBe('application_not_found');
    expect(h.stripe.requests).toEqual([]);
  });
});

describe('keys stay secret', () => {
  it('no key appears in any response, log line or database file', async () => {
    expect(usedKeys.length).toBeGreaterThan(10);
    await h.assertNeverExposed(usedKeys);
  });
});
