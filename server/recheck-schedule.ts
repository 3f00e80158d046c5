/**
 * Re-checks stored keys on a schedule, so a deleted or rolled key shows as `invalid` before a
 * workflow fails. A key is due when it was last checked an interval ago. Each instance ticks,
 * claims a batch of due keys for itself (a lease in the database), and checks them: however many
 * instances run, each due key is checked once, not once per instance.
 *
 * Stripe's rate limit is per account, so the claim is too: keys of an account another claim holds
 * are left alone until it is done, and this instance paces every request it sends an account
 * (server/recheck-pacing.ts) — so one account hears from our re-checks at most 10 times a second.
 *
 * A key Stripe didn't answer for (429, 5xx, no connection) keeps its last verdict and stays
 * claimed until it is tried again: not before Stripe's Retry-After, nor a while (`retryMs`). While
 * it waits, the rest of its account waits too. A claim that is done is held one pacing window more
 * against other instances, which don't know what this one sent the account.
 */
import type { Repositories } from './db/repositories.js';
import type { IntegrationService } from './integrations/stripe-integration.js';
import type { Logger } from './logger.js';
import { createPacer, RECHECK_CEILING, type Pacer } from './recheck-pacing.js';

const MAX_BATCH = 25;
/** A check is six requests to Stripe. */
const REQUESTS_PER_CHECK = 6;

export type RecheckTiming = { tickMs: number; leaseMs: number; retryMs: number; batch: number };

/**
 * Tick often enough that a due key waits at most a quarter of the interval. Lease long enough to
 * check a batch at the pace (twice over), and claim no more than that: a batch of one account
 * sends `batch × 6` requests at 10 a second. Try a key Stripe didn't answer for again after a
 * quarter of the interval, between 1 s and 5 minutes.
 */
export function recheckTiming(intervalMs: number): RecheckTiming {
  const leaseMs = Math.min(Math.max(intervalMs, 5_000), 10 * 60_000);
  const requestsPerSecond = (RECHECK_CEILING.requests * 1000) / RECHECK_CEILING.windowMs;
  // Two seconds of the lease for the pacer's window left by the previous batch and Stripe's answers.
  const affordable = Math.floor((((leaseMs - 2_000) / 1000) * requestsPerSecond) / REQUESTS_PER_CHECK / 2);
  return {
    tickMs: Math.min(Math.max(intervalMs / 4, 100), 60_000),
    leaseMs,
    retryMs: Math.min(Math.max(intervalMs / 4, 1_000), 5 * 60_000),
    batch: Math.min(Math.max(affordable, 1), MAX_BATCH),
  };
}

export function startRecheckSchedule(deps: {
  integrations: IntegrationService;
  repos: Repositories;
  intervalMs: number;
  logger: Logger;
  now: () => Date;
  /** Tests may share one between instances in a process; each instance has its own otherwise. */
  pacer?: Pacer;
}) {
  const { integrations, repos, intervalMs, logger, now, pacer = createPacer() } = deps;
  const { tickMs, leaseMs, retryMs, batch } = recheckTiming(intervalMs);

  const stopping = new AbortController();

  /**
   * Accounts this instance has just finished with, and until when: their keys' leases run on for
   * one pacing window after the last request, so that another instance, which cannot know what we
   * sent, doesn't start on the account at once. This instance knows (its pacer does), so they are
   * not held against its own next claim.
   */
  const ownHolds = new Map<string, number>();

  async function round() {
    while (!stopping.signal.aborted) {
      const at = now();
      for (const [account, until] of ownHolds) if (until <= at.getTime()) ownHolds.delete(account);
      const claimed = await repos.integrations.claimDue({
        dueBefore: new Date(at.getTime() - intervalMs).toISOString(),
        now: at.toISOString(),
        leaseUntil: new Date(at.getTime() + leaseMs).toISOString(),
        limit: batch,
        ownAccounts: [...ownHolds.keys()],
      });
      if (claimed.length === 0) return;
      const { summary, results } = await integrations.recheckMany(claimed, { pacer, signal: stopping.signal });
      const done = now().getTime();
      const heldUntil = done + RECHECK_CEILING.windowMs;
      const waiting = new Set(results.filter((r) => r.outcome === 'retry').map((r) => r.accountId));
      for (const result of results) {
        if (result.outcome === 'removed') continue;
        // Checked: the claim ends a pacing window from now (the key is due again an interval from
        // now). Not answered: the claim is held until the key may be tried again.
        const until = result.outcome === 'retry' ? done + Math.max(result.retryAfterMs, retryMs) : heldUntil;
        await repos.integrations.releaseRecheck(result.applicationId, new Date(until).toISOString());
        if (result.accountId === null) continue;
        if (waiting.has(result.accountId))
          ownHolds.delete(result.accountId); // waiting on Stripe: not ours to ignore
        else ownHolds.set(result.accountId, heldUntil);
      }
      logger.info(summary, 'scheduled re-check done');
      if (claimed.length < batch) return;
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
      stopping.abort();
      await running;
    },
  };
}
