/**
 * An application's environment changed while Stripe was checking a key: the check started against
 * an application without a declared environment, and a PATCH made it `live` before the answer
 * came. The write reads the environment again under the application's row lock, so the test key
 * is refused (422 mode_mismatch) and nothing is stored — for PUT and for POST /api/stripe/rotate.
 * Stripe holds its answers until the PATCH is done. On both databases, one backend for the file.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHarness, type ApiResponse, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.pair(); // Owner, an admin: may change an environment
});
afterAll(() => h?.close());

const ACCOUNT = 'acct_1EnvRaceAAAAAAAA';
const app = async (name: string) => (await h.post('/api/applications', { name })).body.application.id as string;
const put = (id: string, apiKey: string) => h.put(`/api/applications/${id}/integrations/stripe`, { apiKey });
const stored = async (id: string) => (await h.runtime.integrations.openKey(id)).apiKey;
const auditIds = async () => (await h.get('/api/audit?limit=200')).body.events.map((e: any) => `${e.action} ${e.applicationId}`) as string[];

/**
 * Sends `request` with Stripe holding its answers; once Stripe has the key (the check is under
 * way, past the look at the environment made before it), PATCHes `applicationId` to live, then lets
 * Stripe answer.
 */
async function withEnvironmentChangedDuringCheck(key: string, applicationId: string, request: () => Promise<ApiResponse>) {
  const release = h.stripe.hold();
  try {
    const answer = request();
    await vi.waitFor(() => expect(h.stripe.requests.some((r) => r.headers.authorization === `Bearer ${key}`)).toBe(true));
    const patched = await h.patch(`/api/applications/${applicationId}`, { environment: 'live' });
    expect(patched.status).toBe(200);
    release();
    return await answer;
  } finally {
    release();
  }
}

describe('an environment changed to live while Stripe checks a test key', () => {
  it('PUT: 422 mode_mismatch, the old key stays, no integration event; the server still answers', async () => {
    const id = await app('Payouts');
    const old = h.stripe.createKey({ accountId: ACCOUNT, type: 'restricted' });
    expect((await put(id, old)).status).toBe(200);
    const before = await auditIds();

    const fresh = h.stripe.createKey({ accountId: ACCOUNT, type: 'restricted' });
    const res = await withEnvironmentChangedDuringCheck(fresh, id, () => put(id, fresh));

    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'mode_mismatch', message: expect.stringContaining('declared live') });
    expect(await stored(id)).toBe(old);
    expect((await h.get(`/api/applications/${id}`)).body.application).toMatchObject({
      environment: 'live',
      stripe: { maskedKey: `rk_test_…${old.slice(-4)}` },
    });
    expect(await auditIds()).toEqual([`application.environment_changed ${id}`, ...before]);
    expect((await h.get('/api/health', { token: null })).status).toBe(200);
    // A live key, which the environment now asks for, is taken.
    expect((await put(id, h.stripe.createKey({ accountId: ACCOUNT, mode: 'live', type: 'restricted' }))).status).toBe(200);
    await h.assertNeverExposed([fresh]);
  });

  it('rotate: 422 mode_mismatch for one application changes none of them; the server still answers', async () => {
    const [x, y] = [await app('X'), await app('Y')];
    const old = h.stripe.createKey({ accountId: ACCOUNT, type: 'restricted' });
    for (const id of [x, y]) expect((await put(id, old)).status).toBe(200);
    const before = await auditIds();

    const fresh = h.stripe.createKey({ accountId: ACCOUNT, type: 'restricted' });
    const res = await withEnvironmentChangedDuringCheck(fresh, y, () => h.post('/api/stripe/rotate', { apiKey: fresh, applicationIds: [x, y] }));

    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'mode_mismatch', message: expect.stringContaining('"Y" is declared live') });
    expect([await stored(x), await stored(y)]).toEqual([old, old]); // X, checked first, was rolled back with Y
    expect(await auditIds()).toEqual([`application.environment_changed ${y}`, ...before]);
    expect((await h.get('/api/health', { token: null })).status).toBe(200);
    const retried = await h.post('/api/stripe/rotate', { apiKey: fresh, applicationIds: [x] });
    expect(retried.status).toBe(200);
    expect(await stored(x)).toBe(fresh);
  });
});
