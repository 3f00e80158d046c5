/** Which applications the card offers **Also update** for, read from a send's warnings. Pure. */
import type { Validation } from '../../shared/api.js';

export type OlderKeyHolder = { id: string; name: string; maskedKey: string };

export const ACCOUNT_USED_ELSEWHERE = 'account_used_elsewhere';
/** The key this one replaced was rotated in Stripe with an Expiration, and other applications still hold it. */
export const PREVIOUS_KEY_EXPIRING = 'previous_key_expiring';

/** When the old key stops working, in the backend's words ("The old key stops working in 23 h; …"). */
export type OldKeyExpiry = { expiresAt: string; expired: boolean; message: string };

function holdersIn(details: unknown): OlderKeyHolder[] {
  const listed = (details as { applications?: unknown } | undefined)?.applications;
  if (!Array.isArray(listed)) return [];
  return listed.filter(
    (a): a is OlderKeyHolder =>
      typeof a === 'object' && a !== null && typeof a.id === 'string' && typeof a.name === 'string' && typeof a.maskedKey === 'string',
  );
}

/**
 * The applications that still hold an older key: those an `account_used_elsewhere` warning lists
 * (an older key of the same Stripe account and mode) and those a `previous_key_expiring` warning
 * lists (the very key this one replaced, rotated in Stripe). Each once. Entries that are not
 * shaped as the contract says are left out rather than guessed at.
 */
export function applicationsHoldingOlderKey(validation: Pick<Validation, 'warnings'>): OlderKeyHolder[] {
  const holders = new Map<string, OlderKeyHolder>();
  for (const code of [PREVIOUS_KEY_EXPIRING, ACCOUNT_USED_ELSEWHERE]) {
    for (const holder of holdersIn(validation.warnings.find((w) => w.code === code)?.details)) if (!holders.has(holder.id)) holders.set(holder.id, holder);
  }
  return [...holders.values()];
}

/** The `previous_key_expiring` warning, when the send has one. */
export function oldKeyExpiry(validation: Pick<Validation, 'warnings'>): OldKeyExpiry | null {
  const warning = validation.warnings.find((w) => w.code === PREVIOUS_KEY_EXPIRING);
  const details = warning?.details as { expiresAt?: unknown; expired?: unknown } | undefined;
  if (!warning || typeof details?.expiresAt !== 'string') return null;
  return { expiresAt: details.expiresAt, expired: details.expired === true, message: warning.message };
}

/** "Payouts", "Payouts and Checkout", "Payouts, Checkout and Reports". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
