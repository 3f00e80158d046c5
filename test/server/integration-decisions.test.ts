/** The integration's pure decisions: what a replacement warns about, and what a re-check changes. */
import { describe, expect, it } from 'vitest';
import type { Validation } from '../../shared/api.js';
import { PERMISSION_IDS } from '../../shared/permissions.js';
import type { IntegrationRow } from '../../server/db/repositories.js';
import { inWords, previousKeyExpiry } from '../../server/integrations/key-expiry.js';
import { recheckOutcome } from '../../server/integrations/recheck.js';
import { keyReusedWarning, replacementWarnings, usedElsewhereWarning } from '../../server/integrations/replacement-warnings.js';
import { decideVerdict } from '../../server/stripe/verdict.js';

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

describe("an organization key's verdict", () => {
  const at = '2026-11-28T10:00:00.000Z';
  const orgKey = { ok: true as const, key: `sk_org_${'a'.repeat(99)}`, keyType: 'organization' as const, mode: null };
  const granted = (value: unknown) => ({ ok: true as const, value });
  const refused = { ok: false as const, failure: { kind: 'permission' as const, message: '', accountId: null, scope: null } };
  const probes = (balance: unknown, charges: unknown) => ({
    charges_read: charges === null ? refused : granted(charges),
    customers_read: granted({ object: 'list', data: [] }),
    customers_write: { ok: false as const, failure: { kind: 'request' as const, statusCode: 404, code: 'resource_missing', message: '', param: null } },
    balance_read: balance === null ? refused : granted(balance),
    balance_transactions_read: granted({ object: 'list', data: [] }),
  });
  const account = { ok: true as const, value: { id: 'acct_1Org', name: 'Sandbox A' } };

  it('takes its mode from what Stripe answered: the balance, else a listed object; live, said so, when nothing says', () => {
    const fromBalance = decideVerdict(orgKey, { account, probes: probes({ livemode: false }, null) }, at, 'acct_1Org');
    expect(fromBalance).toMatchObject({ ok: true, validation: { keyType: 'organization', mode: 'test', accountId: 'acct_1Org', accountName: 'Sandbox A' } });
    const fromCharge = decideVerdict(orgKey, { account, probes: probes(null, { object: 'list', data: [{ livemode: true }] }) }, at, 'acct_1Org');
    expect(fromCharge).toMatchObject({ ok: true, validation: { mode: 'live' } });
    const unknown = decideVerdict(orgKey, { account: refused, probes: probes(null, { object: 'list', data: [] }) }, at, 'acct_1Org');
    expect(unknown).toMatchObject({ ok: true, validation: { mode: 'live', accountId: 'acct_1Org', accountName: null } });
    if (!unknown.ok) throw new Error('refused');
    expect(unknown.validation.warnings.map((w) => w.code)).toEqual(['mode_unconfirmed', 'organization_key_wide_access', 'missing_permissions', 'live_mode']);
  });

  it('an account it may not act on is stripe_account_inaccessible, whatever else was answered', () => {
    const noAccess = { ok: false as const, failure: { kind: 'account_access' as const, message: '' } };
    expect(decideVerdict(orgKey, { account: noAccess, probes: probes({ livemode: false }, null) }, at, 'acct_1Other')).toEqual({
      ok: false,
      refusal: { code: 'stripe_account_inaccessible' },
    });
  });
});

describe('the Rotate dialog’s Expiration', () => {
  const now = new Date('2026-11-28T10:00:00.000Z');
  it('takes now (a few minutes of clock difference allowed) to 7 days ahead, normalised to UTC, and refuses the rest', () => {
    expect(previousKeyExpiry(undefined, now)).toBeNull();
    expect(previousKeyExpiry('2026-11-28T09:57:00.000Z', now)).toBe('2026-11-28T09:57:00.000Z');
    expect(previousKeyExpiry('2026-12-05T11:00:00+01:00', now)).toBe('2026-12-05T10:00:00.000Z');
    for (const out of ['2026-11-28T09:54:00.000Z', '2026-12-05T10:06:00.000Z']) {
      expect(() => previousKeyExpiry(out, now), out).toThrow(expect.objectContaining({ code: 'key_expiry_out_of_range' }));
    }
  });

  it('says how long is left as a countdown reads', () => {
    expect([inWords(30_000), inWords(45 * 60_000), inWords(23.9 * 3600_000), inWords(3 * 86_400_000 + 1)]).toEqual(['1 min', '45 min', '23 h', '3 days']);
  });
});
