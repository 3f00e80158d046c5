/**
 * The Stripe test server, as the SDK and raw fetch see it: who may call it — keys, 401s, 403s in
 * both of Stripe's wordings, and GET /v1/account. It has to look like api.stripe.com on the wire
 * for the other tests to mean anything.
 */
import Stripe from 'stripe';
import { beforeAll, describe, expect, it } from 'vitest';
import { NONEXISTENT_CUSTOMER_ID } from '../../shared/permissions.js';
import type { StripeTestServer } from '../stripe-server/index.js';
import { useStripeServer, failure, freshAccount } from './stripe-server-driver.js';

const { server: stripeServer, sdk, raw } = useStripeServer();
let server: StripeTestServer;
beforeAll(() => {
  server = stripeServer();
});

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
    expect(text).toBe('{\n  "error": {\n    "message": "Invalid API Key provided: sk_test_*******lder",\n    "type": "invalid_request_error"\n  }\n}\n');
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

describe('Manage IP restrictions (401 from an address not on the list)', () => {
  it('refuses a key limited to other addresses on every endpoint, as StripeAuthenticationError, until loopback is allowed', async () => {
    const key = server.createKey({ type: 'restricted', allowedIps: ['203.0.113.7', '198.51.100.0/24'] });
    for (const call of [sdk(key).accounts.retrieveCurrent(), sdk(key).charges.list({ limit: 1 }), sdk(key).customers.update(NONEXISTENT_CUSTOMER_ID, {})]) {
      const err = await failure(call);
      expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect(err.statusCode).toBe(401);
      expect(err.code).toBeUndefined();
      expect(err.rawType).toBe('invalid_request_error');
      expect(err.message).toBe('The API key provided does not allow requests from your IP address.');
    }
    const res = await raw('/v1/balance', { key });
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="Stripe"');
    expect(await res.text()).toBe(
      '{\n  "error": {\n    "message": "The API key provided does not allow requests from your IP address.",\n    "type": "invalid_request_error"\n  }\n}\n',
    );

    server.setAllowedIps(key, ['203.0.113.7', '127.0.0.0/8']);
    await expect(sdk(key).balance.retrieve()).resolves.toMatchObject({ object: 'balance' });
    server.setAllowedIps(key, null);
    await expect(sdk(key).charges.list({ limit: 1 })).resolves.toMatchObject({ object: 'list' });
  });

  it('still answers an unknown key as unknown, and an expired one as expired, before looking at the address', async () => {
    const expired = server.createKey({ expired: true, allowedIps: ['203.0.113.7'] });
    expect((await failure(sdk(expired).balance.retrieve())).code).toBe('api_key_expired');
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
