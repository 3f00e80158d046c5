/** Which applications the card offers **Also update** for, read from a send's warnings. Pure. */
import type { Validation } from '../../shared/api.js';

export type OlderKeyHolder = { id: string; name: string; maskedKey: string };

export const ACCOUNT_USED_ELSEWHERE = 'account_used_elsewhere';

/**
 * The applications an `account_used_elsewhere` warning lists: they still hold an older key of
 * the same Stripe account and mode. Entries that are not shaped as the contract says are left
 * out rather than guessed at.
 */
export function applicationsHoldingOlderKey(validation: Pick<Validation, 'warnings'>): OlderKeyHolder[] {
  const warning = validation.warnings.find((w) => w.code === ACCOUNT_USED_ELSEWHERE);
  const listed = (warning?.details as { applications?: unknown } | undefined)?.applications;
  if (!Array.isArray(listed)) return [];
  return listed.filter(
    (a): a is OlderKeyHolder =>
      typeof a === 'object' && a !== null && typeof a.id === 'string' && typeof a.name === 'string' && typeof a.maskedKey === 'string',
  );
}

/** "Payouts", "Payouts and Checkout", "Payouts, Checkout and Reports". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
