/**
 * Failed pairing attempts per client, in a sliding window: a pairing code has ~10^12 values, and
 * this keeps guessing slow. The failures are kept in the database, so every instance behind a
 * load balancer counts the same ones and a restart doesn't forgive them.
 */
import type { Repositories } from '../db/repositories.js';

export type LimiterSettings = { maxFailures: number; windowMs: number };

export type AttemptLimiter = {
  /** Seconds to wait before trying again, or 0 if the client may try now. */
  blockedFor(client: string): Promise<number>;
  recordFailure(client: string): Promise<void>;
  reset(client: string): Promise<void>;
};

/** The rule itself: given the times (ms) of a client's failures within the window, how long it must wait. */
export function secondsToWait(failureTimes: number[], now: number, { maxFailures, windowMs }: LimiterSettings): number {
  const recent = failureTimes.filter((t) => t > now - windowMs).sort((a, b) => a - b);
  if (recent.length < maxFailures) return 0;
  const oldestThatCounts = recent[recent.length - maxFailures];
  return Math.max(1, Math.ceil((oldestThatCounts + windowMs - now) / 1000));
}

export function createAttemptLimiter(options: LimiterSettings & { repos: Repositories; now: () => Date }): AttemptLimiter {
  const { repos, now, windowMs } = options;
  const windowStart = (at: Date) => new Date(at.getTime() - windowMs).toISOString();
  return {
    async blockedFor(client) {
      const at = now();
      const times = await repos.pairingFailures.since(client, windowStart(at));
      return secondsToWait(times.map(Date.parse), at.getTime(), options);
    },
    async recordFailure(client) {
      const at = now();
      await repos.pairingFailures.add(client, at.toISOString(), windowStart(at));
    },
    async reset(client) {
      await repos.pairingFailures.clear(client);
    },
  };
}
