/** The scheduled re-checks' pacing, as arithmetic on a clock of our own: no request over the ceiling, and none held back for nothing. */
import { describe, expect, it } from 'vitest';
import { createPacer, nextSlotAt, RECHECK_CEILING } from '../../server/recheck-pacing.js';
import { recheckTiming } from '../../server/recheck-schedule.js';

/** A clock that moves only when every sleeper has been woken in order. */
function virtualClock() {
  let t = 0;
  const timers: Array<{ at: number; wake: () => void }> = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((wake) => timers.push({ at: t + ms, wake })),
    async run(until: () => boolean) {
      await settle();
      while (!until()) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (!next) throw new Error('nothing left to wake, and not done');
        t = Math.max(t, next.at);
        next.wake();
        await settle();
      }
    },
  };
}

/** The most requests in any `windowMs` (a window opening at each request). */
function busiest(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('nextSlotAt', () => {
  const ceiling = { requests: 3, windowMs: 1000 };
  it('lets a request go at once while fewer than the ceiling hold a slot (answered within the window, or awaited)', () => {
    expect(nextSlotAt([], 50, ceiling)).toBe(50);
    expect(nextSlotAt([10, null], 50, ceiling)).toBe(50);
    expect(nextSlotAt([-2000, -1500, 20, 30], 50, ceiling)).toBe(50); // answered over a window ago: free
  });
  it('otherwise waits a window after enough answers, or for answers still to come', () => {
    expect(nextSlotAt([10, 20, 30], 50, ceiling)).toBe(1010);
    expect(nextSlotAt([30, null, 10], 50, ceiling)).toBe(1010);
    expect(nextSlotAt([null, null, null], 50, ceiling)).toBeNull();
    expect(nextSlotAt([10, 20, null, null], 50, ceiling)).toBe(1020); // two slots to free
    expect(nextSlotAt([10, null, null, null], 50, ceiling)).toBeNull();
  });
});

describe('the pacer', () => {
  /** Takes `n` slots for `account` at once; each request reaches Stripe `delay(i)` ms after it may go, and is answered 20 ms later. */
  function send(pacer: ReturnType<typeof createPacer>, clock: ReturnType<typeof virtualClock>, account: string, n: number, delay: (i: number) => number) {
    const arrivals: number[] = [];
    for (let i = 0; i < n; i++) {
      void pacer.take(account).then(async (answered) => {
        await clock.sleep(delay(i));
        arrivals.push(clock.now());
        await clock.sleep(20);
        answered();
      });
    }
    return arrivals;
  }

  it('60 requests to one account at once: never more than 10 reach Stripe in any second, however late each gets there', async () => {
    for (const delay of [() => 0, (i: number) => (i % 7) * 45, (i: number) => (i % 10 === 0 ? 400 : 0)]) {
      const clock = virtualClock();
      const arrivals = send(createPacer(RECHECK_CEILING, clock), clock, 'acct_a', 60, delay);
      await clock.run(() => arrivals.length === 60);
      expect(busiest(arrivals, 1000)).toBeLessThanOrEqual(10);
      expect(busiest(arrivals, RECHECK_CEILING.windowMs)).toBeLessThanOrEqual(10);
    }
  });

  it('and no slower than ten a window after their answers', async () => {
    const clock = virtualClock();
    const arrivals = send(createPacer(RECHECK_CEILING, clock), clock, 'acct_a', 60, () => 0);
    await clock.run(() => arrivals.length === 60);
    expect(busiest(arrivals, 1000)).toBe(10);
    expect(Math.max(...arrivals)).toBe(5 * (RECHECK_CEILING.windowMs + 20)); // six bursts of ten
  });

  it('accounts are paced apart: a busy account holds back no other', async () => {
    const clock = virtualClock();
    const pacer = createPacer(RECHECK_CEILING, clock);
    const a = send(pacer, clock, 'a', 30, () => 0);
    await clock.run(() => a.length === 10);
    const b = send(pacer, clock, 'b', 6, () => 0);
    await clock.run(() => a.length === 30 && b.length === 6);
    expect(b).toEqual([0, 0, 0, 0, 0, 0]);
    expect(busiest(a, 1000)).toBe(10);
  });
});

describe('the schedule’s timing', () => {
  it('leases long enough to check a claimed batch at the pace twice over, and retries after a quarter interval', () => {
    expect(recheckTiming(6 * 3600_000)).toEqual({ tickMs: 60_000, leaseMs: 600_000, retryMs: 300_000, batch: 25 });
    // 5 s lease: 3 s of requests at 10 per 1.1 s is 27, two and a bit checks; half that, rounded down.
    expect(recheckTiming(300)).toEqual({ tickMs: 100, leaseMs: 5_000, retryMs: 1_000, batch: 2 });
    for (const interval of [300, 6_000, 60_000, 3600_000]) {
      const { leaseMs, batch } = recheckTiming(interval);
      const pacedMs = ((batch * 6) / RECHECK_CEILING.requests) * RECHECK_CEILING.windowMs;
      expect(pacedMs * 2).toBeLessThanOrEqual(leaseMs);
    }
  });
});
