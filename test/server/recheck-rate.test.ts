/**
 * 200 stored keys on one Stripe account, all due, and two backend instances re-checking them at
 * once: the requests reaching the test Stripe server for that account are counted per second as
 * they arrive (stamped in a thread of their own, ./arrival-log.ts) — never more than 10 in any
 * second (Stripe allows 25 in a sandbox), while the work goes on near that pace rather than
 * crawling. The product's own ceiling and pacing, on both databases.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { createMemoryLogger } from '../../server/logger.js';
import { RECHECK_CEILING } from '../../server/recheck-pacing.js';
import { startRecheckSchedule } from '../../server/recheck-schedule.js';
import { createRuntime, type Runtime } from '../../server/runtime.js';
import { newAccountId } from '../stripe-server/keys.js';
import { startArrivalLog } from './arrival-log.js';
import { startHarness, type Harness } from './harness.js';

const KEYS = 200;
/** Requests to watch before stopping: six seconds and more of work at the ceiling. */
const WATCH = 60;

let h: Harness;
let second: Runtime | undefined;
let arrivalLog: Awaited<ReturnType<typeof startArrivalLog>> | undefined;
beforeAll(async () => {
  h = await startHarness();
  await h.pair();
}, 120_000);
afterAll(async () => {
  await second?.close();
  await arrivalLog?.close();
  await h?.close();
});

/** The most requests in any `windowMs`, each window opening at a request. */
function busiest(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe(`scheduled re-checks of ${KEYS} keys on one Stripe account`, () => {
  it('two instances together never send that account more than 10 requests in any second', { timeout: 180_000 }, async () => {
    const accountId = newAccountId();
    const ours = new Set<string>();
    for (let i = 0; i < KEYS; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async (_, j) => {
          const appId = await h.createApplication(`Due ${i + j}`);
          const key = h.stripe.createKey({ type: 'restricted', accountId });
          expect((await h.put(`/api/applications/${appId}/integrations/stripe`, { apiKey: key })).status).toBe(200);
          ours.add(`Bearer ${key}`);
        }),
      );
    }
    await h.sql("update stripe_integrations set last_validated_at = '2000-01-01T00:00:00.000Z', recheck_lease_until = null");

    // Both instances reach Stripe through the arrival log.
    arrivalLog = await startArrivalLog(h.stripe.url);
    await h.restart({ STRIPE_API_BASE: arrivalLog.url });
    second = await createRuntime(loadConfig({ ...h.env, STRIPE_API_BASE: arrivalLog.url }), { logger: createMemoryLogger().logger });
    h.stripe.resetRequests();

    // Both instances tick every 500 ms: there is always a claim waiting to be made.
    const schedules = [h.runtime, second].map((runtime) =>
      startRecheckSchedule({
        integrations: runtime.integrations,
        repos: runtime.repos,
        intervalMs: 2_000,
        logger: createMemoryLogger().logger,
        now: () => new Date(),
      }),
    );
    const log = arrivalLog;
    const toAccount = async () => (await log.arrivals()).filter((a) => a.authorization !== null && ours.has(a.authorization));
    try {
      await vi.waitFor(async () => expect((await toAccount()).length).toBeGreaterThanOrEqual(WATCH), { timeout: 60_000, interval: 250 });
    } finally {
      await Promise.all(schedules.map((s) => s.stop()));
    }

    const times = (await toAccount()).map((a) => a.at);
    const spanSeconds = (Math.max(...times) - Math.min(...times)) / 1000;
    const perSecond = times.length / spanSeconds;
    console.info(
      `${KEYS} keys on one account, two instances: ${times.length} requests in ${spanSeconds.toFixed(1)} s, ${perSecond.toFixed(1)} a second on average; at most ${busiest(times, 1000)} in any second`,
    );
    expect(busiest(times, 1000)).toBeLessThanOrEqual(10);
    // Paced, not stalled: the product sends at most 10 in any 1.1 s, about 9 a second.
    expect(perSecond).toBeGreaterThan((RECHECK_CEILING.requests * 1000) / RECHECK_CEILING.windowMs - 3);
    // No key was checked twice: however many instances, each due key goes to one of them.
    const checked = (await h.sql<{ id: string }>("select application_id as id from stripe_integrations where last_validated_at > '2001'")).map((r) => r.id);
    expect(checked.length).toBeGreaterThan(0);
    const balanceProbes = h.stripe.requests.filter((r) => r.path === '/v1/balance').map((r) => r.headers.authorization);
    expect(new Set(balanceProbes).size).toBe(balanceProbes.length);
  });
});
