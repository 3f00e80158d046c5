/**
 * The Stripe test server, driven by the real `stripe` SDK and by raw fetch: it has to look like
 * api.stripe.com on the wire for the other tests to mean anything.
 */
import Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NONEXISTENT_CUSTOMER_ID, PERMISSION_IDS } from '../../shared/permissions.js';
import { startStripeServer, type StripeTestServer } from '../stripe-server/index.js';

let server: StripeTestServer;

beforeAll(async () => {
  server = await startStripeServer();
});

afterAll(async () => {
  await server.close();
});

afterEach(() => {
  server.clearFaults();
  server.setLatency(0);
  server.permissionWording = 'A';
});

function sdk(key: string, extra: Stripe.StripeConfig = {}): Stripe {
  return new Stripe(key, { ...server.sdkConfig, maxNetworkRetries: 0, telemetry: false, ...extra });
}

function raw(path: string, init: { key?: string; method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== undefined) headers.authorization = `Bearer ${init.key}`;
  if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  return fetch(`${server.url}${path}`, { method: init.method ?? 'GET', headers, body: init.body });
}

/** Runs a promise expected to reject, and returns the error for assertions. */
async function failure(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error('expected the request to fail');
}

/** A fresh account per test that seeds or creates, so tests never see each other's data. */
function freshAccount(): string {
  return `acct_1${Math.random().toString(36).slice(2, 10).padEnd(15, 'x')}`;
}

describe('keys', () => {
  it('creates realistic keys: prefix, 51, 99 characters (or 24 legacy), account tail', () => {
    const sk = server.createKey();
    expect(sk).toMatch(/^sk_test_51[A-Za-z0-9]{97}$/);
    expect(sk.slice(10, 25)).toBe(server.defaultAccountId.slice(6));
    expect(server.createKey({ type: 'restricted', mode: 'live' })).toMatch(/^rk_live_51[A-Za-z0-9]{97}$/);
    expect(server.createKey({ legacy: true })).toMatch(/^sk_test_[A-Za-z0-9]{24}$/);
    expect(server.createKey()).not.toBe(sk);
  });
});

