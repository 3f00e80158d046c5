/**
 * Re-checking stored keys: one by hand (Re-check) or a batch claimed by the schedule
 * (`server/recheck-schedule.ts`). Stripe saying no marks a key invalid; Stripe not answering
 * changes nothing.
 */
import type { Integration, Validation } from '../../shared/api.js';
import { ERRORS } from '../../shared/errors.js';
import { parseKey } from '../../shared/keys.js';
import { missingPermissions, type Permissions } from '../../shared/permissions.js';
import { ApiError, refusalError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import type { Actor } from '../auth/principal.js';
import type { IntegrationRow, Repositories } from '../db/repositories.js';
import type { Keyring } from '../crypto/keyring.js';
import type { KeyChecker } from '../stripe/key-checker.js';
import type { Refusal, Verdict } from '../stripe/verdict.js';
import type { Logger } from '../logger.js';
import { statusOf, toIntegration, type KeyAge } from './integration-view.js';
import { requireIntegration } from './lookups.js';
import { openStoredKey } from './sealed-key.js';

export type RecheckOutcome = { validation: Validation; patch: Partial<IntegrationRow> };
export type RecheckSummary = { checked: number; changed: number; skipped: number };

/**
 * What a re-check's verdict changes in the stored row: a fresh verdict replaces what the last
 * check found; Stripe refusing the key (deleted, rolled, expired) marks it invalid and keeps the
 * rest. Any other refusal (Stripe down, rate-limited) says nothing about the key: it changes
 * nothing and is the answer.
 */
export function recheckOutcome(before: IntegrationRow, verdict: Verdict, at: string): RecheckOutcome | { refusal: Refusal } {
  if (verdict.ok) {
    const validation = verdict.validation;
    return {
      validation,
      patch: {
        status: statusOf(validation),
        permissions: JSON.stringify(validation.permissions),
        accountId: validation.accountId ?? before.accountId,
        lastValidatedAt: validation.checkedAt,
        lastErrorCode: null,
        lastErrorMessage: null,
      },
    };
  }
  const code = verdict.refusal.code;
  if (code !== 'invalid_api_key' && code !== 'expired_api_key') return { refusal: verdict.refusal };
  const spec = ERRORS[code];
  const permissions = JSON.parse(before.permissions) as Permissions;
  return {
    validation: {
      valid: false,
      keyType: before.keyType,
      mode: before.mode,
      accountId: before.accountId,
      permissions,
      missingPermissions: missingPermissions(permissions),
      warnings: [{ code, message: `${spec.message} ${spec.hint}` }],
      checkedAt: at,
    },
    patch: { status: 'invalid', lastValidatedAt: at, lastErrorCode: code, lastErrorMessage: spec.message },
  };
}

type Deps = { repos: Repositories; keyring: Keyring; checker: KeyChecker; audit: AuditRecorder; now: () => Date; logger: Logger; keyAge: KeyAge };

export function createRecheck({ repos, keyring, checker, audit, now, logger, keyAge }: Deps) {
  /** Re-checks one stored key and records what changed, with an audit event when its status did. */
  async function recheck(
    applicationId: string,
    actor: Actor | null,
    reason = 'manual re-check',
  ): Promise<{ integration: Integration; validation: Validation }> {
    const before = await requireIntegration(repos, applicationId);
    const parsed = parseKey(openStoredKey(keyring, before));
    if (!parsed.ok) throw new ApiError('internal_error', { message: 'The stored key is not a valid key.' });
    const verdict = await checker.check(parsed);
    const outcome = recheckOutcome(before, verdict, now().toISOString());
    if ('refusal' in outcome) throw refusalError(outcome.refusal);
    const { validation, patch } = outcome;

    // The key may have been replaced or removed (through any instance) while Stripe answered:
    // only update the very key we checked.
    const after = await repos.transaction(async (tx) => {
      const current = await tx.integrations.lock(applicationId);
      if (!current || current.fingerprint !== before.fingerprint) return null;
      await tx.integrations.update(applicationId, patch);
      const updated: IntegrationRow = { ...current, ...patch };
      if (current.status !== updated.status) {
        await audit.record(tx, {
          action: 'integration.status_changed',
          actor,
          applicationId,
          detail: { maskedKey: updated.maskedKey, from: current.status, to: updated.status, reason },
        });
      }
      return { current, updated };
    });
    if (!after) return { integration: toIntegration(await requireIntegration(repos, applicationId), keyAge), validation };
    if (after.current.status !== after.updated.status) {
      logger.info({ applicationId, from: after.current.status, to: after.updated.status, reason }, 'integration status changed');
    }
    return { integration: toIntegration(after.updated, keyAge), validation };
  }

  /** Re-checks the given stored keys one at a time (Stripe's rate limit is per account). */
  async function recheckMany(applicationIds: string[]): Promise<RecheckSummary> {
    const summary: RecheckSummary = { checked: 0, changed: 0, skipped: 0 };
    for (const applicationId of applicationIds) {
      try {
        const before = await repos.integrations.get(applicationId);
        if (!before) continue; // removed since it was claimed
        const { integration } = await recheck(applicationId, null, 'scheduled re-check');
        summary.checked++;
        if (integration.status !== before.status) summary.changed++;
      } catch (error) {
        summary.skipped++;
        logger.warn({ applicationId, err: error instanceof Error ? error.message : String(error) }, 'scheduled re-check skipped');
      }
    }
    return summary;
  }

  /** Every stored key, now. */
  async function recheckAll(): Promise<RecheckSummary> {
    return recheckMany((await repos.integrations.list()).map((r) => r.applicationId));
  }

  return { recheck, recheckMany, recheckAll };
}
