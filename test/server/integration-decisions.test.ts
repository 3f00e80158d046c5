/** The integration's pure decisions: what a replacement warns about, and what a re-check changes. */
import { describe, expect, it } from 'vitest';
import type { Validation } from '../../shared/api.js';
import { PERMISSION_IDS } from '../../shared/permissions.js';
import type { IntegrationRow } from '../../server/db/repositories.js';
import { recheckOutcome } from '../../server/integrations/recheck.js';
import { keyReusedWarning, replacementWarnings, usedElsewhereWarning } from '../../server/integrations/replacement-warnings.js';

const all = Object.fromEntries(PERMISSION_IDS.map((id) => [id, true]));

const row: IntegrationRow = {
  applicationId: 'app_1',
  keyType: 'restricted',
  mode: 'test',
  maskedKey: 'rk_test_…Ab12',
  accountId: 'acct_1',
  accountName: 'Serval Shop',
  status: 'connected',
  permissions: JSON.stringify(all),
  source: 'api',
  connectedAt: '2026-01-01T00:00:00.000Z',
  lastValidatedAt: '2026-01-01T00:00:00.000Z',
  lastErrorCode: null,
  lastErrorMessage: null,
  fingerprint: 'fp',
  keyId: 'k1',
  sealedKey: 'sealed',
  keyExpiresAt: null,
} as IntegrationRow;

describe('replacement warnings', () => {
  it('a first key warns about nothing', () => {
    expect(replacementWarnings(undefined, row)).toEqual([]);
  });

  it('a key of the same account and mode warns about nothing', () => {
    expect(replacementWarnings(row, { accountId: 'acct_1', mode: 'test' })).toEqual([]);
  });

  it('another account and another mode are each named', () => {
    const warnings = replacementWarnings(row, { accountId: 'acct_2', mode: 'live' });
    expect(warnings.map((w) => w.code)).toEqual(['account_changed', 'mode_changed']);
    expect(warnings[0].message).toContain('acct_2');
    expect(warnings[0].message).toContain('acct_1');
    expect(warnings[1].message).toBe('The new key is a live key; the key it replaced was a test key.');
  });

  it('an account unknown on either side is no account change', () => {
    expect(replacementWarnings({ accountId: null, mode: 'test' }, { accountId: 'acct_2', mode: 'test' })).toEqual([]);
  });

  it('a reused key names the other application', () => {
    expect(keyReusedWarning({ applicationId: 'app_2', applicationName: 'Billing' })).toEqual({
      code: 'key_reused',
      message: 'This key is also connected to the application "Billing" (app_2).',
    });
  });

  it('applications still holding an older key of the account are listed, in the singular or plural', () => {
    const key = { accountId: 'acct_1', mode: 'test' };
    expect(usedElsewhereWarning(key, [])).toBeNull();
    const one = usedElsewhereWarning(key, [{ applicationId: 'app_2', applicationName: 'Billing', maskedKey: 'rk_test_…Zz99' }]);
    expect(one).toEqual({
      code: 'account_used_elsewhere',
      message: 'Another application ("Billing") still uses an older key of Stripe account acct_1 in test mode: update it with this key too.',
      details: { applications: [{ id: 'app_2', name: 'Billing', maskedKey: 'rk_test_…Zz99' }] },
    });
    const two = usedElsewhereWarning(key, [
      { applicationId: 'app_2', applicationName: 'Billing', maskedKey: 'a' },
      { applicationId: 'app_3', applicationName: 'Shop', maskedKey: 'b' },
    ]);
    expect(two?.message).toBe(
      '2 other applications ("Billing", "Shop") still use an older key of Stripe account acct_1 in test mode: update them with this key too.',
    );
  });
});

describe('what a re-check changes', () => {
  const at = '2026-02-01T00:00:00.000Z';
  const validation: Validation = {
    valid: true,
    keyType: 'restricted',
    mode: 'test',
    accountId: null,
    accountName: null,
    permissions: { ...all, balance_read: false } as Validation['permissions'],
    missingPermissions: ['balance_read'],
    warnings: [],
    checkedAt: at,
  };

  it('a fresh verdict replaces what the last check found, keeping a known account and its name', () => {
    const outcome = recheckOutcome({ ...row, lastErrorCode: 'invalid_api_key', lastErrorMessage: 'x' }, { ok: true, validation }, at);
    expect(outcome).toEqual({
      validation,
      patch: {
        status: 'missing_permissions',
        permissions: JSON.stringify(validation.permissions),
        accountId: 'acct_1',
        accountName: 'Serval Shop',
        mode: 'test',
        lastValidatedAt: at,
        lastErrorCode: null,
        lastErrorMessage: null,
      },
    });
  });

  it('a deleted or expired key is marked invalid, its permissions kept', () => {
    for (const code of ['invalid_api_key', 'expired_api_key'] as const) {
      const outcome = recheckOutcome(row, { ok: false, refusal: { code } }, at);
      expect(outcome).toMatchObject({
        validation: { valid: false, keyType: 'restricted', mode: 'test', accountId: 'acct_1', missingPermissions: [], checkedAt: at },
        patch: { status: 'invalid', lastValidatedAt: at, lastErrorCode: code },
      });
      expect('validation' in outcome && outcome.validation.warnings[0].code).toBe(code);
    }
  });

  it('Stripe refusing the key for this address is recorded as the last error, the verdict kept', () => {
    const outcome = recheckOutcome(row, { ok: false, refusal: { code: 'key_access_restricted' } }, at);
    expect(outcome).toEqual({
      refusal: { code: 'key_access_restricted' },
      patch: { lastValidatedAt: at, lastErrorCode: 'key_access_restricted', lastErrorMessage: expect.stringContaining('IP addresses') },
    });
  });

  it('Stripe down or rate-limited says nothing about the key: the refusal is the answer, nothing changes', () => {
    const refusal = { code: 'stripe_rate_limited' as const, retryAfterSeconds: 3 };
    expect(recheckOutcome(row, { ok: false, refusal }, at)).toEqual({ refusal });
    expect(recheckOutcome(row, { ok: false, refusal: { code: 'stripe_unavailable' } }, at)).toEqual({ refusal: { code: 'stripe_unavailable' } });
  });
});
