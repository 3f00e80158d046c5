/**
 * The Stripe workflows through the stored key, against the Stripe test server with the real SDK:
 * each read and write endpoint, pagination both ways, filters, idempotency, and Stripe's objects
 * passed back unchanged.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Harness } from './harness.js';
import { useWorkflowBackend, type ConnectedApp } from './workflow-backend.js';

const { backend, connectedApp, integrationOf, stripeCalls, directStripe } = useWorkflowBackend();
let h: Harness;
beforeAll(() => {
  h = backend();
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
  let app: ConnectedApp;
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
  let app: ConnectedApp;
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
    const res = await h.patch(
      `${app.base}/customers/${target.id}`,
      { name: 'Renamed', phone: '+15555550123', metadata: { tier: 'gold' } },
      { headers: { 'Idempotency-Key': 'patch-1' } },
    );
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
