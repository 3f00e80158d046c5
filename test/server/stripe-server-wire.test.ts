/**
 * The Stripe test server on the wire: the response headers api.stripe.com sends, and the faults
 * and latency tests inject to see how callers cope.
 */
import Stripe from 'stripe';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { startStripeServer, type StripeTestServer } from '../stripe-server/index.js';
import { useStripeServer, failure, freshAccount } from './stripe-server-driver.js';

const { server: stripeServer, sdk, raw } = useStripeServer();
let server: StripeTestServer;
beforeAll(() => {
  server = stripeServer();
});

describe('headers', () => {
  it('echoes Stripe-Version and Idempotency-Key, and replays an idempotent POST', async () => {
    const accountId = freshAccount();
    const key = server.createKey({ accountId });
    const res = await raw('/v1/customers', {
      key,
      method: 'POST',
      body: 'name=Once',
      headers: { 'idempotency-key': 'idem-123', 'stripe-version': '2024-09-30.acacia' },
    });
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
    await vi.waitFor(() => expect(own.requests).toHaveLength(2)); // the hanging request has arrived
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(await hanging).toBeInstanceOf(Error);
    await own.close(); // idempotent
  });
});
