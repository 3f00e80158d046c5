/**
 * Every way a key can turn out — malformed, publishable, unknown, expired, short of permissions,
 * Stripe down or rate-limited — and the API's answer to each, through the real API, the
 * real SDK and the test Stripe.
 */
import { describe, expect, it } from 'vitest';
import { PERMISSION_IDS } from '../../shared/permissions.js';
import { startHarness } from './harness.js';
import { appId, connect, h, integration, key, useKeyWorld } from './key-world.js';

useKeyWorld();

describe('keys Serval accepts', () => {
  it('a restricted test key with all five permissions is stored as connected', async () => {
    const k = key({ type: 'restricted', mode: 'test' });
    const res = await connect(k);
    expect(res.status).toBe(200);
    const { integration: i, validation: v } = res.body;
    expect(i).toMatchObject({
      applicationId: appId,
      provider: 'stripe',
      keyType: 'restricted',
      mode: 'test',
      status: 'connected',
      source: 'extension',
      missingPermissions: [],
      lastError: null,
    });
    expect(i.maskedKey).toBe(`rk_test_…${k.slice(-4)}`);
    expect(Object.values(i.permissions)).toEqual(PERMISSION_IDS.map(() => true));
    expect(v).toMatchObject({ valid: true, keyType: 'restricted', mode: 'test', missingPermissions: [] });
    expect(v.warnings).toEqual([]);
    expect(i.accountId).toMatch(/^acct_/); // from the 403 on /v1/account, which names the account
    expect((await integration()).integration).toEqual(i);
  });

  it('a secret key is stored with a warning recommending a restricted key, and its account id', async () => {
    const res = await connect(key({ type: 'secret' }));
    expect(res.status).toBe(200);
    expect(res.body.integration).toMatchObject({ keyType: 'secret', status: 'connected' });
    expect(res.body.integration.accountId).toMatch(/^acct_/);
    expect(res.body.validation.warnings.map((w: any) => w.code)).toEqual(['secret_key_full_access']);
  });

  it('a live key is stored with a live_mode warning', async () => {
    const res = await connect(key({ type: 'restricted', mode: 'live' }));
    expect(res.status).toBe(200);
    expect(res.body.integration.mode).toBe('live');
    expect(res.body.validation.warnings.map((w: any) => w.code)).toContain('live_mode');
  });

  it('a legacy 24-character key works like a current one', async () => {
    const k = key({ type: 'secret', legacy: true });
    expect(k).toHaveLength(32);
    expect((await connect(k)).status).toBe(200);
  });

  it('whitespace around a pasted key is trimmed', async () => {
    const k = key();
    const res = await connect(`  ${k}\n`);
    expect(res.status).toBe(200);
    expect(res.body.integration.maskedKey).toBe(`rk_test_…${k.slice(-4)}`);
  });
});

describe('a restricted key missing permissions', () => {
  for (const wording of ['A', 'B'] as const) {
    it(`is stored as missing_permissions, listing them with the fix (403 wording ${wording})`, async () => {
      h.stripe.permissionWording = wording;
      const res = await connect(key({ type: 'restricted', permissions: ['charges_read', 'customers_read', 'balance_transactions_read'] }));
      expect(res.status).toBe(200);
      expect(res.body.integration.status).toBe('missing_permissions');
      expect(res.body.integration.missingPermissions).toEqual(['customers_write', 'balance_read']);
      expect(res.body.integration.permissions).toEqual({
        charges_read: true,
        customers_read: true,
        customers_write: false,
        balance_read: false,
        balance_transactions_read: true,
      });
      const warning = res.body.validation.warnings.find((w: any) => w.code === 'missing_permissions');
      expect(warning.message).toContain('Customers: Write');
      expect(warning.message).toContain('Balance: Read');
      expect(warning.message).toContain('https://dashboard.stripe.com/test/apikeys/create?name=Serval&permissions[]=rak_charge_read');
      expect(res.body.integration.accountId).toMatch(/^acct_/);
    });
  }

  it('a restricted key missing Balance: Read is stored and reported as missing_permissions', async () => {
    const res = await connect(key({ type: 'restricted', permissions: PERMISSION_IDS.filter((p) => p !== 'balance_read') }));
    expect(res.body.integration).toMatchObject({ status: 'missing_permissions', missingPermissions: ['balance_read'] });
  });

  it('the Customers: Write probe never creates a customer and never POSTs /v1/customers', async () => {
    const k = key({ type: 'secret' });
    const accountId = (await connect(k)).body.integration.accountId;
    await connect(key({ type: 'restricted', permissions: ['customers_read'], accountId }));
    expect(h.stripe.store.customers(accountId)).toHaveLength(0);
    const posts = h.stripe.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(0);
    for (const p of posts) expect(p.path).toMatch(/^\/v1\/customers\/cus_/);
  });
});

