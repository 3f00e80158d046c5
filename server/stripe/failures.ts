/**
 * What went wrong in a call to Stripe, decided by HTTP status and error class — never by message
 * wording, which Stripe has changed. Messages are only mined, opportunistically, for the account
 * id and the missing scope — with one exception: Stripe refuses a key limited to other IP addresses
 * with the same 401 as an unknown key, no code to tell them apart, so that one is told by its words.
 */
import { loadedStripeSdk } from './sdk.js';

export type StripeFailure =
  /** 401: unknown, deleted, rolled or expired key. */
  | { kind: 'auth'; expired: boolean; message: string }
  /** The key is fine, but not for requests from this address (Manage IP restrictions). */
  | { kind: 'access_restricted'; message: string }
  /**
   * 403 `account_invalid`: the key may not act on the account a request names (an organization
   * key's Stripe-Context naming an account outside its organization, or none that exists).
   */
  | { kind: 'account_access'; message: string }
  /** 403: the key is valid but lacks a permission. */
  | { kind: 'permission'; message: string; accountId: string | null; scope: string | null }
  | { kind: 'rate_limited'; message: string; retryAfterSeconds: number }
  /** Connection error, timeout, 5xx, a body that isn't JSON. */
  | { kind: 'unavailable'; message: string }
  /** 400/404 and the like: the key and permission checks passed, the request itself was refused. */
  | { kind: 'request'; statusCode: number; code: string | null; message: string; param: string | null };

const DEFAULT_RETRY_AFTER_SECONDS = 1;

export function describeStripeFailure(error: unknown): StripeFailure {
  const Stripe = loadedStripeSdk();
  if (!Stripe || !(error instanceof Stripe.errors.StripeError)) {
    return { kind: 'unavailable', message: error instanceof Error ? error.message : String(error) };
  }
  const status = error.statusCode;
  const message = error.message;
  if (error instanceof Stripe.errors.StripeConnectionError || status === undefined) {
    return { kind: 'unavailable', message };
  }
  if ((status === 401 || status === 403) && IP_NOT_ALLOWED.test(message)) {
    return { kind: 'access_restricted', message };
  }
  if (status === 401) {
    return { kind: 'auth', expired: error.code === 'api_key_expired', message };
  }
  if (status === 403 && error.code === 'account_invalid') {
    return { kind: 'account_access', message };
  }
  if (status === 403) {
    return { kind: 'permission', message, accountId: accountIdFromMessage(message), scope: scopeFromMessage(message) };
  }
  if (status === 429 || error instanceof Stripe.errors.StripeRateLimitError) {
    return { kind: 'rate_limited', message, retryAfterSeconds: retryAfterSeconds(error.headers) };
  }
  if (status >= 500 || error instanceof Stripe.errors.StripeAPIError) {
    return { kind: 'unavailable', message };
  }
  return { kind: 'request', statusCode: status, code: error.code ?? null, message, param: error.param ?? null };
}

/**
 * "The API key provided does not allow requests from your IP address." — sometimes followed by the
 * address in parentheses. A 401 (seen in 2026 logs as StripeAuthenticationError); a 403 with these
 * words is read the same way, so that a change of status can't turn it into "missing permissions".
 */
const IP_NOT_ALLOWED = /does not allow requests from your IP address/i;

/** Both of Stripe's 403 wordings name the account: `… on account 'acct_1PJBLEBBLEfV'.` */
export function accountIdFromMessage(message: string): string | null {
  return /on account '(acct_[A-Za-z0-9]+)'/.exec(message)?.[1] ?? null;
}

/**
 * The scope a 403 asks for: `Having the 'rak_customer_write' permission` (older wording) or
 * `Enabling "Customers Write" ('customer_write') permissions` (newer wording).
 */
export function scopeFromMessage(message: string): string | null {
  const older = /Having the '([a-z_]+)' permission/.exec(message)?.[1];
  if (older) return older;
  const newer = /\('([a-z_]+)'\) permissions?/.exec(message)?.[1];
  return newer ? `rak_${newer.replace(/^rak_/, '')}` : null;
}

function retryAfterSeconds(headers: Record<string, string> | undefined): number {
  const raw = headers?.['retry-after'];
  const seconds = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : DEFAULT_RETRY_AFTER_SECONDS;
}
