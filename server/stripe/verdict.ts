/**
 * From the answers to the six checking requests to a validation, or to the reason the key is
 * refused. Pure: the requests themselves are made by key-checker.ts.
 */
import type { KeyMode, ParsedKey } from '../../shared/keys.js';
import { PERMISSION_IDS, createRestrictedKeyUrl, missingPermissions, permissionInfo, type PermissionId, type Permissions } from '../../shared/permissions.js';
import type { Validation, Warning } from '../../shared/api.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { StripeFailure } from './failures.js';

export type CallResult<T> = { ok: true; value: T } | { ok: false; failure: StripeFailure };

export type CheckAnswers = {
  /** GET /v1/account: the id, and the display name (null when the account has none). */
  account: CallResult<{ id: string; name: string | null }>;
  probes: Record<PermissionId, CallResult<unknown>>;
};

export type Refusal = { code: ErrorCode; message?: string; retryAfterSeconds?: number };
export type Verdict = { ok: true; validation: Validation } | { ok: false; refusal: Refusal };

/** `stripeAccount`: the account an organization key was checked against (its Stripe-Context). */
export function decideVerdict(key: ParsedKey, answers: CheckAnswers, checkedAt: string, stripeAccount: string | null = null): Verdict {
  const failures = [answers.account, ...PERMISSION_IDS.map((id) => answers.probes[id])]
    .filter((r): r is { ok: false; failure: StripeFailure } => !r.ok)
    .map((r) => r.failure);

  // The key check comes first at Stripe, so any 401 speaks for the whole key.
  const auth = failures.find((f) => f.kind === 'auth');
  if (auth) return { ok: false, refusal: { code: auth.expired ? 'expired_api_key' : 'invalid_api_key' } };

  // A key Stripe knows, refused for where the request comes from: nothing is known about what it
  // may do, and it is not invalid.
  if (failures.some((f) => f.kind === 'access_restricted')) return { ok: false, refusal: { code: 'key_access_restricted' } };

  // An organization key that may not act on the account its application names: Stripe's 403
  // `account_invalid` on every request, which says nothing about what the key may do elsewhere.
  if (failures.some((f) => f.kind === 'account_access')) return { ok: false, refusal: { code: 'stripe_account_inaccessible' } };

  // Without every answer we can't say what the key may do: refuse rather than guess.
  const unavailable = failures.find((f) => f.kind === 'unavailable');
  if (unavailable) return { ok: false, refusal: { code: 'stripe_unavailable' } };
  const limited = failures.find((f) => f.kind === 'rate_limited');
  if (limited) return { ok: false, refusal: { code: 'stripe_rate_limited', retryAfterSeconds: limited.retryAfterSeconds } };

  const permissions = Object.fromEntries(PERMISSION_IDS.map((id) => [id, granted(answers.probes[id])])) as Permissions;
  const missing = missingPermissions(permissions);
  const accountId = answers.account.ok ? answers.account.value.id : (accountIdFrom(failures) ?? stripeAccount);
  const accountName = answers.account.ok ? answers.account.value.name : null;

  const warnings: Warning[] = [];
  // An organization key's prefix doesn't say its mode: the objects Stripe answered with do. When
  // none does (no Balance: Read, nothing listed), it is taken as live, the mode that asks more.
  const answered = key.mode ?? answeredMode(answers.probes);
  const mode: KeyMode = answered ?? 'live';
  if (answered === null) {
    warnings.push({
      code: 'mode_unconfirmed',
      message:
        "Stripe's answers didn't say whether this organization key acts in a sandbox or in live mode, so Serval treats it as live. Grant it Balance: Read so that Serval can tell.",
    });
  }
  if (key.keyType === 'organization') {
    warnings.push({
      code: 'organization_key_wide_access',
      message: `This is an organization key: it can act on every account of your Stripe organization, not only ${accountId ?? 'this one'}. A restricted key of this account alone is safer.`,
    });
  }
  if (key.keyType === 'secret') {
    warnings.push({
      code: 'secret_key_full_access',
      message: 'This is a secret key with full access to your Stripe account. A restricted key with only the permissions Serval needs is safer.',
    });
  }
  if (missing.length > 0) {
    warnings.push({
      code: 'missing_permissions',
      message:
        `This key lacks ${missing.map((id) => permissionInfo(id).label).join(', ')}. ` +
        `Edit the key in the Stripe Dashboard to grant ${missing.length === 1 ? 'it' : 'them'}, or create a restricted key with every permission Serval needs: ${createRestrictedKeyUrl(mode)}`,
    });
  }
  if (mode === 'live') {
    warnings.push({ code: 'live_mode', message: 'This is a live key: it processes real payments.' });
  }
  return {
    ok: true,
    validation: {
      valid: true,
      keyType: key.keyType,
      mode,
      accountId,
      accountName,
      permissions,
      missingPermissions: missing,
      warnings,
      checkedAt,
    },
  };
}

/**
 * A probe passed the permission check if it succeeded, or if Stripe refused it for a reason that
 * comes after the permission check (404 for the customer that cannot exist, a 400).
 */
function granted(result: CallResult<unknown>): boolean {
  if (result.ok) return true;
  return result.failure.kind === 'request';
}

/**
 * The mode Stripe's objects say they live in: the balance's `livemode`, or a listed charge's or
 * customer's. Null when no answer carries one. (The Account object has no `livemode`.)
 */
export function answeredMode(probes: CheckAnswers['probes']): KeyMode | null {
  for (const id of ['balance_read', 'charges_read', 'customers_read'] as const) {
    const result = probes[id];
    if (!result.ok) continue;
    const value = result.value as { livemode?: unknown; data?: Array<{ livemode?: unknown }> } | null;
    const livemode = value?.livemode ?? value?.data?.[0]?.livemode;
    if (typeof livemode === 'boolean') return livemode ? 'live' : 'test';
  }
  return null;
}

function accountIdFrom(failures: StripeFailure[]): string | null {
  for (const f of failures) if (f.kind === 'permission' && f.accountId) return f.accountId;
  return null;
}
