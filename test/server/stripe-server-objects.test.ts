/**
 * The Stripe test server's objects: lists and their pagination, customers created, updated and
 * retrieved, and the store seeded for tests — in the shapes api.stripe.com sends.
 */
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { PERMISSION_IDS } from '../../shared/permissions.js';
import type { StripeTestServer } from '../stripe-server/index.js';
import { useStripeServer, failure, freshAccount } from './stripe-server-driver.js';

const { server: stripeServer, sdk, raw } = useStripeServer();
let server: StripeTestServer;
beforeAll(() => {
  server = stripeServer();
});

describe('objects and lists', () => {
  it('balance carries livemode from the key mode', async () => {
    expect((await sdk(server.createKey({ mode: 'test' })).balance.retrieve()).livemode).toBe(false);
    expect((await sdk(server.createKey({ mode: 'live' })).balance.retrieve()).livemode).toBe(true);
  });

  it("lists have Stripe's shape: object list, url, newest first, default limit 10, realistic ids", async () => {
    const accountId = freshAccount();
    server.seed(accountId, { customers: 12, charges: 3, balanceTransactions: 3 });
    const stripe = sdk(server.createKey({ accountId }));
    const customers = await stripe.customers.list();
    expect(customers).toMatchObject({ object: 'list', has_more: true, url: '/v1/customers' });
    expect(customers.data).toHaveLength(10);
    expect(customers.data[0]!.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    const created = customers.data.map((c) => c.created);
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect((await stripe.charges.list()).data[0]!.id).toMatch(/^ch_[A-Za-z0-9]+$/);
    expect((await stripe.balanceTransactions.list()).data[0]!.id).toMatch(/^txn_[A-Za-z0-9]+$/);
  });

  it('paginates forwards with starting_after and backwards with ending_before', async () => {
    const accountId = freshAccount();
    server.seed(accountId, { customers: 25 });
    const stripe = sdk(server.createKey({ accountId }));
    const everyone = server.store.customers(accountId).map((c) => c.id);

    const page1 = await stripe.customers.list({ limit: 10 });
    const page2 = await stripe.customers.list({ limit: 10, starting_after: page1.data.at(-1)!.id });
    const page3 = await stripe.customers.list({ limit: 10, starting_after: page2.data.at(-1)!.id });
    expect([page1.has_more, page2.has_more, page3.has_more]).toEqual([true, true, false]);
    expect([...page1.data, ...page2.data, ...page3.data].map((c) => c.id)).toEqual(everyone);

    const back = await stripe.customers.list({ limit: 10, ending_before: page3.data[0]!.id });
    expect(back.data.map((c) => c.id)).toEqual(page2.data.map((c) => c.id));
    expect(back.has_more).toBe(true);
    const first = await stripe.customers.list({ limit: 10, ending_before: page2.data[0]!.id });
    expect(first.data.map((c) => c.id)).toEqual(page1.data.map((c) => c.id));
    expect(first.has_more).toBe(false);

    const all: string[] = [];
    for await (const customer of stripe.customers.list({ limit: 7 })) all.push(customer.id);
    expect(all).toEqual(everyone);
  });

  it('filters customers by email, charges by customer, balance transactions by type', async () => {
    const accountId = freshAccount();
    server.seed(accountId, { customers: 3, charges: 9, balanceTransactions: 10 });
    const stripe = sdk(server.createKey({ accountId }));

    const byEmail = await stripe.customers.list({ email: 'customer2@example.com' });
    expect(byEmail.data.map((c) => c.email)).toEqual(['customer2@example.com']);
    expect((await stripe.customers.list({ email: 'CUSTOMER2@example.com' })).data).toEqual([]);

    const customerId = byEmail.data[0]!.id;
    const charges = await stripe.charges.list({ customer: customerId, limit: 100 });
    expect(charges.data).toHaveLength(3);
    expect(charges.data.every((charge) => charge.customer === customerId)).toBe(true);

    const payouts = await stripe.balanceTransactions.list({ type: 'payout', limit: 100 });
    expect(payouts.data).toHaveLength(2);
    expect(payouts.data.every((txn) => txn.type === 'payout')).toBe(true);
  });

  it('rejects bad list parameters like Stripe (400)', async () => {
    const stripe = sdk(server.createKey());
    for (const [params, code, param] of [
      [{ limit: 0 }, 'parameter_invalid_integer', 'limit'],
      [{ limit: 101 }, 'parameter_invalid_integer', 'limit'],
      [{ limit: 'ten' }, 'parameter_invalid_integer', 'limit'],
      [{ colour: 'blue' }, 'parameter_unknown', 'colour'],
    ] as const) {
      const err = await failure(stripe.customers.list(params as Stripe.CustomerListParams));
      expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(err.statusCode).toBe(400);
      expect(err.code).toBe(code);
      expect(err.param).toBe(param);
    }
    const unknownParam = await failure(stripe.customers.list({ colour: 'blue' } as Stripe.CustomerListParams));
    expect(unknownParam.message).toBe('Received unknown parameter: colour');
  });

  it('answers unknown URLs with "Unrecognized request URL"', async () => {
    const res = await raw('/v1/foo', { key: server.createKey() });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error).toEqual({
      message: 'Unrecognized request URL (GET: /v1/foo). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.',
      type: 'invalid_request_error',
    });
  });
});

