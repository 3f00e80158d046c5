/**
 * The Stripe integration of an application: connect a key (check with Stripe, seal, store),
 * re-check it, remove it. A key Stripe refuses changes nothing; a Stripe outage changes nothing.
 */
import type { Integration, IntegrationStatus, KeySource, Validation, Warning } from '../../shared/api.js';
import { ERRORS } from '../../shared/errors.js';
import { maskKey, parseKey, type ParsedKey } from '../../shared/keys.js';
import { missingPermissions, type PermissionId, type Permissions } from '../../shared/permissions.js';
import { ApiError } from '../api-error.js';
import type { AuditRecorder } from '../audit.js';
import type { ApplicationRow, IntegrationRow, Repositories } from '../db/repositories.js';
import type { Keyring } from '../crypto/keyring.js';
import type { KeyChecker } from '../stripe/key-checker.js';
import type { Refusal } from '../stripe/verdict.js';
import type { Logger } from '../logger.js';

export type IntegrationService = ReturnType<typeof createIntegrationService>;

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

/** Key age: a key is due for rotation `maxAgeMs` after it was connected (0: not tracked). */
export type KeyAge = { maxAgeMs: number; now: () => Date };

export function rotationDueAt(connectedAt: string, keyAge: KeyAge): string | null {
  return keyAge.maxAgeMs > 0 ? new Date(Date.parse(connectedAt) + keyAge.maxAgeMs).toISOString() : null;
}

export function toIntegration(row: IntegrationRow, keyAge: KeyAge): Integration {
  const permissions = JSON.parse(row.permissions) as Permissions;
  const dueAt = rotationDueAt(row.connectedAt, keyAge);
  return {
    applicationId: row.applicationId,
    provider: 'stripe',
    keyType: row.keyType,
    mode: row.mode,
    maskedKey: row.maskedKey,
    accountId: row.accountId,
    status: row.status,
    permissions,
    missingPermissions: missingPermissions(permissions),
    source: row.source,
    connectedAt: row.connectedAt,
    lastValidatedAt: row.lastValidatedAt,
    lastError: row.lastErrorCode ? { code: row.lastErrorCode, message: row.lastErrorMessage ?? '' } : null,
    rotationDueAt: dueAt,
    rotationDue: dueAt !== null && keyAge.now().getTime() >= Date.parse(dueAt),
  };
}

export function statusOf(validation: Pick<Validation, 'missingPermissions'>): IntegrationStatus {
  return validation.missingPermissions.length === 0 ? 'connected' : 'missing_permissions';
}

/** The sealed key is bound to its application: a sealed value copied to another row won't open. */
export const associatedData = (applicationId: string) => `stripe-integration:${applicationId}`;

