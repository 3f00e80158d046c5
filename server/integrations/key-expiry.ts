/**
 * The Rotate dialog's Expiration. Rotating a key in the Stripe Dashboard can keep the old key
 * working for a while (Now, 1 hour, 24 hours, 3 days, 7 days); the Send of the new key says until
 * when (`previousKeyExpiresAt`), and every other application still holding the old key learns when
 * it stops working (`keyExpiresAt`), so someone updates it in time.
 */
import type { Warning } from '../../shared/api.js';
import { EXPIRING_SOON_MS, inWords } from '../../shared/key-expiry.js';
import { ApiError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import type { Actor } from '../auth/principal.js';
import type { Keyring } from '../crypto/keyring.js';
import type { IntegrationRow, Repositories } from '../db/repositories.js';
import { isSameKey, openStoredKey } from './sealed-key.js';

/** Stripe keeps a rotated key working for at most 7 days. */
export const MAX_PREVIOUS_KEY_LIFETIME_MS = 7 * 24 * 3600_000;
/** Clocks differ, and the person takes a moment between the dialog and the Send: "Now" may arrive a little in the past. */
export const EXPIRY_CLOCK_SKEW_MS = 5 * 60_000;

export { EXPIRING_SOON_MS };

/** `previousKeyExpiresAt` checked against now (400 key_expiry_out_of_range), normalised to UTC; null when not given. */
export function previousKeyExpiry(input: string | undefined, now: Date): string | null {
  if (input === undefined) return null;
  const at = Date.parse(input);
  const from = now.getTime() - EXPIRY_CLOCK_SKEW_MS;
  const to = now.getTime() + MAX_PREVIOUS_KEY_LIFETIME_MS + EXPIRY_CLOCK_SKEW_MS;
  if (!Number.isFinite(at) || at < from || at > to) throw new ApiError('key_expiry_out_of_range', { details: { previousKeyExpiresAt: input } });
  return new Date(at).toISOString();
}

export type OldKeyHolder = { applicationId: string; applicationName: string; maskedKey: string };

/**
 * Inside the transaction that stores the new key: every application not given the new key that
 * holds one of the keys it replaced gets `keyExpiresAt` (audited). Returns them.
 */
export async function markOldKeyHolders(
  tx: Repositories,
  deps: { keyring: Keyring; audit: AuditRecorder },
  change: { replaced: Array<IntegrationRow | undefined>; newKey: string; updatedIds: string[]; expiresAt: string; actor: Actor | null },
): Promise<OldKeyHolder[]> {
  const holders = new Map<string, OldKeyHolder>();
  for (const previous of change.replaced) {
    if (!previous || isSameKey(deps.keyring, previous, change.newKey)) continue;
    const oldKey = openStoredKey(deps.keyring, previous);
    for (const other of await tx.integrations.withFingerprint(deps.keyring.fingerprints(oldKey), previous.applicationId)) {
      if (change.updatedIds.includes(other.applicationId) || holders.has(other.applicationId)) continue;
      holders.set(other.applicationId, other);
      await tx.integrations.update(other.applicationId, { keyExpiresAt: change.expiresAt });
      await deps.audit.record(tx, {
        action: 'integration.key_expiry_set',
        actor: change.actor,
        applicationId: other.applicationId,
        detail: { maskedKey: other.maskedKey, keyExpiresAt: change.expiresAt, rotatedFor: previous.applicationId },
      });
    }
  }
  return [...holders.values()].sort((a, b) => a.applicationName.localeCompare(b.applicationName) || a.applicationId.localeCompare(b.applicationId));
}

/**
 * "The old key stops working in 23 h; 2 applications still hold it" — or, with the Rotate dialog's
 * Now, that they have lost it. Null when no other application holds it.
 */
export function previousKeyWarning(expiresAt: string, holders: OldKeyHolder[], now: Date): Warning | null {
  if (holders.length === 0) return null;
  const left = Date.parse(expiresAt) - now.getTime();
  const expired = left <= 0;
  const one = holders.length === 1;
  const names = holders.map((h) => `"${h.applicationName}"`).join(', ');
  const count = one ? '1 application' : `${holders.length} applications`;
  return {
    code: 'previous_key_expiring',
    message: expired
      ? `The key this one replaced stopped working when it was rotated: ${count} (${names}) ${one ? 'has' : 'have'} lost ${one ? 'its' : 'their'} key. Update ${one ? 'it' : 'them'} with this key.`
      : `The old key stops working in ${inWords(left)}; ${count} (${names}) still ${one ? 'holds' : 'hold'} it. Update ${one ? 'it' : 'them'} with this key too.`,
    details: { expiresAt, expired, applications: holders.map((h) => ({ id: h.applicationId, name: h.applicationName, maskedKey: h.maskedKey })) },
  };
}

export { inWords };
