/**
 * When a delivery that was not answered with a 2xx is tried again: after the retry base
 * (SERVAL_ALERT_RETRY_BASE_SECONDS), then twice that, and so on — for as long as the next attempt
 * falls within 24 h of the event. After that, the delivery has failed. Pure.
 */
export const RETRY_WINDOW_MS = 24 * 3_600_000;

/**
 * After `attempts` failed attempts (1 or more), the time of the next one, or null when it would fall
 * beyond the window: the delivery has failed.
 */
export function nextAttemptAt(input: { attempts: number; eventAt: Date; now: Date; baseMs: number }): Date | null {
  const { attempts, eventAt, now, baseMs } = input;
  const next = new Date(now.getTime() + baseMs * 2 ** Math.min(attempts - 1, 40));
  return next.getTime() - eventAt.getTime() > RETRY_WINDOW_MS ? null : next;
}
