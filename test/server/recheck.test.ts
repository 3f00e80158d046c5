/** Stored keys are re-checked on a schedule, so a deleted key shows as invalid before a workflow fails. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('the re-check schedule', () => {
  it('marks a deleted key invalid with an audit event, and leaves keys alone while Stripe is down', async () => {
    h = await startHarness({ env: { SERVAL_RECHECK_INTERVAL_MINUTES: '0.005' } }); // 300 ms
    await h.pair();
    const up = await h.createApplication('Still fine');
    const gone = await h.createApplication('Key deleted');
    const goodKey = h.stripe.createKey({ type: 'restricted' });
    const deletedKey = h.stripe.createKey({ type: 'restricted' });
    await h.put(`/api/applications/${up}/integrations/stripe`, { apiKey: goodKey });
    await h.put(`/api/applications/${gone}/integrations/stripe`, { apiKey: deletedKey });

    h.stripe.injectFault({ kind: 'status500' });
    h.stripe.deleteKey(goodKey); // would be invalid — but Stripe is "down", so nothing may change
    const from = h.logLines.length;
    const skipped = (id: string) => h!.logLines.slice(from).some((l) => l.includes('scheduled re-check skipped') && l.includes(id));
    await vi.waitFor(() => expect([skipped(up), skipped(gone)]).toEqual([true, true]), { timeout: 5000 });
    expect((await h.runtime.repos.integrations.get(up))?.status).toBe('connected');

    h.stripe.clearFaults();
    h.stripe.deleteKey(deletedKey);
    await vi.waitFor(async () => expect((await h!.runtime.repos.integrations.get(gone))?.status).toBe('invalid'), { timeout: 5000 });
    const events = (await h.get('/api/audit')).body.events;
    const change = events.find((e: any) => e.action === 'integration.status_changed' && e.applicationId === gone);
    expect(change).toMatchObject({ deviceId: null, detail: { from: 'connected', to: 'invalid', reason: 'scheduled re-check' } });
    expect((await h.get('/api/status')).body.integrations.needsAttention).toBeGreaterThanOrEqual(1);
  });
});
