/**
 * A stored key over time, through the real API, the real SDK and the test Stripe: the same key
 * connected twice, a key replaced, re-checks that notice a deleted key or a permission granted
 * since, and removal destroying the sealed key.
 */
import { describe, expect, it } from 'vitest';
import { PERMISSION_IDS } from '../../shared/permissions.js';
import { appId, connect, h, key, useKeyWorld } from './key-world.js';

useKeyWorld();

describe('the same key connected twice', () => {
  it('is stored, with a key_reused warning naming the other application', async () => {
    const k = key();
    const firstId = await h.createApplication('Payments EU');
    await connect(k, firstId);
    const res = await connect(k);
    expect(res.status).toBe(200);
    const reused = res.body.validation.warnings.find((w: any) => w.code === 'key_reused');
    expect(reused.message).toContain('Payments EU');
    expect(reused.message).toContain(firstId);
  });
});

describe('replacing, re-checking and removing', () => {
  it('a new key replaces the stored one and the audit says so, with masked keys only', async () => {
    const first = key();
    const second = key({ type: 'secret' });
    await connect(first);
    const res = await connect(second);
    expect(res.body.integration.keyType).toBe('secret');
    const events = (await h.get('/api/audit?limit=5')).body.events;
    expect(events[0]).toMatchObject({ action: 'integration.replaced', applicationId: appId });
    expect(events[0].detail).toMatchObject({ maskedKey: `sk_test_…${second.slice(-4)}`, previousMaskedKey: `rk_test_…${first.slice(-4)}` });
    expect(typeof events[0].deviceId).toBe('string');
  });

  it('a re-check notices a deleted key: status invalid, lastError set, audit event', async () => {
    const k = key();
    await connect(k);
    h.stripe.deleteKey(k);
    const res = await h.post(`/api/applications/${appId}/integrations/stripe/validate`);
    expect(res.status).toBe(200);
    expect(res.body.validation.valid).toBe(false);
    expect(res.body.integration).toMatchObject({ status: 'invalid', lastError: { code: 'invalid_api_key' } });
    const events = (await h.get('/api/audit?limit=1')).body.events;
    expect(events[0]).toMatchObject({ action: 'integration.status_changed', detail: { from: 'connected', to: 'invalid' } });
  });

  it('a re-check notices a permission granted since: missing_permissions → connected', async () => {
    const k = key({ type: 'restricted', permissions: ['charges_read'] });
    await connect(k);
    h.stripe.setPermissions(k, [...PERMISSION_IDS]);
    const res = await h.post(`/api/applications/${appId}/integrations/stripe/validate`);
    expect(res.body.integration).toMatchObject({ status: 'connected', missingPermissions: [] });
  });

  it('DELETE destroys the sealed key', async () => {
    await connect(key());
    expect((await h.del(`/api/applications/${appId}/integrations/stripe`)).status).toBe(204);
    expect((await h.get(`/api/applications/${appId}/integrations/stripe`)).status).toBe(404);
    expect(await h.runtime.repos.integrations.get(appId)).toBeUndefined();
    expect((await h.del(`/api/applications/${appId}/integrations/stripe`)).status).toBe(404);
  });

  it('deleting the application destroys its sealed key too', async () => {
    await connect(key());
    expect((await h.del(`/api/applications/${appId}`)).status).toBe(204);
    expect(await h.runtime.repos.integrations.get(appId)).toBeUndefined();
    expect((await h.get(`/api/applications/${appId}`)).status).toBe(404);
  });
});
