/**
 * Honest check outcomes: a key refused for this backend's address is neither invalid nor missing
 * permissions, and a scheduled re-check that hears nothing from Stripe (429, 5xx, no connection)
 * keeps the last verdict and tries again later — not before Retry-After. Only a 401 makes a stored
 * key invalid. The real API, the real SDK and the test Stripe server, on both databases.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryLogger } from '../../server/logger.js';
import { startRecheckSchedule } from '../../server/recheck-schedule.js';
import type { Harness } from './harness.js';
import { useWorkflowBackend } from './workflow-backend.js';

const { backend, usedKeys, connectedApp, integrationOf, statusChanges } = useWorkflowBackend();
let h: Harness;
beforeAll(() => {
  h = backend();
});

const HINT = "In Stripe → API keys → ⋯ → Manage IP restrictions, allow this backend's address";
const ELSEWHERE = ['203.0.113.7']; // an address the test server's loopback callers never have

describe('a key limited to other IP addresses (Manage IP restrictions) → 422 key_access_restricted', () => {
  it('is refused on a Send and a validate-only check with the hint, storing nothing — a plain restricted key (403 on /v1/account) is still stored', async () => {
    const appId = await h.createApplication('IP-limited');
    const key = h.stripe.createKey({ type: 'restricted', allowedIps: ELSEWHERE });
    usedKeys.push(key);
    for (const res of [await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: key }), await h.post('/api/stripe/validate', { apiKey: key })]) {
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'key_access_restricted', hint: HINT });
    }
    expect((await h.get(`/api/applications/${appId}/integrations/stripe`)).status).toBe(404);

    h.stripe.setAllowedIps(key, null);
    h.stripe.resetRequests();
    const stored = await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: key });
    expect(stored.status).toBe(200);
    expect(stored.body.integration.status).toBe('connected');
    expect(h.stripe.requests.find((r) => r.path === '/v1/account')?.status).toBe(403); // the 403 every restricted key gets there
  });

  it('a stored key later limited elsewhere: Re-check and a workflow answer 422, the verdict is kept and the refusal recorded', async () => {
    const app = await connectedApp();
    h.stripe.setAllowedIps(app.key, ELSEWHERE);

    const recheck = await h.post(`/api/applications/${app.appId}/integrations/stripe/validate`);
    expect(recheck.status).toBe(422);
    expect(recheck.body.error).toMatchObject({ code: 'key_access_restricted', hint: HINT });
    const workflow = await h.get(`${app.base}/balance`);
    expect(workflow.status).toBe(422);
    expect(workflow.body.error.code).toBe('key_access_restricted');

    const integration = await integrationOf(app.appId);
    expect(integration).toMatchObject({ status: 'connected', missingPermissions: [], lastError: { code: 'key_access_restricted' } });
    expect(await statusChanges(app.appId)).toEqual([]);

    h.stripe.setAllowedIps(app.key, ['127.0.0.1', '::1']);
    expect((await h.post(`/api/applications/${app.appId}/integrations/stripe/validate`)).body.integration).toMatchObject({
      status: 'connected',
      lastError: null,
    });
  });
});

describe('the scheduled re-check when Stripe does not answer', () => {
  // A 300 ms interval: ticks every 100 ms, tries a key Stripe didn't answer for again after 1 s.
  const INTERVAL_MS = 300;
  let schedule: ReturnType<typeof startRecheckSchedule> | undefined;
  let app: Awaited<ReturnType<typeof connectedApp>>;

  beforeEach(async () => {
    await h.sql('delete from stripe_integrations'); // only this test's key is due
    app = await connectedApp();
  });
  afterEach(async () => {
    await schedule?.stop();
    schedule = undefined;
  });
  const start = () => {
    const { logger } = createMemoryLogger();
    schedule = startRecheckSchedule({ integrations: h.runtime.integrations, repos: h.runtime.repos, intervalMs: INTERVAL_MS, logger, now: () => new Date() });
  };
  /** What the integration service logged about this test's key (the schedule's own lines are its summaries). */
  const skipped = () => h.logLines.filter((l) => l.includes('scheduled re-check skipped') && l.includes(app.appId));
  const requestsFor = (key: string) => h.stripe.requests.filter((r) => r.headers.authorization === `Bearer ${key}`);
  const stored = async () => (await h.runtime.repos.integrations.get(app.appId))!;

  it('429 with Retry-After: the verdict is kept, the account is not asked again before Retry-After, then the key is checked', async () => {
    const { lastValidatedAt } = await stored();
    h.stripe.injectFault({ kind: 'status429', count: 6, retryAfterSeconds: 2 });
    start();
    await vi.waitFor(async () => expect((await stored()).lastValidatedAt).not.toBe(lastValidatedAt), { timeout: 10_000, interval: 50 });
    const requests = requestsFor(app.key);
    const limited = requests.filter((r) => r.status === 429);
    expect(limited).toHaveLength(6);
    const lastLimited = Math.max(...limited.map((r) => r.receivedAt));
    const firstAfter = Math.min(...requests.filter((r) => r.status !== 429).map((r) => r.receivedAt));
    expect(firstAfter - lastLimited).toBeGreaterThanOrEqual(2000);
    expect(await stored()).toMatchObject({ status: 'connected', lastErrorCode: null });
    expect(skipped().some((l) => l.includes('stripe_rate_limited'))).toBe(true);
  });

  // stripe-node tries a reset connection once more even with retries off: twelve resets for six requests.
  for (const [fault, count] of [
    ['status500', 6],
    ['reset', 12],
  ] as const) {
    it(`${fault === 'reset' ? 'a dropped connection' : 'a 500'}: the verdict is kept, even for a key deleted meanwhile, and the key is tried again later`, async () => {
      h.stripe.injectFault({ kind: fault, count });
      h.stripe.deleteKey(app.key); // Stripe would say 401 — but it isn't answering, so nothing may change
      start();
      await vi.waitFor(() => expect(skipped()).not.toEqual([]), { timeout: 5000, interval: 50 });
      expect((await stored()).status).toBe('connected');
      // Tried again once Stripe answers: now the 401 speaks, and only the 401 makes it invalid.
      await vi.waitFor(async () => expect((await stored()).status).toBe('invalid'), { timeout: 10_000, interval: 50 });
      const answered = requestsFor(app.key).filter((r) => r.status === 401);
      const failed = requestsFor(app.key).filter((r) => r.status !== 401);
      expect(failed).toHaveLength(count);
      expect(Math.min(...answered.map((r) => r.receivedAt)) - Math.max(...failed.map((r) => r.receivedAt))).toBeGreaterThanOrEqual(1000);
    });
  }

  it('a key refused for this address: the refusal is recorded as the last error, the verdict kept, nothing audited', async () => {
    h.stripe.setAllowedIps(app.key, ELSEWHERE);
    start();
    await vi.waitFor(async () => expect((await stored()).lastErrorCode).toBe('key_access_restricted'), { timeout: 5000, interval: 50 });
    expect(await stored()).toMatchObject({ status: 'connected' });
    expect(await statusChanges(app.appId)).toEqual([]);
  });
});
