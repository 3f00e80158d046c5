/** The API's view of a stored integration row: what a device sees, never the sealed key. */
import type { Integration, IntegrationStatus, Validation } from '../../shared/api.js';
import { missingPermissions, type Permissions } from '../../shared/permissions.js';
import type { IntegrationRow } from '../db/repositories.js';

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
    accountName: row.accountName,
    status: row.status,
    permissions,
    missingPermissions: missingPermissions(permissions),
    source: row.source,
    connectedAt: row.connectedAt,
    lastValidatedAt: row.lastValidatedAt,
    lastError: row.lastErrorCode ? { code: row.lastErrorCode, message: row.lastErrorMessage ?? '' } : null,
    rotationDueAt: dueAt,
    rotationDue: dueAt !== null && keyAge.now().getTime() >= Date.parse(dueAt),
    keyExpiresAt: row.keyExpiresAt,
  };
}

export function statusOf(validation: Pick<Validation, 'missingPermissions'>): IntegrationStatus {
  return validation.missingPermissions.length === 0 ? 'connected' : 'missing_permissions';
}
