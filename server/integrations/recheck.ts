/**
 * Re-checking stored keys: one by hand (Re-check) or a batch claimed by the schedule
 * (`server/recheck-schedule.ts`, through ./recheck-batch.ts). Stripe saying the key is gone marks
 * it invalid; Stripe not answering changes nothing; Stripe answering without a verdict (a key
 * limited to other IP addresses) is recorded as the last error, the last verdict kept.
 */
import type { Integration, Validation } from '../../shared/api.js';
import { ERRORS, type ErrorCode, type ErrorSpec } from '../../shared/errors.js';
import { parseKey } from '../../shared/keys.js';
import { missingPermissions, type Permissions } from '../../shared/permissions.js';
import { ApiError, refusalError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import type { Actor } from '../auth/principal.js';
import type { IntegrationRow, Repositories } from '../db/repositories.js';
import type { Keyring } from '../crypto/keyring.js';
import type { CheckOptions, KeyChecker } from '../stripe/key-checker.js';
import type { Refusal, Verdict } from '../stripe/verdict.js';
import type { Logger } from '../logger.js';
import { statusOf, toIntegration, type KeyAge } from './integration-view.js';
import { requireIntegration, storedStripeContext } from './lookups.js';
import { openStoredKey } from './sealed-key.js';

export type RecheckOutcome = { validation: Validation; patch: Partial<IntegrationRow> };
/** Stripe gave no verdict: with a patch when it answered (recorded as the last error), without one when it didn't (try again later). */
export type RecheckRefused = { refusal: Refusal; patch?: Partial<IntegrationRow> };

/** Refusals that say nothing at all about the key: Stripe did not answer it. */
const UNANSWERED: ReadonlySet<ErrorCode> = new Set(['stripe_unavailable', 'stripe_rate_limited']);

export function isTransient(refusal: Refusal): boolean {
  return UNANSWERED.has(refusal.code);
}

/**
 * What a re-check's verdict changes in the stored row: a fresh verdict replaces what the last
 * check found; Stripe refusing the key (deleted, rolled, expired) marks it invalid and keeps the
 * rest. Stripe down or rate-limiting says nothing about the key: it changes nothing and is the
 * answer. Any other refusal (the key refused for this backend's address) is Stripe's answer
 * without a verdict: it is recorded as the last error, with the time, and the verdict is kept.
 */
export function recheckOutcome(before: IntegrationRow, verdict: Verdict, at: string): RecheckOutcome | RecheckRefused {
  if (verdict.ok) {
    const validation = verdict.validation;
    return {
      validation,
      patch: {
        status: statusOf(validation),
        permissions: JSON.stringify(validation.permissions),
        accountId: validation.accountId ?? before.accountId,
        // A name Stripe didn't give this time (a restricted key may not read the account) is kept while the account is the same.
        accountName: validation.accountName ?? (validation.accountId === null || validation.accountId === before.accountId ? before.accountName : null),
        // An organization key's mode is what Stripe answers now; any other key's is its prefix's.
        mode: validation.mode,
        lastValidatedAt: validation.checkedAt,
        lastErrorCode: null,
        lastErrorMessage: null,
      },
    };
  }
  const code = verdict.refusal.code;
  if (isTransient(verdict.refusal)) return { refusal: verdict.refusal };
  if (code !== 'invalid_api_key' && code !== 'expired_api_key') {
    const message = verdict.refusal.message ?? (ERRORS[code] as ErrorSpec).message;
    return { refusal: verdict.refusal, patch: { lastValidatedAt: at, lastErrorCode: code, lastErrorMessage: message } };
  }
  const spec = ERRORS[code];
  const permissions = JSON.parse(before.permissions) as Permissions;
  return {
    validation: {
      valid: false,
      keyType: before.keyType,
      mode: before.mode,
      accountId: before.accountId,
      accountName: before.accountName,
      permissions,
      missingPermissions: missingPermissions(permissions),
      warnings: [{ code, message: `${spec.message} ${spec.hint}` }],
      checkedAt: at,
    },
    patch: { status: 'invalid', lastValidatedAt: at, lastErrorCode: code, lastErrorMessage: spec.message },
  };
}

type Deps = { repos: Repositories; keyring: Keyring; checker: KeyChecker; audit: AuditRecorder; now: () => Date; logger: Logger; keyAge: KeyAge };

export type Rechecked = { integration: Integration; validation: Validation };

export function createRecheck({ repos, keyring, checker, audit, now, logger, keyAge }: Deps) {
  /**
   * Re-checks one stored key and records what changed, with an audit event when its status did.
   * A refusal is returned, not thrown: recorded first when Stripe answered (see recheckOutcome).
   * `options.pace` paces the requests (scheduled re-checks).
   */
  async function recheckStored(applicationId: string, actor: Actor | null, reason: string, options: CheckOptions = {}): Promise<Rechecked | RecheckRefused> {
    const before = await requireIntegration(repos, applicationId);
    const parsed = parseKey(openStoredKey(keyring, before));
    if (!parsed.ok) throw new ApiError('internal_error', { message: 'The stored key is not a valid key.' });
    // An organization key acts on the account its application names, sent as Stripe-Context.
    const verdict = await checker.check(parsed, await storedStripeContext(repos, before), options);
    const outcome = recheckOutcome(before, verdict, now().toISOString());
    if ('refusal' in outcome) {
      if (outcome.patch) await record(applicationId, before, outcome.patch, actor, reason);
      return outcome;
    }
    const after = await record(applicationId, before, outcome.patch, actor, reason);
    return { integration: toIntegration(after ?? (await requireIntegration(repos, applicationId)), keyAge), validation: outcome.validation };
  }

  /**
   * Writes a re-check's patch — only onto the very key that was checked: it may have been replaced
   * or removed (through any instance) while Stripe answered. The row written, or null if it wasn't.
   */
  async function record(applicationId: string, before: IntegrationRow, patch: Partial<IntegrationRow>, actor: Actor | null, reason: string) {
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
    if (after && after.current.status !== after.updated.status) {
      logger.info({ applicationId, from: after.current.status, to: after.updated.status, reason }, 'integration status changed');
    }
    return after?.updated ?? null;
  }

  /** Re-check, by hand: Stripe's refusal is the answer (after it is recorded, when Stripe answered). */
  async function recheck(applicationId: string, actor: Actor | null, reason = 'manual re-check'): Promise<Rechecked> {
    const result = await recheckStored(applicationId, actor, reason);
    if ('refusal' in result) throw refusalError(result.refusal);
    return result;
  }

  return { recheck, recheckStored };
}
