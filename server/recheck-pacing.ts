/**
 * How fast scheduled re-checks may ask Stripe about one account: at most 10 requests in any
 * second (Stripe allows 25 a second in sandboxes and 100 in live mode; a check is six requests).
 * Every request a re-check sends — retries too — first takes a slot for its account here.
 *
 * A slot is held from the moment the request may go until a window after its answer came back.
 * The answer comes after the request reached Stripe, however long it took to get there, so the
 * tenth request after it reaches Stripe at least a window later: no second at Stripe ever holds
 * more than 10, whatever the delays on the way. The window is a little longer than a second, for
 * good measure. The arithmetic is pure (`nextSlotAt`); `createPacer` keeps the times and waits.
 */

export type RateCeiling = { requests: number; windowMs: number };

/** What the product uses: 10 requests per account, each slot held until 1.1 s after its answer. */
export const RECHECK_CEILING: RateCeiling = { requests: 10, windowMs: 1_100 };

/**
 * When the next request may go, given the requests still holding a slot: for each, when its answer
 * came back, or null while it is awaited. Now, if fewer than `requests` hold one; otherwise a window
 * after enough answers for one slot to free up — or null, when that waits on answers not yet back.
 */
export function nextSlotAt(answeredAt: readonly (number | null)[], now: number, ceiling: RateCeiling): number | null {
  const holding = answeredAt.filter((t) => t === null || t > now - ceiling.windowMs);
  const surplus = holding.length - ceiling.requests; // slots to free before one is ours: surplus + 1
  if (surplus < 0) return now;
  const answered = holding.filter((t): t is number => t !== null).sort((a, b) => a - b);
  if (answered.length <= surplus) return null;
  return answered[surplus]! + ceiling.windowMs;
}

export type Pacer = {
  /**
   * Resolves when a request to `account` may go, to the function to call once its answer (or its
   * failure) is back.
   */
  take(account: string): Promise<() => void>;
};

type Clock = { now: () => number; sleep: (ms: number) => Promise<void> };

const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function createPacer(ceiling: RateCeiling = RECHECK_CEILING, clock: Clock = realClock): Pacer {
  type Slot = { answeredAt: number | null };
  const slots = new Map<string, Slot[]>();
  const waiting = new Map<string, Array<() => void>>();

  /** The slots still held; an account holding none is forgotten. */
  function held(account: string, now: number): Slot[] {
    const still = (slots.get(account) ?? []).filter((s) => s.answeredAt === null || s.answeredAt > now - ceiling.windowMs);
    if (still.length === 0) slots.delete(account);
    else slots.set(account, still);
    return still;
  }

  /** Resolves at the next answer from `account`. */
  function nextAnswer(account: string): Promise<void> {
    return new Promise((resolve) => waiting.set(account, [...(waiting.get(account) ?? []), resolve]));
  }

  return {
    async take(account) {
      // Whoever wakes first and finds a slot takes it: reading the slots and taking one is a single
      // synchronous step, so two waiters can never both take the last one.
      for (;;) {
        const now = clock.now();
        const current = held(account, now);
        const at = nextSlotAt(
          current.map((s) => s.answeredAt),
          now,
          ceiling,
        );
        if (at !== null && at <= now) {
          const slot: Slot = { answeredAt: null };
          slots.set(account, [...current, slot]);
          return () => {
            slot.answeredAt = clock.now();
            const wake = waiting.get(account) ?? [];
            waiting.delete(account);
            for (const resolve of wake) resolve();
          };
        }
        await (at === null ? nextAnswer(account) : Promise.race([clock.sleep(at - now), nextAnswer(account)]));
      }
    },
  };
}
