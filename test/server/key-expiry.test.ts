/**
 * The Rotate dialog's Expiration, on both databases. A key rotated in the Stripe Dashboard keeps
 * working until the Expiration chosen there (Now … 7 days; the test Stripe server's rotateKey does
 * the same): the Send of the new key says when (`previousKeyExpiresAt`), the other applications
 * still holding the old key learn it (`keyExpiresAt`, audited, counted as expiring soon, one alert
 * each), and the answer names them — or says they have lost their key, with Now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.pair();
});
afterAll(() => h?.close());

const app = async (name: string) => (await h.post('/api/applications', { name })).body.application.id as string;
const put = (id: string, body: Record<string, unknown>) => h.put(`/api/applications/${id}/integrations/stripe`, body);
const stripeOf = async (id: string) => (await h.get(`/api/applications/${id}`)).body.application.stripe;
const expiringSoon = async () => (await h.get('/api/status')).body.integrations.expiringSoon as number;

/** Three applications holding one key, rotated in Stripe with this Expiration: the new key. */
async function rotatedInStripe(names: string[], expiresAt: Date) {
  const ids = [];
  for (const name of names) ids.push(await app(name));
  const old = h.stripe.createKey({ type: 'restricted' });
  for (const id of ids) expect((await put(id, { apiKey: old })).status).toBe(200);
  return { ids, old, next: h.stripe.rotateKey(old, { expiresAt }) };
}

describe('previousKeyExpiresAt', () => {
  it('24 hours: the applications still holding the old key get keyExpiresAt, are counted, audited and alerted once; Also update clears it', async () => {
    const before = await expiringSoon();
    const expiresAt = new Date(Date.now() + 24 * 3600_000);
    const { ids, next } = await rotatedInStripe(['Checkout', 'Invoices', 'Refunds'], expiresAt);
    const [checkout, invoices, refunds] = ids as [string, string, string];

    const sent = await put(checkout, { apiKey: next, source: 'extension', previousKeyExpiresAt: expiresAt.toISOString() });
    expect(sent.status).toBe(200);
    const warning = sent.body.validation.warnings.find((w: any) => w.code === 'previous_key_expiring');
    expect(warning.message).toBe('The old key stops working in 23 h; 2 applications ("Invoices", "Refunds") still hold it. Update them with this key too.');
    expect(warning.details).toEqual({
      expiresAt: expiresAt.toISOString(),
      expired: false,
      applications: [
        { id: invoices, name: 'Invoices', maskedKey: expect.stringMatching(/^rk_test_…/) },
        { id: refunds, name: 'Refunds', maskedKey: expect.stringMatching(/^rk_test_…/) },
      ],
    });
    expect(sent.body.integration.keyExpiresAt).toBeNull();
    expect((await stripeOf(invoices)).keyExpiresAt).toBe(expiresAt.toISOString());
    expect(await expiringSoon()).toBe(before + 2);
    const audited = (await h.get('/api/audit')).body.events.filter((e: any) => e.action === 'integration.key_expiry_set');
    expect(audited.map((e: any) => e.applicationId).sort()).toEqual([invoices, refunds].sort());

    // Found by looking, once per key however often anyone looks.
    expect(await h.runtime.alerts.scanKeyExpiring()).toBe(2);
    expect(await h.runtime.alerts.scanKeyExpiring()).toBe(0);
    const alerts = await h.sql<{ payload: string }>('select payload from alert_events where type = ?', ['integration.key_expiring']);
    const payloads = alerts.map((r) => JSON.parse(r.payload)).filter((p) => [invoices, refunds].includes(p.application.id));
    expect(payloads).toHaveLength(2);
    expect(payloads[0].integration.keyExpiresAt).toBe(expiresAt.toISOString());

    // Until then the old key works (a re-check finds nothing wrong); the new key, sent to Invoices, clears its expiry.
    expect((await h.post(`/api/applications/${refunds}/integrations/stripe/validate`)).body.integration.status).toBe('connected');
    expect((await put(invoices, { apiKey: next })).body.integration.keyExpiresAt).toBeNull();
    expect(await expiringSoon()).toBe(before + 1);
  });

  it('Now, on a rotation: the applications left with the old key have lost it, and Stripe says so on their next re-check', async () => {
    const now = new Date();
    const { ids, next } = await rotatedInStripe(['Payroll', 'Payroll EU', 'Payroll US'], now);
    const [payroll, eu, us] = ids as [string, string, string];
    const rotated = await h.post('/api/stripe/rotate', { apiKey: next, applicationIds: [payroll, eu], previousKeyExpiresAt: now.toISOString() });
    expect(rotated.status).toBe(200);
    const warning = rotated.body.validation.warnings.find((w: any) => w.code === 'previous_key_expiring');
    expect(warning).toMatchObject({
      message: 'The key this one replaced stopped working when it was rotated: 1 application ("Payroll US") has lost its key. Update it with this key.',
      details: { expired: true, applications: [{ id: us, name: 'Payroll US' }] },
    });
    expect((await stripeOf(us)).keyExpiresAt).toBe(now.toISOString());
    expect((await stripeOf(eu)).keyExpiresAt).toBeNull();
    const counts = async () => {
      const { expiringSoon, needsAttention } = (await h.get('/api/status')).body.integrations;
      return { expiringSoon, needsAttention };
    };
    const before = await counts();
    const rechecked = await h.post(`/api/applications/${us}/integrations/stripe/validate`);
    expect(rechecked.body.integration).toMatchObject({ status: 'invalid', lastError: { code: 'expired_api_key' } });
    // Found broken, the key counts as needing attention, and no longer as expiring: once, not twice.
    expect(await counts()).toEqual({ expiringSoon: before.expiringSoon - 1, needsAttention: before.needsAttention + 1 });
  });

  it('in the past or more than 7 days ahead is 400 key_expiry_out_of_range, before Stripe is asked, and nothing changes', async () => {
    const { ids, next } = await rotatedInStripe(['Ledger', 'Ledger copy'], new Date(Date.now() + 3600_000));
    const [ledger, copy] = ids as [string, string];
    const storedBefore = await stripeOf(ledger);
    h.stripe.resetRequests();
    const hour = 3600_000;
    for (const at of [new Date(Date.now() - hour), new Date(Date.now() + 7 * 24 * hour + hour)]) {
      for (const res of [
        await put(ledger, { apiKey: next, previousKeyExpiresAt: at.toISOString() }),
        await h.post('/api/stripe/rotate', { apiKey: next, applicationIds: [ledger], previousKeyExpiresAt: at.toISOString() }),
      ]) {
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'key_expiry_out_of_range', hint: expect.stringContaining('7 days') });
      }
    }
    expect((await put(ledger, { apiKey: next, previousKeyExpiresAt: 'tomorrow' })).body.error.code).toBe('validation_failed');
    expect(h.stripe.requests).toEqual([]);
    expect(await stripeOf(ledger)).toEqual(storedBefore);
    expect((await stripeOf(copy)).keyExpiresAt).toBeNull();
  });
});
