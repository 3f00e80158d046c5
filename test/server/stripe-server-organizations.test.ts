/**
 * The Stripe test server's organizations, sandboxes and rotations, as the SDK and the wire see
 * them (the sources are named in test/stripe-server/organizations.ts and keys.ts): an organization
 * key acts on the account its Stripe-Context names, in that account's mode, and on no other; a
 * sandbox is an account with a name; a key rotated with an Expiration works until then.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { StripeTestServer } from '../stripe-server/index.js';
import { failure, useStripeServer } from './stripe-server-driver.js';

const { server: stripeServer, sdk, raw } = useStripeServer();
let server: StripeTestServer;
let sandbox: string;
let live: string;
let orgKey: string;
beforeAll(() => {
  server = stripeServer();
  sandbox = server.createAccount({ name: 'Sandbox Checkout' });
  live = server.createAccount({ name: 'Serval Live', sandbox: false });
  orgKey = server.createKey({ type: 'organization', organization: server.createOrganization([sandbox, live]) });
});

describe('organization keys', () => {
  it('are sk_org_ keys that act on the account Stripe-Context names, in its mode, with its name', async () => {
    expect(orgKey).toMatch(/^sk_org_[A-Za-z0-9]{99}$/);
    const inSandbox = sdk(orgKey, { stripeContext: sandbox });
    const account = await inSandbox.accounts.retrieveCurrent();
    expect(account).toMatchObject({
      id: sandbox,
      settings: { dashboard: { display_name: 'Sandbox Checkout' } },
      business_profile: { name: 'Sandbox Checkout' },
    });
    expect((await inSandbox.balance.retrieve()).livemode).toBe(false);
    expect((await sdk(orgKey, { stripeContext: live }).balance.retrieve()).livemode).toBe(true);
    expect(server.requests.at(-1)).toMatchObject({ accountId: live, headers: { 'stripe-context': live } });
  });

  it('an account outside the organization: 403 account_invalid, worded as Stripe words it', async () => {
    const stranger = server.createAccount({ name: 'Elsewhere' });
    const error = await failure(sdk(orgKey, { stripeContext: stranger }).balance.retrieve());
    expect(error).toMatchObject({ type: 'StripePermissionError', statusCode: 403, code: 'account_invalid' });
    const body = (await (await raw('/v1/balance', { key: orgKey, headers: { 'stripe-context': stranger, 'stripe-version': '2026-10-28.endive' } })).json()) as {
      error: unknown;
    };
    expect(body.error).toEqual({
      code: 'account_invalid',
      doc_url: 'https://stripe.com/docs/error-codes/account-invalid',
      message: `The provided key '${orgKey.slice(0, 8)}${'*'.repeat(orgKey.length - 14)}${orgKey.slice(-6)}' does not have access to account '${stranger}' (or that account does not exist). Application access may have been revoked.`,
      type: 'invalid_request_error',
    });
  });

  it('without Stripe-Context, or without Stripe-Version, it is refused', async () => {
    expect((await raw('/v1/balance', { key: orgKey, headers: { 'stripe-version': '2026-10-28.endive' } })).status).toBe(400);
    expect((await raw('/v1/balance', { key: orgKey, headers: { 'stripe-context': sandbox } })).status).toBe(400);
    expect((await failure(sdk(orgKey).balance.retrieve())).statusCode).toBe(400);
  });

  it('may be limited to some permissions, like a restricted key', async () => {
    const limited = server.createKey({ type: 'organization', organization: server.createOrganization([sandbox]), permissions: ['balance_read'] });
    const stripe = sdk(limited, { stripeContext: sandbox });
    expect((await stripe.balance.retrieve()).object).toBe('balance');
    expect((await failure(stripe.customers.list({ limit: 1 }))).statusCode).toBe(403);
    expect((await failure(stripe.accounts.retrieveCurrent())).statusCode).toBe(403);
  });
});

describe('sandboxes and claimable sandboxes', () => {
  it('each sandbox is an account of its own, named; a claimable one’s restricted key is rkcs_test_', async () => {
    const other = server.createAccount({ name: 'Sandbox Billing' });
    const key = server.createKey({ accountId: other });
    expect((await sdk(key).accounts.retrieveCurrent()).settings?.dashboard.display_name).toBe('Sandbox Billing');
    const claimable = server.createKey({ type: 'restricted', claimable: true, accountId: other });
    expect(claimable).toMatch(/^rkcs_test_51[A-Za-z0-9]{97}$/);
    expect((await sdk(claimable).balance.retrieve()).livemode).toBe(false);
    expect(() => server.createKey({ type: 'restricted', claimable: true, mode: 'live' })).toThrow();
  });
});

describe('rotation with an Expiration', () => {
  it('the old key keeps working until then; with Now it is expired at once (401 api_key_expired); the new key works', async () => {
    const old = server.createKey({ type: 'restricted' });
    const next = server.rotateKey(old, { expiresAt: new Date(Date.now() + 3600_000) });
    expect(next).not.toBe(old);
    expect((await sdk(old).balance.retrieve()).object).toBe('balance');
    expect((await sdk(next).balance.retrieve()).object).toBe('balance');

    const gone = server.createKey({ type: 'restricted' });
    const replacement = server.rotateKey(gone, { expiresAt: new Date() });
    expect(await failure(sdk(gone).balance.retrieve())).toMatchObject({ statusCode: 401, code: 'api_key_expired' });
    expect((await sdk(replacement).balance.retrieve()).object).toBe('balance');
  });
});
