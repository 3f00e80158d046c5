/**
 * What a workflow request uses: the application's current stored key — none, a replaced one or a
 * removed one — through one Stripe client per stored key.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Harness } from './harness.js';
import { useWorkflowBackend } from './workflow-backend.js';

const { backend, usedKeys, connectedApp } = useWorkflowBackend();
let h: Harness;
beforeAll(() => {
  h = backend();
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
    expect(usedKeys.length).toBeGreaterThan(0);
    await h.assertNeverExposed(usedKeys);
  });
});