describe('keys Serval refuses (422), storing nothing', () => {
  it('malformed keys never reach Stripe', async () => {
    for (const bad of [
      'hello',
      'sk_test_short',
      'sk_test_4eC39HqLyjWD arjtT1zdp7dc',
      'sk_test_4eC39HqLyjWD\narjtT1zdp7dc',
      'whsec_abcdefghijklmnopqrstuvwxyz0123',
    ]) {
      const res = await connect(bad);
      expect(res.status, bad).toBe(422);
      expect(res.body.error.code).toBe('malformed_key');
      expect(res.body.error.hint).toContain('starts with sk_');
    }
    expect(h.stripe.requests).toHaveLength(0);
    expect((await h.get(`/api/applications/${appId}/integrations/stripe`)).status).toBe(404);
  });

  it('a publishable key is refused with its own code and never reaches Stripe', async () => {
    const res = await connect(`pk_test_${'a'.repeat(99)}`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('publishable_key');
    expect(h.stripe.requests).toHaveLength(0);
  });

  it('an unknown key gets invalid_api_key with the guide hint', async () => {
    const res = await connect(`rk_test_${'Z'.repeat(99)}`);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'invalid_api_key' });
    expect(res.body.error.hint).toMatch(/deleted or rotated/);
    expect(res.body.error.hint).toMatch(/test vs live/);
  });

  it('a deleted (or rolled) key gets invalid_api_key', async () => {
    const k = key();
    h.stripe.deleteKey(k);
    expect((await connect(k)).body.error.code).toBe('invalid_api_key');
  });

  it('an expired key gets expired_api_key', async () => {
    const k = key();
    h.stripe.expireKey(k);
    const res = await connect(k);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('expired_api_key');
  });

  it('a refused key leaves the existing integration exactly as it was', async () => {
    await connect(key({ type: 'restricted' }));
    const before = await integration();
    const bad = key();
    h.stripe.deleteKey(bad);
    expect((await connect(bad)).status).toBe(422);
    expect((await connect(`pk_live_${'b'.repeat(99)}`)).status).toBe(422);
    expect(await integration()).toEqual(before);
  });
});

describe('when Stripe cannot answer, nothing is stored and nothing is marked invalid', () => {
  const cases = [
    { name: 'a 500', fault: { kind: 'status500' as const }, status: 502, code: 'stripe_unavailable' },
    { name: 'a hang (timeout)', fault: { kind: 'hang' as const }, status: 502, code: 'stripe_unavailable' },
    { name: 'a reset connection', fault: { kind: 'reset' as const }, status: 502, code: 'stripe_unavailable' },
    { name: 'a body that is not JSON', fault: { kind: 'badJson' as const }, status: 502, code: 'stripe_unavailable' },
    { name: 'a rate limit', fault: { kind: 'status429' as const }, status: 503, code: 'stripe_rate_limited' },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const existingKey = key();
      await connect(existingKey);
      const before = await integration();
      h.stripe.injectFault({ ...c.fault, pathPrefix: '/v1/balance' });
      const res = await connect(key({ type: 'secret' }));
      expect(res.status).toBe(c.status);
      expect(res.body.error.code).toBe(c.code);
      if (c.status === 503) expect(Number(res.headers.get('Retry-After'))).toBeGreaterThan(0);
      expect(await integration()).toEqual(before);

      // A re-check during the outage leaves the stored key as it was, too.
      const recheck = await h.post(`/api/applications/${appId}/integrations/stripe/validate`);
      expect(recheck.status).toBe(c.status);
      expect(await integration()).toEqual(before);
      h.stripe.clearFaults();
    });
  }

  it('Stripe not listening at all → 502', async () => {
    const other = await startHarness({ env: { STRIPE_API_BASE: 'http://127.0.0.1:9' } });
    await other.pair();
    const id = await other.createApplication();
    const res = await other.put(`/api/applications/${id}/integrations/stripe`, { apiKey: key() });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('stripe_unavailable');
    expect((await other.get(`/api/applications/${id}/integrations/stripe`)).status).toBe(404);
    await other.close();
  });
});

describe('POST /api/stripe/validate (dry run)', () => {
  it('checks a key without storing anything', async () => {
    const res = await h.post('/api/stripe/validate', { apiKey: key({ type: 'restricted', permissions: ['balance_read'] }) });
    expect(res.status).toBe(200);
    expect(res.body.validation).toMatchObject({
      valid: true,
      keyType: 'restricted',
      missingPermissions: ['charges_read', 'customers_read', 'customers_write', 'balance_transactions_read'],
    });
    expect(await h.runtime.repos.integrations.get(appId)).toBeUndefined();
  });

  it('refuses like PUT does', async () => {
    expect((await h.post('/api/stripe/validate', { apiKey: `pk_test_${'c'.repeat(24)}` })).body.error.code).toBe('publishable_key');
    const expired = key();
    h.stripe.expireKey(expired);
    expect((await h.post('/api/stripe/validate', { apiKey: expired })).body.error.code).toBe('expired_api_key');
  });
});

describe('how the checks reach Stripe', () => {
  it('six requests: the account and the five probes', async () => {
    await connect(key());
    const paths = h.stripe.requests.map((r) => `${r.method} ${r.path}`).sort();
    expect(paths).toEqual(
      [
        'GET /v1/account',
        'GET /v1/balance',
        'GET /v1/balance_transactions',
        'GET /v1/charges',
        'GET /v1/customers',
        'POST /v1/customers/cus_servalprobe0doesnotexist',
      ].sort(),
    );
    for (const r of h.stripe.requests) expect(r.headers.authorization).toMatch(/^Bearer rk_test_/);
  });
});
