/**
 * Writing a checked key: sealed, fingerprinted and stored for one application with its audit event,
 * inside the caller's transaction, after the application's rules are read again under its lock.
 */
import type { KeySource, Validation, Warning } from '../../shared/api.js';
import { maskKey, type KeyMode, type ParsedKey } from '../../shared/keys.js';
import { ApiError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import type { Actor } from '../auth/principal.js';
import type { Keyring } from '../crypto/keyring.js';
import type { ApplicationRow, IntegrationRow, Repositories } from '../db/repositories.js';
import { statusOf } from './integration-view.js';
import { replacementWarnings } from './replacement-warnings.js';
import { associatedData, isSameKey, sealToColumns } from './sealed-key.js';

/** How a key came to be stored: by a PUT for one application, or by a rotation for several; from where; by whom. */
export type StoreRequest = { via: 'put' | 'rotation'; source: KeySource; actor: Actor | null };

/** A key whose mode differs from the application's declared environment is refused (and, but for an organization key, never reaches Stripe). */
export function requireMode(application: ApplicationRow, mode: KeyMode): void {
  if (application.environment && application.environment !== mode) {
    throw new ApiError('mode_mismatch', {
      message: `This is a ${mode} key, but the application "${application.name}" is declared ${application.environment}. Nothing was stored.`,
    });
  }
}

type Deps = { keyring: Keyring; audit: AuditRecorder; now: () => Date };

/**
 * Seals and stores the key for one application, inside `tx`, with its audit event. The
 * application's environment and Stripe account are read again here, under the row lock a PATCH
 * takes too: one changed while Stripe was answering refuses the key (mode_mismatch, or
 * stripe_account_required for an organization key checked against another account) and the
 * transaction stores nothing.
 */
export async function storeKey(
  tx: Repositories,
  { keyring, audit, now }: Deps,
  input: { applicationId: string; key: ParsedKey; validation: Validation; stripeContext: string | null; how: StoreRequest },
): Promise<{ row: IntegrationRow; previous: IntegrationRow | undefined; warnings: Warning[] }> {
  const { applicationId, key, validation, how } = input;
  const application = await tx.applications.lock(applicationId);
  if (!application) throw new ApiError('application_not_found');
  requireMode(application, validation.mode);
  if (key.keyType === 'organization' && application.stripeAccount !== input.stripeContext) {
    throw new ApiError('stripe_account_required', {
      message: `The Stripe account of "${application.name}" changed while Stripe was checking the key against ${input.stripeContext}. Nothing was stored: send the key again.`,
    });
  }
  const previous = await tx.integrations.lock(applicationId);
  const sameKey = previous !== undefined && isSameKey(keyring, previous, key.key);
  const sealer = keyring.current; // the newest master key (re-read if master.key changed)
  const at = now().toISOString();
  // A name Stripe didn't give this time (a restricted key may not read the account) is kept from the last check of the same account.
  const accountName = validation.accountName ?? (previous && previous.accountId === validation.accountId ? previous.accountName : null);
  const row: IntegrationRow = {
    applicationId,
    keyType: key.keyType,
    mode: validation.mode,
    maskedKey: maskKey(key.key),
    accountId: validation.accountId,
    accountName,
    status: statusOf(validation),
    permissions: JSON.stringify(validation.permissions),
    source: how.source,
    connectedAt: sameKey ? previous.connectedAt : at,
    lastValidatedAt: validation.checkedAt,
    lastErrorCode: null,
    lastErrorMessage: null,
    fingerprint: sealer.fingerprint(key.key),
    ...sealToColumns(sealer.seal(key.key, associatedData(applicationId))),
    // The very key sent again keeps the expiry Stripe gave it; a new key has none.
    keyExpiresAt: sameKey ? previous.keyExpiresAt : null,
  };
  await tx.integrations.upsert(row);
  await audit.record(tx, {
    action: previous ? 'integration.replaced' : 'integration.connected',
    actor: how.actor,
    applicationId,
    detail: {
      via: how.via,
      maskedKey: row.maskedKey,
      accountId: row.accountId,
      ...(row.accountName ? { accountName: row.accountName } : {}),
      ...(input.stripeContext ? { stripeContext: input.stripeContext } : {}),
      ...(previous
        ? {
            previousMaskedKey: previous.maskedKey,
            previousAccountId: previous.accountId,
            previousAccountName: previous.accountName,
            previousMode: previous.mode,
            previousStatus: previous.status,
          }
        : {}),
      keyType: row.keyType,
      mode: row.mode,
      status: row.status,
      missingPermissions: validation.missingPermissions,
      source: row.source,
    },
  });
  return { row, previous, warnings: replacementWarnings(previous, row) };
}
