/**
 * From the answers to the six checking requests to a validation, or to the reason the key is
 * refused. Pure: the requests themselves are made by key-checker.ts.
 */
import type { ParsedKey } from '../../shared/keys.js';
import { PERMISSION_IDS, createRestrictedKeyUrl, missingPermissions, permissionInfo, type PermissionId, type Permissions } from '../../shared/permissions.js';
import type { Validation, Warning } from '../../shared/api.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { StripeFailure } from './failures.js';

export type CallResult<T> = { ok: true; value: T } | { ok: false; failure: StripeFailure };

export type CheckAnswers = {
  account: CallResult<{ id: string }>;
  probes: Record<PermissionId, CallResult<unknown>>;
};

export type Refusal = { code: ErrorCode; message?: string; retryAfterSeconds?: number };
export type Verdict = { ok: true; validation: Validation } | { ok: false; refusal: Refusal };

export function decideVerdict(key: ParsedKey, answers: CheckAnswers, checkedAt: string): Verdict {
  const failures = [answers.account, ...PERMISSION_IDS.map((id) => answers.probes[id])]
    .filter((r): r is { ok: false; failure: StripeFailure } => !r.ok)
    .map((r) => r.failure);

  // The key check comes first at Stripe, so any 401 speaks for the whole key.
  const auth = failures.find((f) => f.kind === 'auth');
  if (auth) return { ok: false, refusal: { code: auth.expired ? 'expired_api_key' : 'invalid_api_key' } };

  // A key Stripe knows, refused for where the request comes from: nothing is known about what it
  // may do, and it is not invalid.
  if (failures.some((f) => f.kind === 'access_restricted')) return { ok: false, refusal: { code: 'key_access_restricted' } };

  // Without every answer we can't say what the key may do: refuse rather than guess.
  const unavailable = failures.find((f) => f.kind === 'unavailable');
  if (unavailable) return { ok: false, refusal: { code: 'stripe_unavailable' } };
  const limited = failures.find((f) => f.kind === 'rate_limited');
  if (limited) return { ok: false, refusal: { code: 'stripe_rate_limited', retryAfterSeconds: limited.retryAfterSeconds } };

  const permissions = Object.fromEntries(PERMISSION_IDS.map((id) => [id, granted(answers.probes[id])])) as Permissions;
  const missing = missingPermissions(permissions);
  const accountId = answers.account.ok ? answers.account.value.id : accountIdFrom(failures);

  const warnings: Warning[] = [];
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
        `Edit the key in the Stripe Dashboard to grant ${missing.length === 1 ? 'it' : 'them'}, or create a restricted key with every permission Serval needs: ${createRestrictedKeyUrl(key.mode)}`,
    });
  }
  if (key.mode === 'live') {
    warnings.push({ code: 'live_mode', message: 'This is a live key: it processes real payments.' });
  }
  return {
    ok: true,
    validation: {
      valid: true,
      keyType: key.keyType,
      mode: key.mode,
      accountId,
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

function accountIdFrom(failures: StripeFailure[]): string | null {
  for (const f of failures) if (f.kind === 'permission' && f.accountId) return f.accountId;
  return null;
}
