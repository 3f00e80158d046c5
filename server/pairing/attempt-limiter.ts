/**
 * Failed pairing attempts per client, in a sliding window: a pairing code has ~10^12 values, and
 * this keeps guessing slow. Kept in memory: a restart clears it, which costs an attacker a
 * restart of our server, not less.
 */
export type AttemptLimiter = {
  /** Seconds to wait before trying again, or 0 if the client may try now. */
  blockedFor(client: string): number;
  recordFailure(client: string): void;
  reset(client: string): void;
};

export function createAttemptLimiter(options: { maxFailures: number; windowMs: number; now?: () => number }): AttemptLimiter {
  const now = options.now ?? Date.now;
  const failures = new Map<string, number[]>();

  const recent = (client: string): number[] => {
    const cutoff = now() - options.windowMs;
    const kept = (failures.get(client) ?? []).filter((t) => t > cutoff);
    if (kept.length) failures.set(client, kept);
    else failures.delete(client);
    return kept;
  };

  return {
    blockedFor(client) {
      const times = recent(client);
      if (times.length < options.maxFailures) return 0;
      const oldestThatCounts = times[times.length - options.maxFailures];
      return Math.max(1, Math.ceil((oldestThatCounts + options.windowMs - now()) / 1000));
    },
    recordFailure(client) {
      failures.set(client, [...recent(client), now()]);
    },
    reset(client) {
      failures.delete(client);
    },
  };
}