describe('authentication (401)', () => {
  it('answers an unknown key byte for byte like Stripe, without a Request-Id', async () => {
    const res = await raw('/v1/charges', { key: 'sk_test_placeholder' });
    expect(res.status).toBe(401);
    const text = await res.text();
    expect(text).toBe(
      '{\n  "error": {\n    "message": "Invalid API Key provided: sk_test_*******lder",\n    "type": "invalid_request_error"\n  }\n}\n',
    );
    expect(res.headers.get('content-length')).toBe('121');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="Stripe"');
    expect(res.headers.get('request-id')).toBeNull();
  });

  it('masks a full-length unknown key as first 8 + stars + last 4, and the SDK sees no requestId', async () => {
    const key = `sk_test_51${'Q'.repeat(93)}Aso0`;
    const err = await failure(sdk(key).customers.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.type).toBe('StripeAuthenticationError');
    expect(err.statusCode).toBe(401);
    expect(err.code).toBeUndefined();
    expect(err.requestId).toBeUndefined();
    expect(err.message).toBe(`Invalid API Key provided: sk_test_${'*'.repeat(95)}Aso0`);
  });

  it('treats a deleted key as unknown', async () => {
    const key = server.createKey();
    await expect(sdk(key).balance.retrieve()).resolves.toMatchObject({ object: 'balance' });
    server.deleteKey(key);
    const err = await failure(sdk(key).balance.retrieve());
    expect(err.statusCode).toBe(401);
    expect(err.message).toMatch(/^Invalid API Key provided: sk_test_\*+/);
  });

  it('answers an expired key with api_key_expired, masked to the last 6, byte for byte', async () => {
    const key = server.createKey({ type: 'restricted' });
    server.expireKey(key);
    const masked = `${key.slice(0, 8)}${'*'.repeat(93)}${key.slice(-6)}`;
    const res = await raw('/v1/balance', { key });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(
      `{\n  "error": {\n    "code": "api_key_expired",\n    "doc_url": "https://stripe.com/docs/error-codes/api-key-expired",\n    "message": "Expired API Key provided: ${masked}",\n    "type": "invalid_request_error"\n  }\n}\n`,
    );

    const expired = server.createKey({ expired: true });
    const err = await failure(sdk(expired).balance.retrieve());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err.code).toBe('api_key_expired');
    expect(err.doc_url).toBe('https://stripe.com/docs/error-codes/api-key-expired');
  });

  it('answers a missing key with Stripe\'s "did not provide an API key"', async () => {
    const res = await raw('/v1/balance');
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/^You did not provide an API key\. You need to provide your API key in the Authorization header/);
  });

  it('accepts HTTP Basic with the key as username', async () => {
    const key = server.createKey();
    const res = await fetch(`${server.url}/v1/balance`, { headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` } });
    expect(res.status).toBe(200);
  });

  it('refuses a publishable key with 403', async () => {
    const err = await failure(sdk(server.createKey({ type: 'publishable' })).charges.list());
    expect(err).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(err.message).toMatch(/^This API call cannot be made with a publishable API key\./);
    expect(err.requestId).toMatch(/^req_[A-Za-z0-9]{14}$/);
  });
});

describe('permissions (403)', () => {
  it('Format A names the missing rak_ scope and the account, with a Request-Id', async () => {
    const accountId = freshAccount();
    const key = server.createKey({ type: 'restricted', accountId, permissions: ['customers_read'] });
    const err = await failure(sdk(key).charges.list({ limit: 1 }));
    expect(err).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(err.statusCode).toBe(403);
    expect(err.rawType).toBe('invalid_request_error');
    expect(err.code).toBeUndefined();
    expect(err.requestId).toMatch(/^req_[A-Za-z0-9]{14}$/);
    expect(err.message).toBe(
      `The provided key '${key.slice(0, 8)}${'*'.repeat(93)}${key.slice(-6)}' does not have the required permissions for this endpoint on account '${accountId}'. Having the 'rak_charge_read' permission would allow this request to continue.`,
    );
  });

  it('Format B says "Permission denied", names the short scope, links to the key and has code more_permissions_required', async () => {
    server.permissionWording = 'B';
    const accountId = freshAccount();
    const key = server.createKey({ type: 'restricted', accountId, permissions: ['customers_read'] });
    const res = await raw(`/v1/customers/${NONEXISTENT_CUSTOMER_ID}`, { key, method: 'POST', body: '' });
    expect(res.status).toBe(403);
    expect(res.headers.get('request-id')).toMatch(/^req_[A-Za-z0-9]{14}$/);
    const body = (await res.json()) as { error: { code: string; message: string; type: string } };
    expect(body.error.code).toBe('more_permissions_required');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(
      new RegExp(
        `^Permission denied\\. The provided key 'rk_test_\\*+${key.slice(-6)}' does not have the required permissions for this endpoint on account '${accountId}'\\. Enabling "Customers Write" \\('customer_write'\\) permissions on this key would allow this request to continue\\. You can edit permissions at https://dashboard\\.stripe\\.com/b/${accountId}\\?destination=%2Fapikeys%2Fmk_[A-Za-z0-9]+%2Fedit$`,
      ),
    );

    const err = await failure(sdk(key).balance.retrieve());
    expect(err).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(err.code).toBe('more_permissions_required');
  });

  it('runs every probe: 200 (or 404 for the write probe) when granted, 403 when not', async () => {
    const full = sdk(server.createKey({ type: 'restricted' }));
    const none = sdk(server.createKey({ type: 'restricted', permissions: [] }));
    const probes: Array<(s: Stripe) => Promise<unknown>> = [
      (s) => s.charges.list({ limit: 1 }),
      (s) => s.customers.list({ limit: 1 }),
      (s) => s.balance.retrieve(),
      (s) => s.balanceTransactions.list({ limit: 1 }),
    ];
    for (const probe of probes) {
      await expect(probe(full)).resolves.toBeTruthy();
      expect(await failure(probe(none))).toBeInstanceOf(Stripe.errors.StripePermissionError);
    }
  });

  it('the Customers: Write probe is 404 with write, 403 without, and never creates a customer', async () => {
    const accountId = freshAccount();
    server.seed(accountId, { customers: 2 });
    const writer = server.createKey({ type: 'restricted', accountId, permissions: ['customers_write'] });
    const reader = server.createKey({ type: 'restricted', accountId, permissions: ['customers_read'] });

    const res = await raw(`/v1/customers/${NONEXISTENT_CUSTOMER_ID}`, { key: writer, method: 'POST', body: '' });
    expect(res.status).toBe(404);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(await res.text()).toBe(
      `{\n  "error": {\n    "code": "resource_missing",\n    "doc_url": "https://stripe.com/docs/error-codes/resource-missing",\n    "message": "No such customer: '${NONEXISTENT_CUSTOMER_ID}'",\n    "param": "id",\n    "type": "invalid_request_error"\n  }\n}\n`,
    );

    const notFound = await failure(sdk(writer).customers.update(NONEXISTENT_CUSTOMER_ID, {}));
    expect(notFound).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(notFound.code).toBe('resource_missing');
    expect(notFound.param).toBe('id');

    const denied = await failure(sdk(reader).customers.update(NONEXISTENT_CUSTOMER_ID, {}));
    expect(denied).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(denied.message).toContain("Having the 'rak_customer_write' permission");

    expect(server.store.customers(accountId)).toHaveLength(2);
  });

  it('Customers: Write implies Customers: Read', async () => {
    const key = server.createKey({ type: 'restricted', permissions: ['customers_write'] });
    await expect(sdk(key).customers.list({ limit: 1 })).resolves.toMatchObject({ object: 'list' });
  });

  it('setPermissions changes what a restricted key may do', async () => {
    const key = server.createKey({ type: 'restricted', permissions: [] });
    expect(await failure(sdk(key).balance.retrieve())).toBeInstanceOf(Stripe.errors.StripePermissionError);
    server.setPermissions(key, ['balance_read']);
    await expect(sdk(key).balance.retrieve()).resolves.toMatchObject({ object: 'balance' });
    expect(() => server.setPermissions(server.createKey(), [])).toThrow(/secret/);
  });

  it('checks the permission before the parameters (403, not 400)', async () => {
    const key = server.createKey({ type: 'restricted', permissions: [] });
    const res = await raw('/v1/customers?limit=1000&bogus=1', { key });
    expect(res.status).toBe(403);
  });
});

