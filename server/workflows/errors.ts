/** What a Stripe failure during a workflow means for the API answer and for the stored integration. Pure. */
import { permissionForScope, permissionInfo, type PermissionId } from '../../shared/permissions.js';
import { scrubSecrets } from '../../shared/keys.js';
import { ApiError } from '../api-error.js';
import type { StripeFailure } from '../stripe/failures.js';

export type IntegrationChange = { status: 'invalid' | 'missing_permissions'; missing?: PermissionId; code: string; message: string };

export function workflowFailure(failure: StripeFailure, needed: PermissionId): { error: ApiError; change: IntegrationChange | null } {
  switch (failure.kind) {
    case 'permission': {
      // Stripe's message names the scope it wanted, when it does; otherwise it's the route's permission.
      const known = failure.scope ? permissionForScope(failure.scope) : null;
      const missing = known ?? needed;
      const info = permissionInfo(missing);
      // A scope outside Serval's catalogue is still what Stripe asked for: say so rather than hide it.
      const message =
        failure.scope && !known
          ? `The stored Stripe key lacks the '${failure.scope}' permission Stripe asked for (this request normally needs ${info.label}, ${info.scope}).`
          : `The stored Stripe key lacks ${info.label} (${info.scope}).`;
      return {
        error: new ApiError('stripe_permission_denied', {
          message,
          hint: `Edit the restricted key in the Stripe Dashboard, grant ${failure.scope && !known ? `'${failure.scope}'` : info.label}, then re-check the integration.`,
          details: { permission: missing, scope: info.scope, ...(failure.scope ? { stripeScope: failure.scope } : {}) },
        }),
        change: { status: 'missing_permissions', missing, code: 'stripe_permission_denied', message },
      };
    }
    case 'auth':
      return {
        error: new ApiError('stripe_key_invalid', failure.expired ? { message: 'The stored Stripe key has expired.' } : {}),
        change: {
          status: 'invalid',
          code: failure.expired ? 'expired_api_key' : 'invalid_api_key',
          message: failure.expired ? 'The stored Stripe key has expired.' : 'Stripe no longer accepts the stored key.',
        },
      };
    case 'access_restricted':
      // Stripe knows the key; it refuses this backend's address. The key is not invalid.
      return { error: new ApiError('key_access_restricted'), change: null };
    case 'account_access':
      // The organization key may not act on the application's account: the key itself is fine.
      return { error: new ApiError('stripe_account_inaccessible'), change: null };
    case 'rate_limited':
      return { error: new ApiError('stripe_rate_limited', {}, { 'Retry-After': String(failure.retryAfterSeconds) }), change: null };
    case 'unavailable':
      return { error: new ApiError('stripe_unavailable'), change: null };
    case 'request':
      return {
        error: new ApiError(failure.statusCode === 404 ? 'stripe_resource_missing' : 'stripe_invalid_request', {
          message: scrubSecrets(failure.message),
          details: { stripeStatus: failure.statusCode, stripeCode: failure.code, param: failure.param },
        }),
        change: null,
      };
  }
}
