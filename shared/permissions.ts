/**
 * The five Stripe permissions Serval needs, with the restricted-key scope that grants each and
 * the side-effect-free request that proves it. A probe must never change anything in the
 * account: a write permission is proved by updating a customer that cannot exist (404 with the
 * permission, 403 without), never by creating one.
 */
import type { KeyMode } from './keys.js';

export const PERMISSION_IDS = ['charges_read', 'customers_read', 'customers_write', 'balance_read', 'balance_transactions_read'] as const;
export type PermissionId = (typeof PERMISSION_IDS)[number];
export type Permissions = Record<PermissionId, boolean>;

export type Probe = { method: 'GET' | 'POST'; path: string };

export type PermissionInfo = {
  id: PermissionId;
  /** As the Stripe Dashboard names it. */
  label: string;
  /** The scope in Stripe's create-key form. */
  scope: string;
  probe: Probe;
};

/**
 * An id no customer can have: `POST /v1/customers/<this>` is 404 with Customers: Write and 403
 * without, and never creates anything.
 */
export const NONEXISTENT_CUSTOMER_ID = 'cus_servalprobe0doesnotexist';

export const PERMISSIONS: readonly PermissionInfo[] = [
  { id: 'charges_read', label: 'Charges: Read', scope: 'rak_charge_read', probe: { method: 'GET', path: '/v1/charges?limit=1' } },
  { id: 'customers_read', label: 'Customers: Read', scope: 'rak_customer_read', probe: { method: 'GET', path: '/v1/customers?limit=1' } },
  {
    id: 'customers_write',
    label: 'Customers: Write',
    scope: 'rak_customer_write',
    probe: { method: 'POST', path: `/v1/customers/${NONEXISTENT_CUSTOMER_ID}` },
  },
  { id: 'balance_read', label: 'Balance: Read', scope: 'rak_balance_read', probe: { method: 'GET', path: '/v1/balance' } },
  {
    id: 'balance_transactions_read',
    label: 'Balance Transactions: Read',
    scope: 'rak_balance_transaction_source_read',
    probe: { method: 'GET', path: '/v1/balance_transactions?limit=1' },
  },
];

export function permissionInfo(id: PermissionId): PermissionInfo {
  return PERMISSIONS.find((p) => p.id === id)!;
}

export function missingPermissions(granted: Permissions): PermissionId[] {
  return PERMISSION_IDS.filter((id) => !granted[id]);
}

export function allPermissions(value: boolean): Permissions {
  return Object.fromEntries(PERMISSION_IDS.map((id) => [id, value])) as Permissions;
}

/** The Stripe Dashboard's API keys page, in test or live mode. */
export function apiKeysPageUrl(mode: KeyMode): string {
  return `https://dashboard.stripe.com${mode === 'test' ? '/test' : ''}/apikeys`;
}

/** Stripe's create-restricted-key page, pre-filled with Serval's name and permissions. */
export function createRestrictedKeyUrl(mode: KeyMode, name = 'Serval'): string {
  const base = `${apiKeysPageUrl(mode)}/create`;
  const query = [`name=${encodeURIComponent(name)}`, ...PERMISSIONS.map((p) => `permissions[]=${p.scope}`)].join('&');
  return `${base}?${query}`;
}

/**
 * Which of our permissions a Stripe scope named in a 403 message belongs to. Stripe names it
 * `rak_customer_write` (older wording) or `customer_write` (newer wording).
 */
export function permissionForScope(scope: string): PermissionId | null {
  const normalized = scope.startsWith('rak_') ? scope : `rak_${scope}`;
  return PERMISSIONS.find((p) => p.scope === normalized)?.id ?? null;
}