export function createIntegrationService({ repos, keyring, checker, audit, now, logger, keyMaxAgeMs = 0, onKeyChanged = () => {} }: Deps) {
  const keyAge: KeyAge = { maxAgeMs: keyMaxAgeMs, now };
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

  /** Seals and stores the key for one application, inside `tx`, with its audit event. */
  async function store(tx: Repositories, applicationId: string, key: ParsedKey, validation: Validation, source: KeySource, deviceId: string | null) {
    if (!(await tx.applications.lock(applicationId))) throw new ApiError('application_not_found');
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
      source,
      connectedAt: previous && isSameKey(previous, key.key) ? previous.connectedAt : at,
      lastValidatedAt: validation.checkedAt,
      lastErrorCode: null,
      lastErrorMessage: null,
      fingerprint: sealer.fingerprint(key.key),
      ...sealToColumns(sealer.seal(key.key, associatedData(applicationId))),
    };
    await tx.integrations.upsert(row);
    await audit.record(
      {
        action: previous ? 'integration.replaced' : 'integration.connected',
        deviceId,
        applicationId,
        detail: {
          maskedKey: row.maskedKey,
          ...(previous ? { previousMaskedKey: previous.maskedKey } : {}),
          keyType: row.keyType,
          mode: row.mode,
          status: row.status,
          missingPermissions: validation.missingPermissions,
          source: row.source,
        },
      },
      tx,
    );
    return { row, previous };
  }

  /** What changed with a replacement that a person should hear about: another account, another mode. */
  function replacementWarnings(previous: IntegrationRow | undefined, next: IntegrationRow): Warning[] {
    if (!previous) return [];
    const warnings: Warning[] = [];
    if (previous.accountId && next.accountId && previous.accountId !== next.accountId) {
      warnings.push({
        code: 'account_changed',
        message: `The new key belongs to Stripe account ${next.accountId}; the key it replaced belonged to ${previous.accountId}.`,
      });
    }
    if (previous.mode !== next.mode) {
      warnings.push({ code: 'mode_changed', message: `The new key is a ${next.mode} key; the key it replaced was a ${previous.mode} key.` });
    }
    return warnings;
  }

  /**
   * Other applications holding an older key of the same account and mode — after a rotation in the
   * Stripe Dashboard, the ones that still need the new key (POST /api/stripe/rotate).
   */
  async function usedElsewhere(row: IntegrationRow, apiKey: string): Promise<Warning | null> {
    if (!row.accountId) return null;
    const others = (await repos.integrations.withAccount(row.accountId, row.mode, row.applicationId)).filter((o) => !isSameKey(o, apiKey));
    if (others.length === 0) return null;
    const names = others.map((o) => `"${o.applicationName}"`).join(', ');
    return {
      code: 'account_used_elsewhere',
      message: `${others.length === 1 ? 'Another application' : `${others.length} other applications`} (${names}) still use${others.length === 1 ? 's' : ''} an older key of Stripe account ${row.accountId} in ${row.mode} mode: update ${others.length === 1 ? 'it' : 'them'} with this key too.`,
      details: { applications: others.map((o) => ({ id: o.applicationId, name: o.applicationName, maskedKey: o.maskedKey })) },
    };
  }

  async function requireApplication(applicationId: string, db: Repositories = repos) {
    const application = await db.applications.get(applicationId);
    if (!application) throw new ApiError('application_not_found');
    return application;
  }

  /** One query when there is an integration (it implies the application); two to say which is missing. */
  async function requireIntegration(applicationId: string): Promise<IntegrationRow> {
    const row = await repos.integrations.get(applicationId);
    if (row) return row;
    await requireApplication(applicationId);
    throw new ApiError('integration_not_found');
  }

  /** Whether a stored row holds this very key: its fingerprint under the master key that sealed it. */
  function isSameKey(row: IntegrationRow, apiKey: string): boolean {
    const sealer = keyring.find(row.keyId);
    return sealer !== undefined && sealer.fingerprint(apiKey) === row.fingerprint;
  }

  const service = {
    checkKey,
    keyAge,

    /** The API's view of a stored row. */
    view(row: IntegrationRow): Integration {
      return toIntegration(row, keyAge);
    },

    async get(applicationId: string): Promise<Integration> {
      return toIntegration(await requireIntegration(applicationId), keyAge);
    },

    async connect(applicationId: string, input: { apiKey: string; source?: KeySource }, deviceId: string | null) {
      const key = parseOrRefuse(input.apiKey);
      requireMode(await requireApplication(applicationId), key);
      const { validation } = await checkParsed(key);
      // Stripe took a while: the application may have been deleted meanwhile. Inside the write, the
      // application is locked: a delete racing this replace either waits for it (and then removes
      // the new key with the application) or wins (and this answers application_not_found).
      const stored = await repos.transaction(async (tx) => store(tx, applicationId, key, validation, input.source ?? 'api', deviceId));
      onKeyChanged(applicationId);
      const warnings: Warning[] = [...validation.warnings, ...replacementWarnings(stored.previous, stored.row)];
      for (const other of await repos.integrations.withFingerprint(keyring.fingerprints(key.key), applicationId)) {
        warnings.push({ code: 'key_reused', message: `This key is also connected to the application "${other.applicationName}" (${other.applicationId}).` });
      }
      const elsewhere = await usedElsewhere(stored.row, key.key);
      if (elsewhere) warnings.push(elsewhere);
      logger.info({ applicationId, maskedKey: stored.row.maskedKey, status: stored.row.status, mode: stored.row.mode }, 'stripe key connected');
      return { integration: toIntegration(stored.row, keyAge), validation: { ...validation, warnings } };
    },

    /**
     * After a rotation in the Stripe Dashboard: one new key, checked once, replacing the key of
     * every listed application in one transaction — all of them or none. An unknown application
     * (404), an environment the key's mode doesn't fit (422) or a key Stripe refuses (422)
     * changes nothing anywhere.
     */
    async rotate(input: { apiKey: string; applicationIds: string[]; source?: KeySource }, deviceId: string | null) {
      const key = parseOrRefuse(input.apiKey);
      const ids = [...new Set(input.applicationIds)];
      for (const id of ids) requireMode(await requireApplication(id), key);
      const { validation } = await checkParsed(key);
      const stored = await repos.transaction(async (tx) => {
        const rows = [];
        for (const id of ids) rows.push(await store(tx, id, key, validation, input.source ?? 'api', deviceId));
        return rows;
      });
      for (const id of ids) onKeyChanged(id);
      const warnings: Warning[] = [...validation.warnings];
      const elsewhere = await usedElsewhere(stored[0].row, key.key);
      if (elsewhere) warnings.push(elsewhere);
      logger.info({ applicationIds: ids, maskedKey: stored[0].row.maskedKey, mode: key.mode }, 'stripe key rotated');
      return { validation: { ...validation, warnings }, integrations: stored.map((s) => toIntegration(s.row, keyAge)) };
    },

    /** Re-check the stored key. Stripe saying no marks it invalid; Stripe not answering changes nothing. */
    async revalidate(applicationId: string, deviceId: string | null, reason = 'manual re-check') {
      const before = await requireIntegration(applicationId);
      const apiKey = keyring.open(sealedOf(before), associatedData(applicationId));
      const parsed = parseKey(apiKey);
      if (!parsed.ok) throw new ApiError('internal_error', { message: 'The stored key is not a valid key.' });
      const verdict = await checker.check(parsed);
      const at = now().toISOString();

      let validation: Validation;
      let patch: Partial<IntegrationRow>;
      if (verdict.ok) {
        validation = verdict.validation;
        patch = {
          status: statusOf(validation),
          permissions: JSON.stringify(validation.permissions),
          accountId: validation.accountId ?? before.accountId,
          lastValidatedAt: validation.checkedAt,
          lastErrorCode: null,
          lastErrorMessage: null,
        };
      } else if (verdict.refusal.code === 'invalid_api_key' || verdict.refusal.code === 'expired_api_key') {
        const spec = ERRORS[verdict.refusal.code];
        const permissions = JSON.parse(before.permissions) as Permissions;
        validation = {
          valid: false,
          keyType: before.keyType,
          mode: before.mode,
          accountId: before.accountId,
          permissions,
          missingPermissions: missingPermissions(permissions),
          warnings: [{ code: verdict.refusal.code, message: `${spec.message} ${spec.hint}` }],
          checkedAt: at,
        };
        patch = { status: 'invalid', lastValidatedAt: at, lastErrorCode: verdict.refusal.code, lastErrorMessage: spec.message };
      } else {
        throw refusalError(verdict.refusal);
      }

      // The key may have been replaced or removed (through any instance) while Stripe answered:
      // only update the very key we checked.
      const after = await repos.transaction(async (tx) => {
        const current = await tx.integrations.lock(applicationId);
        if (!current || current.fingerprint !== before.fingerprint) return null;
        await tx.integrations.update(applicationId, patch);
        const updated: IntegrationRow = { ...current, ...patch };
        if (current.status !== updated.status) {
          await audit.record(
            {
              action: 'integration.status_changed',
              deviceId,
              applicationId,
              detail: { maskedKey: updated.maskedKey, from: current.status, to: updated.status, reason },
            },
            tx,
          );
        }
        return { current, updated };
      });
      if (!after) return { integration: await service.get(applicationId), validation };
      if (after.current.status !== after.updated.status) {
        logger.info({ applicationId, from: after.current.status, to: after.updated.status, reason }, 'integration status changed');
      }
      return { integration: toIntegration(after.updated, keyAge), validation };
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
      deviceId: string | null,
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
          await audit.record({
            action: before.status !== after.status ? 'integration.status_changed' : 'integration.permissions_changed',
            deviceId,
            applicationId,
            detail: {
              maskedKey: after.maskedKey,
              from: before.status,
              to: after.status,
              reason: change.code,
              missingPermissions: missingPermissions(permissions),
            },
          }, tx);
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
      return (await requireIntegration(applicationId)).fingerprint;
    },

    /** The plaintext key, for calling Stripe on the application's behalf. Never leaves the server. */
    async openKey(applicationId: string): Promise<{ apiKey: string; fingerprint: string }> {
      const row = await requireIntegration(applicationId);
      return { apiKey: keyring.open(sealedOf(row), associatedData(applicationId)), fingerprint: row.fingerprint };
    },

    async remove(applicationId: string, deviceId: string | null): Promise<void> {
      const row = await repos.transaction(async (tx) => {
        const current = await tx.integrations.lock(applicationId);
        if (!current) {
          await requireApplication(applicationId, tx);
          throw new ApiError('integration_not_found');
        }
        await tx.integrations.delete(applicationId);
        await audit.record({ action: 'integration.removed', deviceId, applicationId, detail: { maskedKey: current.maskedKey } }, tx);
        return current;
      });
      onKeyChanged(applicationId);
      logger.info({ applicationId, maskedKey: row.maskedKey }, 'stripe key removed');
    },

    /** Re-checks the given stored keys one at a time (Stripe's rate limit is per account). */
    async recheck(applicationIds: string[]): Promise<{ checked: number; changed: number; skipped: number }> {
      let checked = 0;
      let changed = 0;
      let skipped = 0;
      for (const applicationId of applicationIds) {
        try {
          const before = await repos.integrations.get(applicationId);
          if (!before) continue; // removed since it was claimed
          const { integration } = await service.revalidate(applicationId, null, 'scheduled re-check');
          checked++;
          if (integration.status !== before.status) changed++;
        } catch (error) {
          skipped++;
          logger.warn({ applicationId, err: error instanceof Error ? error.message : String(error) }, 'scheduled re-check skipped');
        }
      }
      return { checked, changed, skipped };
    },

    /** Every stored key, now. */
    async recheckAll(): Promise<{ checked: number; changed: number; skipped: number }> {
      return service.recheck((await repos.integrations.list()).map((r) => r.applicationId));
    },

    /**
     * Master-key rotation: re-seals (and re-fingerprints) every stored key not sealed under the
     * current master key, one row at a time, each only if it is unchanged since it was read — a
     * key replaced meanwhile was sealed under the current key anyway. Returns how many it re-sealed.
     */
    async resealAll(): Promise<number> {
      const sealer = keyring.current;
      let resealed = 0;
      // A row changed under us is read again on the next pass; a bound keeps a pathological race finite.
      for (let pass = 0; pass < 1000; pass++) {
        const batch = await repos.integrations.sealedOtherThan(sealer.keyId, 100);
        if (batch.length === 0) break;
        for (const row of batch) {
          const apiKey = keyring.open(sealedOf(row), associatedData(row.applicationId));
          const next = { ...sealToColumns(sealer.seal(apiKey, associatedData(row.applicationId))), fingerprint: sealer.fingerprint(apiKey) };
          if (await repos.integrations.reseal(row.applicationId, sealedOfRow(row), next)) {
            resealed++;
            onKeyChanged(row.applicationId);
          }
        }
      }
      return resealed;
    },

    /** The application is gone (its sealed key went with it, by cascade). */
    applicationDeleted(applicationId: string): void {
      onKeyChanged(applicationId);
    },
  };
  return service;
}

function refusalError(refusal: Refusal): ApiError {
  const headers: Record<string, string> = refusal.retryAfterSeconds ? { 'Retry-After': String(refusal.retryAfterSeconds) } : {};
  return new ApiError(refusal.code, refusal.message ? { message: refusal.message } : {}, headers);
}

function sealToColumns(sealed: { keyId: string; sealed: string }) {
  return { keyId: sealed.keyId, sealedKey: sealed.sealed };
}

function sealedOfRow(row: Pick<IntegrationRow, 'keyId' | 'sealedKey'>) {
  return { keyId: row.keyId, sealedKey: row.sealedKey };
}

function sealedOf(row: Pick<IntegrationRow, 'keyId' | 'sealedKey'>) {
  return { keyId: row.keyId, sealed: row.sealedKey };
}