describe('GET /v1/account', () => {
  it('returns the account to a secret key, without livemode', async () => {
    const accountId = freshAccount();
    const account = await sdk(server.createKey({ accountId })).accounts.retrieveCurrent();
    expect(account).toMatchObject({ id: accountId, object: 'account', charges_enabled: true, type: 'standard' });
    expect(account).not.toHaveProperty('livemode');
  });

  it('refuses a restricted key (403 naming the account) unless it is account-readable', async () => {
    const accountId = freshAccount();
    const err = await failure(sdk(server.createKey({ type: 'restricted', accountId })).accounts.retrieveCurrent());
    expect(err).toBeInstanceOf(Stripe.errors.StripePermissionError);
    expect(err.message).toContain(`on account '${accountId}'`);
    expect(err.message).toContain('This is a restricted API key, but the required permissions are not available for use by restricted keys.');

    const readable = server.createKey({ type: 'restricted', accountId, accountReadable: true });
    await expect(sdk(readable).accounts.retrieveCurrent()).resolves.toMatchObject({ id: accountId });
  });
});

describe('objects and lists', () => {
  it('balance carries livemode from the key mode', async () => {
    expect((await sdk(server.createKey({ mode: 'test' })).balance.retrieve()).livemode).toBe(false);
    expect((await sdk(server.createKey({ mode: 'live' })).balance.retrieve()).livemode).toBe(true);
  });

  it('lists have Stripe\'s shape: object list, url, newest first, default limit 10, realistic ids', async () => {
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

describe('headers', () => {
  it('echoes Stripe-Version and Idempotency-Key, and replays an idempotent POST', async () => {
    const accountId = freshAccount();
    const key = server.createKey({ accountId });
    const res = await raw('/v1/customers', { key, method: 'POST', body: 'name=Once', headers: { 'idempotency-key': 'idem-123', 'stripe-version': '2024-09-30.acacia' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('idempotency-key')).toBe('idem-123');
    expect(res.headers.get('stripe-version')).toBe('2024-09-30.acacia');
    const first = (await res.json()) as { id: string };

    const again = await raw('/v1/customers', { key, method: 'POST', body: 'name=Once', headers: { 'idempotency-key': 'idem-123' } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(first.id);
    expect(server.store.customers(accountId)).toHaveLength(1);

    const changed = await raw('/v1/customers', { key, method: 'POST', body: 'name=Twice', headers: { 'idempotency-key': 'idem-123' } });
    expect(changed.status).toBe(400);
    expect(((await changed.json()) as { error: { type: string } }).error.type).toBe('idempotency_error');

    const viaSdk = await sdk(key).customers.create({ name: 'Sdk' }, { idempotencyKey: 'idem-sdk' });
    expect(viaSdk.lastResponse.idempotencyKey).toBe('idem-sdk');
    expect(viaSdk.lastResponse.apiVersion).toBe(Stripe.API_VERSION);

    const defaulted = await raw('/v1/balance', { key });
    expect(defaulted.headers.get('stripe-version')).toMatch(/^\d{4}-\d{2}-\d{2}\.\w+$/);
  });

  it('records every request for assertions', async () => {
    server.resetRequests();
    const key = server.createKey();
    await sdk(key).customers.list({ limit: 3, email: 'x@example.com' });
    await raw('/v1/customers/cus_missing', { key, method: 'POST', body: 'name=Nope' });
    expect(server.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/v1/customers', 200],
      ['POST', '/v1/customers/cus_missing', 404],
    ]);
    expect(server.requests[0]!.query).toBe('limit=3&email=x%40example.com');
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${key}`);
    expect(server.requests[1]!.body).toBe('name=Nope');
  });
});

describe('faults and latency', () => {
  it('status500: api_error, for `count` requests only, on the given path only', async () => {
    const stripe = sdk(server.createKey());
    server.injectFault({ kind: 'status500', pathPrefix: '/v1/balance', count: 1 });
    await expect(stripe.customers.list()).resolves.toBeTruthy();
    const err = await failure(stripe.balance.retrieve());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.statusCode).toBe(500);
    expect(err.rawType).toBe('api_error');
    expect(err.requestId).toMatch(/^req_/);
    await expect(stripe.balance.retrieve()).resolves.toMatchObject({ object: 'balance' });
  });

  it('status429: rate_limit body and Stripe-Rate-Limited-Reason, until cleared', async () => {
    const stripe = sdk(server.createKey());
    server.injectFault({ kind: 'status429' });
    for (let i = 0; i < 2; i++) {
      const err = await failure(stripe.charges.list());
      expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect(err.code).toBe('rate_limit');
      expect(err.doc_url).toBe('https://stripe.com/docs/error-codes/rate-limit');
      expect(err.headers?.['stripe-rate-limited-reason']).toBe('global-rate');
    }
    server.clearFaults();
    await expect(stripe.charges.list()).resolves.toBeTruthy();
  });

  it('badJson: 200 with a body the SDK cannot parse', async () => {
    server.injectFault({ kind: 'badJson', count: 1 });
    const err = await failure(sdk(server.createKey()).balance.retrieve());
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err.message).toBe('Invalid JSON received from the Stripe API');
  });

  it('reset: the socket is destroyed (the SDK retries that once, even with retries off)', async () => {
    server.resetRequests();
    server.injectFault({ kind: 'reset', pathPrefix: '/v1/balance' });
    const err = await failure(sdk(server.createKey()).balance.retrieve());
    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(server.requests.map((r) => r.status)).toEqual([0, 0]);
  });

  it('hang: never answers, so the SDK times out', async () => {
    server.injectFault({ kind: 'hang', count: 1 });
    const err = await failure(sdk(server.createKey(), { timeout: 300 }).balance.retrieve());
    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect(err.message).toBe('Request aborted due to timeout being reached (300ms)');
  });

  it('latency delays every response', async () => {
    const stripe = sdk(server.createKey());
    server.setLatency(200);
    let started = performance.now();
    await stripe.balance.retrieve();
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    const res = await raw('/v1/balance', { key: 'sk_test_placeholder' });
    expect(res.status).toBe(401);
    server.setLatency(0);
    started = performance.now();
    await stripe.balance.retrieve();
    expect(performance.now() - started).toBeLessThan(150);
  });

  it('close() ends hanging requests and keep-alive sockets promptly', async () => {
    const own = await startStripeServer({ latencyMs: 5 });
    const key = own.createKey();
    const stripe = new Stripe(key, { ...own.sdkConfig, maxNetworkRetries: 0, telemetry: false });
    await stripe.balance.retrieve(); // leaves a keep-alive socket open
    own.injectFault({ kind: 'hang' });
    const hanging = fetch(`${own.url}/v1/balance`, { headers: { authorization: `Bearer ${key}` } }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await hanging).toBeInstanceOf(Error);
    await own.close(); // idempotent
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
