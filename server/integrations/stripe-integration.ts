/**
 * The Stripe integration of an application: connect a key (check with Stripe, seal, store),
 * re-check it, remove it. A key Stripe refuses changes nothing; a Stripe outage changes nothing.
 * The pure decisions live beside it: the API's view (integration-view.ts), what a replacement
 * should warn about (replacement-warnings.ts), what a re-check changes (recheck.ts); so do the
 * sealed key at rest and re-sealing (sealed-key.ts).
 */
import type { Integration, KeySource, Validation, Warning } from '../../shared/api.js';
import { maskKey, parseKey, type ParsedKey } from '../../shared/keys.js';
import { missingPermissions, type PermissionId, type Permissions } from '../../shared/permissions.js';
import { ApiError, refusalError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import type { Actor } from '../auth/principal.js';
import type { ApplicationRow, IntegrationRow, Repositories } from '../db/repositories.js';
import type { Keyring } from '../crypto/keyring.js';
import type { KeyChecker } from '../stripe/key-checker.js';
import type { Logger } from '../logger.js';
import { statusOf, toIntegration, type KeyAge } from './integration-view.js';
import { requireApplication, requireIntegration } from './lookups.js';
import { createRecheck } from './recheck.js';
import { keyReusedWarning, replacementWarnings, usedElsewhereWarning } from './replacement-warnings.js';
import { associatedData, isSameKey, openStoredKey, resealAll, sealToColumns } from './sealed-key.js';

export type IntegrationService = ReturnType<typeof createIntegrationService>;

/** How a key came to be stored: by a PUT for one application, or by a rotation for several; from where; by whom. */
type StoreRequest = { via: 'put' | 'rotation'; source: KeySource; actor: Actor | null };

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
  const { recheck, recheckMany, recheckAll } = createRecheck({ repos, keyring, checker, audit, now, logger, keyAge });

  /** Shape first: malformed and publishable keys never reach Stripe. */
  function parseOrRefuse(apiKey: string): ParsedKey {
    const parsed = parseKey(apiKey);
    if (!parsed.ok) throw new ApiError(parsed.code, parsed.message ? { message: parsed.message } : {});
    return parsed;
  }

  async function checkParsed(key: ParsedKey): Promise<{ key: ParsedKey; validation: Validation }> {
    const verdict = await checker.check(key);
    if (!verdict.ok) throw refusalError(verdict.refusal);
    return { key, validation: verdict.validation };
  }

  /** Shape first (malformed and publishable keys never reach Stripe), then Stripe's answer. */
  async function checkKey(apiKey: string): Promise<{ key: ParsedKey; validation: Validation }> {
    return checkParsed(parseOrRefuse(apiKey));
  }

  /** A key whose mode differs from the application's declared environment never reaches Stripe. */
  function requireMode(application: ApplicationRow, key: ParsedKey): void {
    if (application.environment && application.environment !== key.mode) {
      throw new ApiError('mode_mismatch', {
        message: `This is a ${key.mode} key, but the application "${application.name}" is declared ${application.environment}. Nothing was stored.`,
      });
    }
  }

  /**
   * Seals and stores the key for one application, inside `tx`, with its audit event. The
   * application's environment is read again here, under the row lock a PATCH takes too: one
   * changed while Stripe was answering refuses the key (mode_mismatch) and the transaction stores
   * nothing.
   */
  async function store(tx: Repositories, applicationId: string, key: ParsedKey, validation: Validation, how: StoreRequest) {
    const application = await tx.applications.lock(applicationId);
    if (!application) throw new ApiError('application_not_found');
    requireMode(application, key);
    const previous = await tx.integrations.lock(applicationId);
    const sealer = keyring.current; // the newest master key (re-read if master.key changed)
    const at = now().toISOString();
    const row: IntegrationRow = {
      applicationId,
      keyType: key.keyType,
      mode: key.mode,
      maskedKey: maskKey(key.key),
      accountId: validation.accountId,
      status: statusOf(validation),
      permissions: JSON.stringify(validation.permissions),
      source: how.source,
      connectedAt: previous && isSameKey(keyring, previous, key.key) ? previous.connectedAt : at,
      lastValidatedAt: validation.checkedAt,
      lastErrorCode: null,
      lastErrorMessage: null,
      fingerprint: sealer.fingerprint(key.key),
      ...sealToColumns(sealer.seal(key.key, associatedData(applicationId))),
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
        ...(previous ? { previousMaskedKey: previous.maskedKey, previousAccountId: previous.accountId, previousMode: previous.mode, previousStatus: previous.status } : {}),
        keyType: row.keyType,
        mode: row.mode,
        status: row.status,
        missingPermissions: validation.missingPermissions,
        source: row.source,
      },
    });
    return { row, previous, warnings: replacementWarnings(previous, row) };
  }

  /** Other applications holding an older key of the same account and mode. */
  async function usedElsewhere(row: IntegrationRow, apiKey: string): Promise<Warning | null> {
    if (!row.accountId) return null;
    const others = (await repos.integrations.withAccount(row.accountId, row.mode, row.applicationId)).filter((o) => !isSameKey(keyring, o, apiKey));
    return usedElsewhereWarning({ accountId: row.accountId, mode: row.mode }, others);
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

    async connect(applicationId: string, input: { apiKey: string; source?: KeySource }, actor: Actor | null) {
      const key = parseOrRefuse(input.apiKey);
      requireMode(await requireApplication(repos, applicationId), key);
      const { validation } = await checkParsed(key);
      // Stripe took a while: the application may have been deleted, or its environment changed,
      // meanwhile. Inside the write, the application is locked: a delete or a PATCH racing this
      // replace either waits for it (and then removes the new key with the application, or changes
      // an environment the key was checked against) or wins (and this answers application_not_found
      // or mode_mismatch, storing nothing).
      const how: StoreRequest = { via: 'put', source: input.source ?? 'api', actor };
      const stored = await repos.transaction(async (tx) => store(tx, applicationId, key, validation, how));
      onKeyChanged(applicationId);
      const warnings: Warning[] = [...validation.warnings, ...stored.warnings];
      for (const other of await repos.integrations.withFingerprint(keyring.fingerprints(key.key), applicationId)) {
        warnings.push(keyReusedWarning(other));
      }
      const elsewhere = await usedElsewhere(stored.row, key.key);
      if (elsewhere) warnings.push(elsewhere);
      logger.info({ applicationId, maskedKey: stored.row.maskedKey, status: stored.row.status, mode: stored.row.mode }, 'stripe key connected');
      return { integration: toIntegration(stored.row, keyAge), validation: { ...validation, warnings } };
    },

    /**
     * After a rotation in the Stripe Dashboard: one new key, checked once, replacing the key of
     * every listed application in one transaction — all of them or none. An unknown application
     * (404), an environment the key's mode doesn't fit (422, checked again inside the write) or a
     * key Stripe refuses (422) changes nothing anywhere. `replacements` says, per application,
     * what a PUT would have warned about (account_changed, mode_changed).
     */
    async rotate(input: { apiKey: string; applicationIds: string[]; source?: KeySource }, actor: Actor | null) {
      const key = parseOrRefuse(input.apiKey);
      const ids = [...new Set(input.applicationIds)];
      for (const id of ids) requireMode(await requireApplication(repos, id), key);
      const { validation } = await checkParsed(key);
      const how: StoreRequest = { via: 'rotation', source: input.source ?? 'api', actor };
      const stored = await repos.transaction(async (tx) => {
        const rows = [];
        for (const id of ids) rows.push(await store(tx, id, key, validation, how));
        return rows;
      });
      for (const id of ids) onKeyChanged(id);
      const warnings: Warning[] = [...validation.warnings];
      const elsewhere = await usedElsewhere(stored[0].row, key.key);
      if (elsewhere) warnings.push(elsewhere);
      logger.info({ applicationIds: ids, maskedKey: stored[0].row.maskedKey, mode: key.mode }, 'stripe key rotated');
      return {
        validation: { ...validation, warnings },
        integrations: stored.map((s) => toIntegration(s.row, keyAge)),
        replacements: stored.map((s) => ({ applicationId: s.row.applicationId, previousMaskedKey: s.previous?.maskedKey ?? null, warnings: s.warnings })),
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
     * Every workflow request asks, so that a key replaced or removed through another instance is
     * never used from this one's cache of Stripe clients: the current key's fingerprint.
     */
    async fingerprint(applicationId: string): Promise<string> {
      return (await requireIntegration(repos, applicationId)).fingerprint;
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
