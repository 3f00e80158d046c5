/**
 * The Stripe integration of an application: connect a key (check with Stripe, seal, store),
 * re-check it, remove it. A key Stripe refuses changes nothing; a Stripe outage changes nothing.
 * The pure decisions live beside it: the API's view (integration-view.ts), what a replacement
 * should warn about (replacement-warnings.ts), what a re-check changes (recheck.ts); so do the
 * sealed key at rest and re-sealing (sealed-key.ts).
 */
import type { Integration, KeySource, Validation, Warning } from '../../shared/api.js';
import { parseKey, type KeyMode, type ParsedKey } from '../../shared/keys.js';
import { missingPermissions, type PermissionId, type Permissions } from '../../shared/permissions.js';
import { ApiError, refusalError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import type { Actor } from '../auth/principal.js';
import type { IntegrationRow, Repositories } from '../db/repositories.js';
import type { Keyring } from '../crypto/keyring.js';
import type { KeyChecker } from '../stripe/key-checker.js';
import type { Logger } from '../logger.js';
import { toIntegration, type KeyAge } from './integration-view.js';
import { markOldKeyHolders, previousKeyExpiry, previousKeyWarning } from './key-expiry.js';
import { requireApplication, requireIntegration, storedStripeContext, stripeContextFor } from './lookups.js';
import { createRecheck } from './recheck.js';
import { createRecheckBatch } from './recheck-batch.js';
import { keyReusedWarning, usedElsewhereWarning } from './replacement-warnings.js';
import { isSameKey, openStoredKey, resealAll } from './sealed-key.js';
import { requireMode, storeKey, type StoreRequest } from './store-key.js';

export type IntegrationService = ReturnType<typeof createIntegrationService>;

/** What a Send carries besides the key: where it came from, and the Rotate dialog's Expiration for the key it replaces. */
type SendInput = { apiKey: string; source?: KeySource; previousKeyExpiresAt?: string };

/**
 * Refuses (403) a mode the sender may not send. Keys with a mode in their prefix were decided
 * before anything reached Stripe; an organization key's mode is known only from Stripe's answer,
 * and is decided here, before anything is stored.
 */
export type ModeGate = (mode: KeyMode) => void;

type Deps = {
  repos: Repositories;
  keyring: Keyring;
  checker: KeyChecker;
  audit: AuditRecorder;
  now: () => Date;
  logger: Logger;
  /** SERVAL_KEY_MAX_AGE_DAYS, in ms; 0: key age not tracked. */
  keyMaxAgeMs?: number;
  /** Told when an application's stored key is replaced or removed (e.g. to drop cached Stripe clients). */
  onKeyChanged?: (applicationId: string) => void;
};

export function createIntegrationService({ repos, keyring, checker, audit, now, logger, keyMaxAgeMs = 0, onKeyChanged = () => {} }: Deps) {
  const keyAge: KeyAge = { maxAgeMs: keyMaxAgeMs, now };
  const { recheck, recheckStored } = createRecheck({ repos, keyring, checker, audit, now, logger, keyAge });
  const { recheckMany } = createRecheckBatch({ repos, logger, recheckStored });
  /** Every stored key, now (unpaced). */
  const recheckAll = async () => (await recheckMany((await repos.integrations.list()).map((r) => r.applicationId))).summary;

  /** Shape first: malformed and publishable keys never reach Stripe. */
  function parseOrRefuse(apiKey: string): ParsedKey {
    const parsed = parseKey(apiKey);
    if (!parsed.ok) throw new ApiError(parsed.code, parsed.message ? { message: parsed.message } : {});
    return parsed;
  }

  async function checkParsed(key: ParsedKey, stripeContext: string | null = null): Promise<{ key: ParsedKey; validation: Validation }> {
    const verdict = await checker.check(key, stripeContext);
    if (!verdict.ok) throw refusalError(verdict.refusal);
    return { key, validation: verdict.validation };
  }

  /**
   * Shape first (malformed and publishable keys never reach Stripe), then Stripe's answer. An
   * organization key is checked against `stripeAccount` (422 stripe_account_required without one).
   */
  async function checkKey(apiKey: string, stripeAccount: string | null = null): Promise<{ key: ParsedKey; validation: Validation }> {
    const key = parseOrRefuse(apiKey);
    return checkParsed(key, stripeContextFor({ stripeAccount }, key.keyType));
  }

  /** Other applications holding an older key of the same account and mode. */
  async function usedElsewhere(row: IntegrationRow, apiKey: string): Promise<Warning | null> {
    if (!row.accountId) return null;
    const others = (await repos.integrations.withAccount(row.accountId, row.mode, row.applicationId)).filter((o) => !isSameKey(keyring, o, apiKey));
    return usedElsewhereWarning({ accountId: row.accountId, accountName: row.accountName, mode: row.mode }, others);
  }

  /** Everything about a Send that can be refused before Stripe is asked: the key's shape, the expiry, each application's rules. */
  async function prepare(input: SendInput, applicationIds: string[]) {
    const key = parseOrRefuse(input.apiKey);
    const expiresAt = previousKeyExpiry(input.previousKeyExpiresAt, now());
    const contexts = new Map<string, string | null>();
    for (const id of applicationIds) {
      const application = await requireApplication(repos, id);
      contexts.set(id, stripeContextFor(application, key.keyType));
      if (key.mode) requireMode(application, key.mode);
    }
    return { key, expiresAt, contexts };
  }

  /** One check per Stripe-Context the key is sent with (one, but for an organization key sent to applications of several accounts). */
  async function checkFor(key: ParsedKey, contexts: Map<string, string | null>, gate: ModeGate): Promise<Map<string | null, Validation>> {
    const validations = new Map<string | null, Validation>();
    for (const context of new Set(contexts.values())) {
      const { validation } = await checkParsed(key, context);
      gate(validation.mode);
      validations.set(context, validation);
    }
    return validations;
  }

  const service = {
    checkKey,
    keyAge,
    recheck,
    recheckMany,
    recheckAll,

    /** The API's view of a stored row. */
    view(row: IntegrationRow): Integration {
      return toIntegration(row, keyAge);
    },

    async get(applicationId: string): Promise<Integration> {
      return toIntegration(await requireIntegration(repos, applicationId), keyAge);
    },

    async connect(applicationId: string, input: SendInput, actor: Actor | null, gate: ModeGate = () => {}) {
      const { key, expiresAt, contexts } = await prepare(input, [applicationId]);
      const stripeContext = contexts.get(applicationId) ?? null;
      const validation = (await checkFor(key, contexts, gate)).get(stripeContext)!;
      // Stripe took a while: the application may have been deleted, or its environment changed,
      // meanwhile. Inside the write, the application is locked: a delete or a PATCH racing this
      // replace either waits for it (and then removes the new key with the application, or changes
      // an environment the key was checked against) or wins (and this answers application_not_found
      // or mode_mismatch, storing nothing).
      const how: StoreRequest = { via: 'put', source: input.source ?? 'api', actor };
      const stored = await repos.transaction(async (tx) => {
        const one = await storeKey(tx, { keyring, audit, now }, { applicationId, key, validation, stripeContext, how });
        const holders = expiresAt
          ? await markOldKeyHolders(tx, { keyring, audit }, { replaced: [one.previous], newKey: key.key, updatedIds: [applicationId], expiresAt, actor })
          : [];
        return { ...one, holders };
      });
      onKeyChanged(applicationId);
      for (const holder of stored.holders) onKeyChanged(holder.applicationId);
      const warnings: Warning[] = [...validation.warnings, ...stored.warnings];
      for (const other of await repos.integrations.withFingerprint(keyring.fingerprints(key.key), applicationId)) {
        warnings.push(keyReusedWarning(other));
      }
      const elsewhere = await usedElsewhere(stored.row, key.key);
      if (elsewhere) warnings.push(elsewhere);
      const expiring = expiresAt ? previousKeyWarning(expiresAt, stored.holders, now()) : null;
      if (expiring) warnings.push(expiring);
      logger.info({ applicationId, maskedKey: stored.row.maskedKey, status: stored.row.status, mode: stored.row.mode }, 'stripe key connected');
      return { integration: toIntegration(stored.row, keyAge), validation: { ...validation, warnings } };
    },

    /**
     * After a rotation in the Stripe Dashboard: one new key, checked once (once per Stripe account
     * for an organization key), replacing the key of every listed application in one transaction —
     * all of them or none. An unknown application (404), an environment the key's mode doesn't fit
     * (422, checked again inside the write) or a key Stripe refuses (422) changes nothing anywhere.
     * `replacements` says, per application, what a PUT would have warned about (account_changed,
     * mode_changed). With `previousKeyExpiresAt`, the applications not listed that still hold a
     * replaced key learn when it stops working.
     */
    async rotate(input: SendInput & { applicationIds: string[] }, actor: Actor | null, gate: ModeGate = () => {}) {
      const ids = [...new Set(input.applicationIds)];
      const { key, expiresAt, contexts } = await prepare(input, ids);
      const validations = await checkFor(key, contexts, gate);
      const how: StoreRequest = { via: 'rotation', source: input.source ?? 'api', actor };
      const stored = await repos.transaction(async (tx) => {
        const rows = [];
        for (const id of ids) {
          const stripeContext = contexts.get(id) ?? null;
          rows.push(await storeKey(tx, { keyring, audit, now }, { applicationId: id, key, validation: validations.get(stripeContext)!, stripeContext, how }));
        }
        const replaced = rows.map((r) => r.previous);
        const holders = expiresAt ? await markOldKeyHolders(tx, { keyring, audit }, { replaced, newKey: key.key, updatedIds: ids, expiresAt, actor }) : [];
        return { rows, holders };
      });
      for (const id of ids) onKeyChanged(id);
      for (const holder of stored.holders) onKeyChanged(holder.applicationId);
      const validation = validations.get(contexts.get(ids[0]!) ?? null)!;
      const warnings: Warning[] = [...validation.warnings];
      const elsewhere = await usedElsewhere(stored.rows[0]!.row, key.key);
      if (elsewhere) warnings.push(elsewhere);
      const expiring = expiresAt ? previousKeyWarning(expiresAt, stored.holders, now()) : null;
      if (expiring) warnings.push(expiring);
      logger.info({ applicationIds: ids, maskedKey: stored.rows[0]!.row.maskedKey, mode: validation.mode }, 'stripe key rotated');
      return {
        validation: { ...validation, warnings },
        integrations: stored.rows.map((s) => toIntegration(s.row, keyAge)),
        replacements: stored.rows.map((s) => ({ applicationId: s.row.applicationId, previousMaskedKey: s.previous?.maskedKey ?? null, warnings: s.warnings })),
      };
    },

    /**
     * Stripe refused a workflow request made with the key whose fingerprint is given: record what
     * that says about it. A refusal of a key replaced or removed meanwhile says nothing about the
     * current one; a refusal already on record changes nothing (and writes no audit event).
     */
    async recordStripeRefusal(
      applicationId: string,
      fingerprint: string,
      change: { status: 'invalid' | 'missing_permissions'; missing?: PermissionId; code: string; message: string },
      actor: Actor | null,
    ): Promise<void> {
      const changed = await repos.transaction(async (tx) => {
        const before = await tx.integrations.lock(applicationId);
        if (!before || before.fingerprint !== fingerprint) return null;
        const permissions = JSON.parse(before.permissions) as Permissions;
        const permissionLost = change.missing !== undefined && permissions[change.missing];
        if (change.missing) permissions[change.missing] = false;
        if (before.status === change.status && !permissionLost && before.lastErrorCode === change.code) return null;
        const patch = { status: change.status, permissions: JSON.stringify(permissions), lastErrorCode: change.code, lastErrorMessage: change.message };
        await tx.integrations.update(applicationId, patch);
        const after: IntegrationRow = { ...before, ...patch };
        if (before.status !== after.status || permissionLost) {
          await audit.record(tx, {
            action: before.status !== after.status ? 'integration.status_changed' : 'integration.permissions_changed',
            actor,
            applicationId,
            detail: {
              maskedKey: after.maskedKey,
              from: before.status,
              to: after.status,
              reason: change.code,
              missingPermissions: missingPermissions(permissions),
            },
          });
        }
        return { before, after };
      });
      if (changed && changed.before.status !== changed.after.status) {
        logger.info({ applicationId, from: changed.before.status, to: changed.after.status, reason: change.code }, 'integration status changed');
      }
    },

    /**
     * Every workflow request asks, so that a key replaced or removed — or an organization key's
     * account changed — through another instance is never used from this one's cache of Stripe
     * clients: the current key's fingerprint, and the Stripe-Context its calls send.
     */
    async current(applicationId: string): Promise<{ fingerprint: string; stripeContext: string | null }> {
      const row = await requireIntegration(repos, applicationId);
      return { fingerprint: row.fingerprint, stripeContext: await storedStripeContext(repos, row) };
    },

    /** The plaintext key, for calling Stripe on the application's behalf. Never leaves the server. */
    async openKey(applicationId: string): Promise<{ apiKey: string; fingerprint: string }> {
      const row = await requireIntegration(repos, applicationId);
      return { apiKey: openStoredKey(keyring, row), fingerprint: row.fingerprint };
    },

    async remove(applicationId: string, actor: Actor | null): Promise<void> {
      const row = await repos.transaction(async (tx) => {
        const current = await tx.integrations.lock(applicationId);
        if (!current) {
          await requireApplication(tx, applicationId);
          throw new ApiError('integration_not_found');
        }
        await tx.integrations.delete(applicationId);
        await audit.record(tx, { action: 'integration.removed', actor, applicationId, detail: { maskedKey: current.maskedKey } });
        return current;
      });
      onKeyChanged(applicationId);
      logger.info({ applicationId, maskedKey: row.maskedKey }, 'stripe key removed');
    },

    /** Master-key rotation: every stored key not sealed under the current master key, re-sealed under it. */
    resealAll(): Promise<number> {
      return resealAll({ repos, keyring, onKeyChanged });
    },

    /** The application is gone (its sealed key went with it, by cascade). */
    applicationDeleted(applicationId: string): void {
      onKeyChanged(applicationId);
    },
  };
  return service;
}
