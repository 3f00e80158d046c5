/**
 * When a key rotated in the Stripe Dashboard stops working. Stripe's Rotate dialog offers an
 * Expiration for the old key — Now, 1 hour, 24 hours, 3 days, 7 days — and keeps it working until
 * then. The card reads the choice, the backend records it, and every side says it in the same words.
 */

const HOUR_MS = 3600_000;

/** The Rotate dialog's Expiration choices as Stripe words them, and how long each keeps the old key. */
export const ROTATE_EXPIRATIONS = [
  { label: 'Now', ms: 0 },
  { label: '1 hour', ms: HOUR_MS },
  { label: '24 hours', ms: 24 * HOUR_MS },
  { label: '3 days', ms: 72 * HOUR_MS },
  { label: '7 days', ms: 168 * HOUR_MS },
] as const;

/** Within 24 hours: what GET /api/status counts as expiring soon, what alerts, and what turns the badge red. */
export const EXPIRING_SOON_MS = 24 * HOUR_MS;

/** How long an Expiration the dialog shows keeps the old key; null for words that are not one of its choices. */
export function rotateExpirationMs(label: string): number | null {
  const words = label.replace(/\s+/g, ' ').trim().toLowerCase();
  return ROTATE_EXPIRATIONS.find((choice) => choice.label.toLowerCase() === words)?.ms ?? null;
}

/** 23 h, 45 min, 3 days: rounded down, as a countdown reads. */
export function inWords(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${Math.max(minutes, 1)} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}
