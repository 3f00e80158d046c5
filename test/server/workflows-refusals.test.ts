/**
 * Stripe refusing a workflow request: every mapping to our errors, and the change it makes to the
 * integration (once, audited) — or, for an outage or a rate limit, that it changes nothing.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { permissionForScope } from '../../shared/permissions.js';
import { workflowFailure } from '../../server/workflows/errors.js';
import type { Harness } from './harness.js';
import { useWorkflowBackend } from './workflow-backend.js';

const { backend, usedKeys, connectedApp, integrationOf, auditFor, statusChanges } = useWorkflowBackend();
let h: Harness;
beforeAll(() => {
  h = backend();
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
      expect(integration).toMatchObject({
        status: 'missing_permissions',
        missingPermissions: ['customers_write'],
        lastError: { code: 'stripe_permission_denied' },
      });
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
      {
        kind: 'permission',
        message: "… Having the 'rak_balance_read' permission would allow this request to continue.",
        accountId: null,
        scope: 'rak_balance_read',
      },
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
    // Stripe has the workflow request in hand, made with the old key, and answers it only once the
    // key is deleted and replaced: its refusal reaches the backend after the replacement.
    const release = h.stripe.hold((r) => r.headers.authorization === `Bearer ${app.key}`);
    const pending = h.get(`${app.base}/charges`);
    await vi.waitFor(() => expect(h.stripe.requests.some((r) => r.path === '/v1/charges')).toBe(true));
    h.stripe.deleteKey(app.key);
    const fresh = h.stripe.createKey({ type: 'restricted', accountId: app.accountId });
    usedKeys.push(fresh);
    expect((await h.put(`/api/applications/${app.appId}/integrations/stripe`, { apiKey: fresh })).status).toBe(200);
    release();

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
