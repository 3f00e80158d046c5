/**
 * Re-checks stored keys on a schedule, so a deleted or rolled key shows as `invalid` before a
 * workflow fails. A key is due when it was last checked an interval ago. Each instance ticks,
 * claims a batch of due keys for itself (a lease in the database), and checks them: however many
 * instances run, each due key is checked once, not once per instance. A check that fails (Stripe
 * down) leaves the key due; it is tried again when its lease runs out.
 */
import type { Repositories } from './db/repositories.js';
import type { IntegrationService } from './integrations/stripe-integration.js';
import type { Logger } from './logger.js';

const BATCH = 25;

export type RecheckTiming = { tickMs: number; leaseMs: number };

/** Tick often enough that a due key waits at most a quarter of the interval; lease long enough to check a batch. */
export function recheckTiming(intervalMs: number): RecheckTiming {
  return {
    tickMs: Math.min(Math.max(intervalMs / 4, 100), 60_000),
    leaseMs: Math.min(Math.max(intervalMs, 1_000), 10 * 60_000),
  };
}

export function startRecheckSchedule(deps: { integrations: IntegrationService; repos: Repositories; intervalMs: number; logger: Logger; now: () => Date }) {
  const { integrations, repos, intervalMs, logger, now } = deps;
  const { tickMs, leaseMs } = recheckTiming(intervalMs);

  async function round() {
    for (;;) {
      const at = now();
      const claimed = await repos.integrations.claimDue({
        dueBefore: new Date(at.getTime() - intervalMs).toISOString(),
        now: at.toISOString(),
        leaseUntil: new Date(at.getTime() + leaseMs).toISOString(),
        limit: BATCH,
      });
      if (claimed.length === 0) return;
      const summary = await integrations.recheckMany(claimed);
      logger.info(summary, 'scheduled re-check done');
      if (claimed.length < BATCH) return;
    }
  }

  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return; // a slow round never overlaps the next
    running = round()
      .catch((error: unknown) => logger.error({ err: error instanceof Error ? error.message : String(error) }, 'scheduled re-check failed'))
      .finally(() => (running = null));
  }, tickMs);
  timer.unref();
  return {
    /** Stops ticking and waits for a round in progress to finish. */
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