describe('customers: create, update, retrieve', () => {
  it('creates and updates a customer, metadata included', async () => {
    const accountId = freshAccount();
    const stripe = sdk(server.createKey({ accountId }));
    const created = await stripe.customers.create({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      description: 'first',
      metadata: { plan: 'pro', source: 'test' },
    });
    expect(created).toMatchObject({ object: 'customer', name: 'Ada Lovelace', email: 'ada@example.com', livemode: false });
    expect(created.metadata).toEqual({ plan: 'pro', source: 'test' });
    expect(created.lastResponse.requestId).toMatch(/^req_/);

    const updated = await stripe.customers.update(created.id, { description: 'second', metadata: { plan: '', tier: 'gold' } });
    expect(updated.description).toBe('second');
    expect(updated.metadata).toEqual({ source: 'test', tier: 'gold' });

    const retrieved = await stripe.customers.retrieve(created.id);
    expect(retrieved).toMatchObject({ id: created.id, description: 'second', name: 'Ada Lovelace' });
    expect(server.store.customers(accountId).map((c) => c.id)).toEqual([created.id]);

    const invalid = await failure(stripe.customers.create({ email: 'not-an-email' }));
    expect(invalid.code).toBe('email_invalid');
  });

  it('404s when retrieving a customer that does not exist', async () => {
    const err = await failure(sdk(server.createKey()).customers.retrieve('cus_doesnotexist00'));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err.statusCode).toBe(404);
    expect(err.message).toBe("No such customer: 'cus_doesnotexist00'");
  });

  it('shares data between secret and restricted keys of one account, not across accounts', async () => {
    const accountId = freshAccount();
    const created = await sdk(server.createKey({ accountId })).customers.create({ name: 'Shared' });
    const restricted = await sdk(server.createKey({ type: 'restricted', accountId })).customers.list();
    expect(restricted.data.map((c) => c.id)).toEqual([created.id]);
    const other = await sdk(server.createKey({ accountId: freshAccount() })).customers.list();
    expect(other.data).toEqual([]);
  });
});

describe('seeding and store', () => {
  it('seeds per account and exposes copies of the objects', async () => {
    const accountId = freshAccount();
    server.seed(accountId, { customers: 4, charges: 5, balanceTransactions: 6 });
    expect(server.store.customers(accountId)).toHaveLength(4);
    expect(server.store.charges(accountId)).toHaveLength(5);
    expect(server.store.balanceTransactions(accountId)).toHaveLength(6);
    server.store.customers(accountId)[0]!.name = 'changed';
    expect(server.store.customers(accountId)[0]!.name).not.toBe('changed');
    expect(PERMISSION_IDS).toHaveLength(5);
  });
});
