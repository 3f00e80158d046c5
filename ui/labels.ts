/** The words the card, the popup, the options page and the console use for the API's values. Pure. */
import type { IntegrationStatus, Role } from '../shared/api.js';
import type { KeyMode, KeyType } from '../shared/keys.js';
import { inWords } from '../shared/key-expiry.js';
import { permissionInfo, type PermissionId } from '../shared/permissions.js';

export function keyTypeLabel(keyType: KeyType): string {
  return keyType === 'secret' ? 'Secret key' : keyType === 'organization' ? 'Organization key' : 'Restricted key';
}

/** `Sandbox A (acct_1…)`: the account's name in Stripe beside its id — which sandbox, not only which id. */
export function accountLabel(account: { accountId: string | null; accountName: string | null }): string {
  if (!account.accountId) return account.accountName ?? 'unknown';
  return account.accountName ? `${account.accountName} (${account.accountId})` : account.accountId;
}

export function modeLabel(mode: KeyMode): string {
  return mode === 'live' ? 'Live mode' : 'Test mode';
}

export const ROTATION_DUE = 'Rotation due';

/** The Stripe mode an application declares it is meant for; null: not declared, nothing to say. */
export function environmentLabel(environment: 'test' | 'live' | null): string | null {
  if (environment === null) return null;
  return environment === 'live' ? 'Live environment' : 'Test environment';
}

/** "Rotation due since 1 Apr 2026 …": when the key came due, if the backend says. */
export function rotationDueText(rotationDueAt: string | null): string {
  return rotationDueAt ? `${ROTATION_DUE} since ${formatTime(rotationDueAt)}` : ROTATION_DUE;
}

/**
 * "Stops working in 23 h" or "Stopped working": a key rotated in Stripe with an Expiration, which
 * an application still holds. Null when it has no end.
 */
export function keyExpiryText(keyExpiresAt: string | null, now: Date = new Date()): string | null {
  if (!keyExpiresAt) return null;
  const left = Date.parse(keyExpiresAt) - now.getTime();
  if (Number.isNaN(left)) return null;
  return left > 0 ? `Stops working in ${inWords(left)}` : 'Stopped working';
}

export const LIVE_MODE_WARNING = 'Live mode: processes real payments';

export function statusLabel(status: IntegrationStatus | 'none'): string {
  switch (status) {
    case 'connected':
      return 'Connected';
    case 'missing_permissions':
      return 'Missing permissions';
    case 'invalid':
      return 'Invalid key';
    case 'unverified':
      return 'Not checked yet';
    case 'none':
      return 'Stripe not connected';
  }
}

export function permissionLabels(ids: readonly PermissionId[]): string[] {
  return ids.map((id) => permissionInfo(id).label);
}

/** A time the API gives, in the reader's locale; "never" when there is none. */
export function formatTime(iso: string | null): string {
  if (!iso) return 'never';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A person's role as the console, the options page and the popup name it. */
export function roleLabel(role: Role): string {
  return role === 'admin' ? 'Admin' : role === 'member' ? 'Member' : 'Viewer';
}
