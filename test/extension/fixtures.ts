/** Keys and API answers the extension tests share. None of these keys is real. */
import type { Application, Integration, Validation } from '../../shared/api.js';
import { allPermissions } from '../../shared/permissions.js';

/** A current-format (99-character body) key of each kind, and a legacy (24) one. */
export const body99 = `51${'Qx7Lm2Rt9Kd'.repeat(8)}Zp3Wv8Hn0`;
export const RESTRICTED_TEST = `rk_test_${body99}`;
export const RESTRICTED_LIVE = `rk_live_${body99}`;
export const SECRET_TEST = `sk_test_${body99}`;
export const SECRET_LIVE = `sk_live_${body99}`;
export const LEGACY_SECRET_TEST = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';
export const PUBLISHABLE_LIVE = `pk_live_${body99}`;

export function integration(overrides: Partial<Integration> = {}): Integration {
  return {
    applicationId: 'app_1',
    provider: 'stripe',
    keyType: 'restricted',
    mode: 'test',
    maskedKey: 'rk_test_…Hn0',
    accountId: 'acct_1Serval',
    accountName: null,
    status: 'connected',
    permissions: allPermissions(true),
    missingPermissions: [],
    source: 'extension',
    connectedAt: '2026-01-01T10:00:00.000Z',
    lastValidatedAt: '2026-01-01T10:00:00.000Z',
    lastError: null,
    rotationDueAt: '2026-04-01T10:00:00.000Z',
    rotationDue: false,
    keyExpiresAt: null,
    ...overrides,
  };
}

export function validation(overrides: Partial<Validation> = {}): Validation {
  return {
    valid: true,
    keyType: 'restricted',
    mode: 'test',
    accountId: 'acct_1Serval',
    accountName: null,
    permissions: allPermissions(true),
    missingPermissions: [],
    warnings: [],
    checkedAt: '2026-01-01T10:00:00.000Z',
    ...overrides,
  };
}

export function application(overrides: Partial<Application> = {}): Application {
  return { id: 'app_1', name: 'Billing', createdAt: '2026-01-01T09:00:00.000Z', environment: null, stripeAccount: null, stripe: null, ...overrides };
}
